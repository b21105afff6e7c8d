// `fapi-sandbox proof`: prints a DPoP proof (RFC 9449 §4.2) for a method, URL and optional access
// token, signed with a key kept in a file, so curl users can make DPoP calls. `--jkt` prints the
// key's thumbprint (what cnf.jkt will be).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { loadConfig } from '../config.ts';
import { buildProof, type DpopKey } from '../engine/crypto/dpop-proof.ts';
import { UsageError } from './usage.ts';

async function loadKey(file: string): Promise<DpopKey> {
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'ES256' }, null, 2) + '\n', { mode: 0o600 });
  }
  const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d: _d, ...publicJwk } = privateJwk;
  void _d;
  delete publicJwk.alg;
  return { name: path.basename(file), alg: 'ES256', privateKey: (await importJWK(privateJwk, 'ES256')) as DpopKey['privateKey'], publicJwk, privateJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

export async function proofCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        method: { type: 'string', default: 'GET' },
        url: { type: 'string' },
        token: { type: 'string' },
        nonce: { type: 'string' },
        key: { type: 'string' },
        jkt: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const keyFile = path.resolve(values.key ?? path.join(loadConfig().certsDir, 'keys', 'cli-dpop.private.jwk.json'));
  const key = await loadKey(keyFile);
  if (values.jkt) {
    console.log(key.jkt);
    return 0;
  }
  if (!values.url) throw new UsageError('proof needs --url (and --method, --token for a resource request)');
  const proof = await buildProof(key, {
    method: values.method.toUpperCase(), url: values.url, now: Date.now() / 1000,
    ...(values.token ? { accessToken: values.token } : {}), ...(values.nonce ? { nonce: values.nonce } : {}),
  });
  console.log(proof.jwt);
  return 0;
}
