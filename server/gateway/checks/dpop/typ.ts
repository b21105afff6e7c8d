// dpop.typ — RFC 9449 §4.3 (4): typ is "dpop+jwt", so no other kind of JWT passes as a proof.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

export const dpopTyp: Check = {
  id: 'dpop.typ',
  run({ proof }) {
    const typ = proof!.header.typ;
    return typ === 'dpop+jwt' ? pass('typ dpop+jwt') : fail(`typ ${JSON.stringify(typ ?? null)} is not "dpop+jwt"`, INVALID_PROOF, { typ });
  },
};
