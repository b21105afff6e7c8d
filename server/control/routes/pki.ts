// GET /api/pki — the certificate index (certs/index.json) plus certificates minted from the UI;
// GET /api/pki/:name/{cert,chain,key}.pem downloads one file (never a CA's or the server's key); POST /api/pki/mint issues a
// certificate with a chosen flaw (expired, not-yet-valid, self-signed, untrusted-ca, none).
// These are sandbox keys: never use them anywhere else.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ControlRequest } from '../index.ts';
import { HttpError, readJson, sendJson, sendError } from '../http.ts';
import { parseBody } from '../validate.ts';
import { mintCertificate, parseDn } from '../../pki/mint.ts';
import { leafPem, mintedStore, type MintedEntry } from '../../pki/minted.ts';
import { keyIsServed } from '../../../lib/pki/keys.ts';

const FLAW_DESCRIPTIONS = {
  none: 'a valid certificate from the sandbox issuing CA',
  expired: 'expired a day ago (issued by the sandbox CA)',
  'not-yet-valid': 'valid only from tomorrow (issued by the sandbox CA)',
  'self-signed': 'self-signed: it chains to nothing',
  'untrusted-ca': 'issued by a rogue CA the sandbox does not trust',
} as const;

/** A minted certificate in the shape of a certs/index.json entry. */
function mintedView(m: MintedEntry) {
  return {
    ...m.summary,
    name: m.name,
    role: 'minted',
    description: `Minted from the web UI: ${FLAW_DESCRIPTIONS[m.flaw]}.`,
    clientId: null,
    trusted: m.flaw === 'none' || m.flaw === 'expired' || m.flaw === 'not-yet-valid',
    revoked: false,
    files: { cert: 'cert.pem', key: 'key.pem', chain: 'chain.pem' },
    minted: { flaw: m.flaw, at: m.at },
  };
}

export function pkiIndex({ res, stack }: ControlRequest): void {
  sendJson(res, 200, {
    generatedAt: stack.pki.index.generatedAt,
    certificates: stack.pki.index.certificates,
    minted: mintedStore(stack.pki).list().map(mintedView),
    trust: stack.pki.index.trust,
  });
}

const FILES = { 'cert.pem': 'cert', 'chain.pem': 'chain', 'key.pem': 'key' } as const;

function sendPem(res: ControlRequest['res'], name: string, file: string, pem: Buffer): void {
  res.writeHead(200, {
    'content-type': 'application/x-pem-file',
    'content-disposition': `attachment; filename="${name}.${file}"`,
    'content-length': pem.length,
    'cache-control': 'no-store',
  });
  res.end(pem);
}

export function pkiFile({ res, params, stack }: ControlRequest): void {
  const kind = FILES[params.file as keyof typeof FILES];
  const entry = stack.pki.index.certificates.find((c) => c.name === params.name);
  const minted = entry ? null : mintedStore(stack.pki).get(params.name!);
  if (!kind || (!entry && !minted)) return sendError(res, 404, 'not_found', `no file ${params.file} for certificate ${params.name}`);
  if (minted) {
    const pem = kind === 'cert' ? leafPem(minted.chain) : kind === 'chain' ? minted.chain : minted.key;
    return sendPem(res, minted.name, params.file!, Buffer.from(pem));
  }
  if (kind === 'key' && !keyIsServed(entry!.role)) {
    return sendError(res, 403, 'forbidden', `the private key of ${entry!.name} (${entry!.role}) is never served: only client keys are; CA and server keys stay in the certs folder`);
  }
  const rel = entry!.files[kind];
  if (!rel) return sendError(res, 404, 'not_found', `${params.name} has no ${kind} file`);
  sendPem(res, entry!.name, params.file!, readFileSync(path.join(stack.pki.dir, rel)));
}

const mintBody = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/i, 'a name: letters, digits, _ and -, starting with a letter, at most 63 characters'),
    subject: z.string().min(3).max(512).optional().describe('RFC 4514, e.g. CN=tpp-alpha,O=Alpha Payments Ltd,C=GB'),
    subjectOf: z.string().min(1).max(100).optional().describe('copy the subject of this certificate'),
    flaw: z.enum(['none', 'expired', 'not-yet-valid', 'self-signed', 'untrusted-ca']).default('none'),
  })
  .strict()
  .refine((b) => !!b.subject !== !!b.subjectOf, { message: 'give exactly one of subject or subjectOf', path: ['subject'] });

export async function mintCert({ req, res, stack }: ControlRequest): Promise<void> {
  const body = parseBody(mintBody, await readJson(req, 16 * 1024));
  const store = mintedStore(stack.pki);
  if (stack.pki.index.certificates.some((c) => c.name === body.name)) {
    throw new HttpError(409, 'name_taken', `"${body.name}" is a certificate of the generated PKI: choose another name`);
  }
  if (store.get(body.name)) throw new HttpError(409, 'name_taken', `"${body.name}" is already minted: choose another name (minted certificates last until the sandbox stops)`);
  let subject = body.subject;
  if (body.subjectOf) {
    subject = stack.pki.index.certificates.find((c) => c.name === body.subjectOf)?.subject ?? store.get(body.subjectOf)?.summary.subject;
    if (!subject) throw new HttpError(400, 'invalid_request', `subjectOf: no certificate named "${body.subjectOf}"`);
  }
  try {
    parseDn(subject!).forEach(([type, value]) => {
      if (!/^(CN|O|OU|C|L|ST|SERIALNUMBER|DC|E|EMAILADDRESS)$/.test(type)) throw new Error(`attribute type "${type}" is not supported (use CN, O, OU, C, L, ST, serialNumber, DC)`);
      if (!value) throw new Error(`${type} has an empty value`);
      if (type === 'C' && !/^[A-Z]{2}$/i.test(value)) throw new Error(`C must be a two-letter country code, got "${value}"`);
    });
  } catch (err) {
    throw new HttpError(400, 'invalid_request', `subject: ${(err as Error).message}`);
  }
  const minted = await mintCertificate(stack.pki, { name: body.name, subject: subject!, flaw: body.flaw });
  const entry: MintedEntry = { ...minted, flaw: body.flaw, at: new Date().toISOString() };
  store.add(entry);
  sendJson(res, 201, { certificate: mintedView(entry) });
}
