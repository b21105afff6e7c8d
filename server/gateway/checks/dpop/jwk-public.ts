// dpop.jwk-public — RFC 9449 §4.3 (7): the header jwk is an asymmetric public key with no private
// members. Also computes its RFC 7638 thumbprint for the later checks.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';
import { jwkThumbprint } from '../../jose-util.ts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

export const dpopJwkPublic: Check = {
  id: 'dpop.jwk-public',
  run({ proof }) {
    const jwk = proof!.header.jwk;
    if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return fail('the proof header has no jwk object', INVALID_PROOF);
    const key = jwk as Record<string, unknown>;
    const leaked = PRIVATE_MEMBERS.filter((m) => m in key);
    if (leaked.length) return fail(`the jwk carries private key members (${leaked.join(', ')})`, INVALID_PROOF, { kty: key.kty, privateMembers: leaked });
    if (!['EC', 'RSA', 'OKP'].includes(String(key.kty))) return fail(`kty ${JSON.stringify(key.kty ?? null)} is not an asymmetric key type`, INVALID_PROOF, { kty: key.kty });
    const jkt = jwkThumbprint(key);
    if (!jkt) return fail(`the jwk is not a valid public key: a required ${String(key.kty)} member is missing or not a string`, INVALID_PROOF, { kty: key.kty });
    proof!.jkt = jkt;
    return pass(`public ${String(key.kty)} key, thumbprint ${proof!.jkt}`, { kty: key.kty, crv: key.crv, jkt: proof!.jkt });
  },
};
