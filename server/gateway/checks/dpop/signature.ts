// dpop.signature — RFC 9449 §4.3 (6): the proof verifies with the key in its own jwk header, using
// the (already allowlisted) header alg (RFC 7518 §3.4 ES256, §3.5 PS256; RFC 8037 EdDSA). Imported
// keys are cached by thumbprint; the verification runs on libuv's thread pool (node:crypto's async
// verify), off the event loop. No `crit` extension is understood (RFC 7515 §4.1.11).
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { pass, fail, INVALID_PROOF, type Check, type Verdict } from '../../context.ts';

interface Verifier {
  algorithm: string | null;
  key: KeyObject | { key: KeyObject; dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number };
}

/** What each allowlisted alg needs of its key, and how node:crypto verifies it. */
const ALGS: Record<string, { accepts(jwk: Record<string, unknown>, key: KeyObject): string | null; verifier(key: KeyObject): Verifier }> = {
  ES256: {
    accepts: (jwk) => (jwk.kty === 'EC' && jwk.crv === 'P-256' ? null : 'ES256 needs an EC P-256 key'),
    verifier: (key) => ({ algorithm: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } }),
  },
  PS256: {
    accepts: (jwk, key) =>
      jwk.kty !== 'RSA' ? 'PS256 needs an RSA key' : (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048 ? 'PS256 needs an RSA key of 2048 bits or more' : null,
    verifier: (key) => ({ algorithm: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } }),
  },
  EdDSA: {
    accepts: (jwk) => (jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'Ed448') ? null : 'EdDSA needs an OKP Ed25519 or Ed448 key'),
    verifier: (key) => ({ algorithm: null, key }),
  },
};

const verifiers = new Map<string, Verifier | string>();

/** The verifier for this key and alg, or why the key cannot be used with it (both cached). */
function verifierFor(jkt: string, alg: string, jwk: Record<string, unknown>): Verifier | string {
  const id = `${alg}:${jkt}`;
  let found = verifiers.get(id);
  if (found === undefined) {
    const spec = ALGS[alg];
    if (!spec) found = `alg ${alg} is not supported`;
    else {
      try {
        const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
        found = spec.accepts(jwk, key) ?? spec.verifier(key);
      } catch (err) {
        found = `the jwk is not a usable public key (${(err as Error).message})`;
      }
    }
    if (verifiers.size >= 5_000) verifiers.delete(verifiers.keys().next().value!);
    verifiers.set(id, found);
  }
  return found;
}

export const dpopSignature: Check = {
  id: 'dpop.signature',
  run({ proof, proofJwt }) {
    const alg = proof!.header.alg as string;
    if ('crit' in proof!.header) return fail('the proof header lists crit extensions; none is understood here', INVALID_PROOF, { alg });
    const v = verifierFor(proof!.jkt!, alg, proof!.header.jwk as Record<string, unknown>);
    if (typeof v === 'string') return fail(`the signature does not verify with the header jwk (${v})`, INVALID_PROOF, { alg });
    const dot = proofJwt!.lastIndexOf('.');
    const input = Buffer.from(proofJwt!.slice(0, dot));
    const signature = Buffer.from(proofJwt!.slice(dot + 1), 'base64url');
    return new Promise<Verdict>((resolve) => {
      verify(v.algorithm, input, v.key, signature, (err, ok) => {
        resolve(
          !err && ok
            ? pass(`${alg} signature verifies with the header jwk`)
            : fail(`the signature does not verify with the header jwk${err ? ` (${err.message})` : ''}`, INVALID_PROOF, { alg }),
        );
      });
    });
  },
};
