// dpop.ath — RFC 9449 §4.3 (12) / §7.1: ath = base64url(SHA-256(access token)), so a proof made
// for one token cannot be used with another.
import { createHash } from 'node:crypto';
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

export const dpopAth: Check = {
  id: 'dpop.ath',
  run({ proof, token }) {
    const expected = createHash('sha256').update(token!).digest('base64url');
    const ath = proof!.claims.ath;
    const inputs = { ath, expected };
    return ath === expected ? pass('ath matches the presented access token', inputs) : fail('ath is not the hash of the presented access token', INVALID_PROOF, inputs);
  },
};
