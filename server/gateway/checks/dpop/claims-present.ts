// dpop.claims-present — RFC 9449 §4.2 / §7.1: jti, htm, htu and iat, and at a resource server ath.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

const REQUIRED: [claim: string, type: 'string' | 'number'][] = [['jti', 'string'], ['htm', 'string'], ['htu', 'string'], ['iat', 'number'], ['ath', 'string']];

export const dpopClaimsPresent: Check = {
  id: 'dpop.claims-present',
  run({ proof }) {
    const c = proof!.claims;
    const missing = REQUIRED.filter(([name, type]) => typeof c[name] !== type || (type === 'string' && c[name] === '')).map(([name]) => name);
    return missing.length
      ? fail(`missing or mistyped: ${missing.join(', ')}`, INVALID_PROOF, { missing })
      : pass('jti, htm, htu, iat and ath present');
  },
};
