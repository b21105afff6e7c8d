// dpop.ath — RFC 9449 §4.3 (12) / §7.1: ath = base64url(SHA-256(access token)), so a proof made
// for one token cannot be used with another.
import { createHash } from 'node:crypto';
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

/** The hash of each access token presented recently (a client sends one token with many proofs). */
const hashes = new Map<string, string>();
function athOf(token: string): string {
  let ath = hashes.get(token);
  if (ath === undefined) {
    ath = createHash('sha256').update(token).digest('base64url');
    if (hashes.size >= 1_000) hashes.delete(hashes.keys().next().value!);
    hashes.set(token, ath);
  }
  return ath;
}

export const dpopAth: Check = {
  id: 'dpop.ath',
  run({ proof, token }) {
    const expected = athOf(token!);
    const ath = proof!.claims.ath;
    const inputs = { ath, expected };
    return ath === expected ? pass('ath matches the presented access token', inputs) : fail('ath is not the hash of the presented access token', INVALID_PROOF, inputs);
  },
};
