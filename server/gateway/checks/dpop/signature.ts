// dpop.signature — RFC 9449 §4.3 (6): the proof verifies with the key in its own jwk header, using
// the (already allowlisted) header alg. Imported keys are cached by thumbprint.
import { compactVerify, importJWK, type JWK } from 'jose';
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;
const keys = new Map<string, ImportedKey>();

async function keyFor(jkt: string, alg: string, jwk: JWK): Promise<ImportedKey> {
  const id = `${alg}:${jkt}`;
  let key = keys.get(id);
  if (!key) {
    key = await importJWK(jwk, alg);
    if (keys.size > 5_000) keys.delete(keys.keys().next().value!);
    keys.set(id, key);
  }
  return key;
}

export const dpopSignature: Check = {
  id: 'dpop.signature',
  async run({ proof, proofJwt }) {
    const alg = proof!.header.alg as string;
    try {
      const key = await keyFor(proof!.jkt!, alg, proof!.header.jwk as JWK);
      await compactVerify(proofJwt!, key, { algorithms: [alg] });
      return pass(`${alg} signature verifies with the header jwk`);
    } catch (err) {
      return fail(`the signature does not verify with the header jwk (${(err as Error).message})`, INVALID_PROOF, { alg });
    }
  },
};
