// GET /api/pki — the certificate index (certs/index.json); GET /api/pki/:name/{cert,chain,key}.pem
// downloads one file. These are sandbox keys: never use them anywhere else.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ControlRequest } from '../index.ts';
import { sendJson, sendError } from '../http.ts';

export function pkiIndex({ res, stack }: ControlRequest): void {
  sendJson(res, 200, { generatedAt: stack.pki.index.generatedAt, certificates: stack.pki.index.certificates, trust: stack.pki.index.trust });
}

const FILES = { 'cert.pem': 'cert', 'chain.pem': 'chain', 'key.pem': 'key' } as const;

export function pkiFile({ res, params, stack }: ControlRequest): void {
  const entry = stack.pki.index.certificates.find((c) => c.name === params.name);
  const kind = FILES[params.file as keyof typeof FILES];
  if (!entry || !kind) return sendError(res, 404, 'not_found', `no file ${params.file} for certificate ${params.name}`);
  const rel = entry.files[kind];
  if (!rel) return sendError(res, 404, 'not_found', `${params.name} has no ${kind} file`);
  const pem = readFileSync(path.join(stack.pki.dir, rel));
  res.writeHead(200, {
    'content-type': 'application/x-pem-file',
    'content-disposition': `attachment; filename="${entry.name}.${params.file}"`,
    'content-length': pem.length,
  });
  res.end(pem);
}
