// `fapi-sandbox sign`: prints the OBIE detached JWS (x-jws-signature) of a request body, signed with a
// signing key of the sandbox directory (certs/signing/), so curl users can make payment requests.
// Send the very bytes that were signed (curl --data-binary @FILE). With --request-object it prints an
// RFC 9101 request object instead: the JSON object's authorization request parameters as claims, signed
// with the client's registered request-object key, to push as `request` at PAR.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { loadPki } from '../pki/load.ts';
import { Directory } from '../directory/index.ts';
import { signDetached } from '../directory/jws.ts';
import { SIGNING_CERTS } from '../pki/plan.ts';
import { UsageError } from './usage.ts';
import { REQUEST_OBJECT_KEYS } from '../idp/clients.ts';
import { buildRequestObject } from '../engine/crypto/request-object.ts';

export async function signCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        key: { type: 'string' }, file: { type: 'string' }, data: { type: 'string' }, iat: { type: 'string' },
        'request-object': { type: 'boolean', default: false }, client: { type: 'string', default: 'tpp-alpha' }, aud: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if ((values.file === undefined) === (values.data === undefined)) throw new UsageError('sign needs the body: --file FILE or --data JSON (one of them)');
  const names = SIGNING_CERTS.map((c) => c.name);
  const keyName = values.key ?? (values['request-object'] ? REQUEST_OBJECT_KEYS[values.client] : 'tpp-alpha-signing');
  if (keyName === undefined) throw new UsageError(`sign --request-object: client ${values.client} registered no request-object key; name one with --key`);
  if (!names.includes(keyName)) throw new UsageError(`sign --key must be one of ${names.join(', ')}`);
  const iat = values.iat === undefined ? undefined : Number(values.iat);
  if (iat !== undefined && !Number.isSafeInteger(iat)) throw new UsageError('sign --iat must be seconds since the epoch');
  let body: Buffer;
  try {
    body = values.file !== undefined ? readFileSync(values.file) : Buffer.from(values.data!, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${values.file}: ${(err as Error).message}`);
  }
  const config = loadConfig();
  const directory = await Directory.fromPki(await loadPki(config.certsDir));
  const signer = directory.signer(keyName);
  if (values['request-object']) {
    let params: unknown;
    try {
      params = JSON.parse(body.toString('utf8'));
    } catch {
      throw new UsageError('sign --request-object needs a JSON object of authorization request parameters');
    }
    if (!params || typeof params !== 'object' || Array.isArray(params)) throw new UsageError('sign --request-object needs a JSON object of authorization request parameters');
    const ro = await buildRequestObject({
      clientId: values.client, audience: values.aud ?? `https://${config.publicHost}:${config.ports.idp}`, now: iat ?? Date.now() / 1000,
      params: params as Record<string, unknown>, key: { alg: signer.alg, kid: signer.kid, key: signer.privateKey },
    });
    console.log(ro.jwt);
    return 0;
  }
  console.log(await signDetached(body, { ...signer, ...(iat !== undefined ? { iat } : {}) }));
  return 0;
}
