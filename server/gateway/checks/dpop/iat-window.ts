// dpop.iat-window — RFC 9449 §4.3 (11) / §11.1: the proof was created recently: |now - iat| within
// the configured window (default 60 s; at exactly the window still accepted, beyond it refused).
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

export const dpopIatWindow: Check = {
  id: 'dpop.iat-window',
  run({ proof, now, deps }) {
    const iat = proof!.claims.iat as number;
    const exact = now - iat;
    const age = Math.round(exact);
    const window = deps.dpopIatWindowSeconds;
    const inputs = { iat, now, ageSeconds: age, windowSeconds: window };
    if (!Number.isFinite(exact)) return fail('iat is not a finite NumericDate', INVALID_PROOF, inputs);
    if (exact > window) return fail(`proof created ${age} s ago; accepted window is ${window} s`, INVALID_PROOF, inputs);
    if (-exact > window) return fail(`proof iat is ${-age} s in the future; accepted window is ${window} s`, INVALID_PROOF, inputs);
    return pass(`created ${age} s ago (window ±${window} s)`, inputs);
  },
};
