// dpop.alg — RFC 9449 §4.3 (5): an asymmetric algorithm from the allowlist; never none or HS*.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

export const dpopAlg: Check = {
  id: 'dpop.alg',
  run({ proof, deps }) {
    const alg = proof!.header.alg;
    const inputs = { alg, allowed: deps.dpopAlgs };
    if (alg === 'none') return fail('alg "none": an unsigned proof proves nothing', INVALID_PROOF, inputs);
    if (typeof alg === 'string' && /^HS/i.test(alg)) return fail(`alg "${alg}" is symmetric; DPoP needs an asymmetric key`, INVALID_PROOF, inputs);
    return typeof alg === 'string' && deps.dpopAlgs.includes(alg)
      ? pass(`alg ${alg}`, inputs)
      : fail(`alg ${JSON.stringify(alg ?? null)} is not in the allowlist ${deps.dpopAlgs.join(', ')}`, INVALID_PROOF, inputs);
  },
};
