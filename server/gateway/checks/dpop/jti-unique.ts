// dpop.jti-unique — RFC 9449 §11.1: a proof is accepted once. The jti (per key) is remembered for
// the acceptance window in SQLite, so a replay is caught across restarts and processes (a gateway
// worker asks the main process, the one writer).
import { pass, fail, INVALID_PROOF, type Check, type Verdict } from '../../context.ts';

function verdict(fresh: boolean, jti: string): Verdict {
  const inputs = { jti };
  return fresh ? pass(`jti ${jti.slice(0, 40)} not seen before`, inputs) : fail(`jti ${jti.slice(0, 40)} was already used: a replayed proof`, INVALID_PROOF, inputs);
}

export const dpopJtiUnique: Check = {
  id: 'dpop.jti-unique',
  run({ proof, deps }) {
    const jti = proof!.claims.jti as string;
    const iat = proof!.claims.iat as number;
    const fresh = deps.replay.claim(proof!.jkt!, jti, iat + deps.dpopIatWindowSeconds + 5);
    return typeof fresh === 'boolean' ? verdict(fresh, jti) : fresh.then((f) => verdict(f, jti));
  },
};
