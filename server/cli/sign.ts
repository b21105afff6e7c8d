// `fapi-sandbox sign`: prints the OBIE detached JWS (x-jws-signature) of a request body, signed with a
// signing key of the sandbox directory (certs/signing/), so curl users can make payment requests.
// Send the very bytes that were signed (curl --data-binary @FILE).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { loadPki } from '../pki/load.ts';
import { Directory } from '../directory/index.ts';
import { signDetached } from '../directory/jws.ts';
import { SIGNING_CERTS } from '../pki/plan.ts';
import { UsageError } from './usage.ts';

export async function signCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { key: { type: 'string', default: 'tpp-alpha-signing' }, file: { type: 'string' }, data: { type: 'string' }, iat: { type: 'string' } },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if ((values.file === undefined) === (values.data === undefined)) throw new UsageError('sign needs the body: --file FILE or --data JSON (one of them)');
  const names = SIGNING_CERTS.map((c) => c.name);
  if (!names.includes(values.key)) throw new UsageError(`sign --key must be one of ${names.join(', ')}`);
  const iat = values.iat === undefined ? undefined : Number(values.iat);
  if (iat !== undefined && !Number.isSafeInteger(iat)) throw new UsageError('sign --iat must be seconds since the epoch');
  let body: Buffer;
  try {
    body = values.file !== undefined ? readFileSync(values.file) : Buffer.from(values.data!, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${values.file}: ${(err as Error).message}`);
  }
  const directory = await Directory.fromPki(await loadPki(loadConfig().certsDir));
  console.log(await signDetached(body, { ...directory.signer(values.key), ...(iat !== undefined ? { iat } : {}) }));
  return 0;
}
