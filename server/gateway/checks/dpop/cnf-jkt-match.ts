// dpop.cnf-jkt-match — RFC 9449 §6.1 / §7.1: the proof key's RFC 7638 thumbprint equals the token's
// cnf.jkt: only the holder of the key the token was issued to can use it.
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';

export const dpopCnfJktMatch: Check = {
  id: 'dpop.cnf-jkt-match',
  run({ proof, claims }) {
    const expected = claims!.cnf?.jkt;
    const inputs = { 'cnf.jkt': expected ?? null, proofJkt: proof!.jkt };
    if (typeof expected !== 'string') return fail('the token is not DPoP-bound (no cnf.jkt)', INVALID_TOKEN, inputs);
    return proof!.jkt === expected
      ? pass(`proof key thumbprint ${expected} equals cnf.jkt`, inputs)
      : fail(`proof key thumbprint ${proof!.jkt} does not equal cnf.jkt ${expected}`, { ...INVALID_TOKEN, scheme: 'DPoP' }, inputs);
  },
};
