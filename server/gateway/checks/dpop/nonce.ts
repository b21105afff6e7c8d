// dpop.nonce — RFC 9449 §9: on routes that demand it, the proof carries a nonce this gateway issued
// recently; otherwise 401 use_dpop_nonce with a fresh DPoP-Nonce header.
import { pass, fail, skip, type Check } from '../../context.ts';

const USE_NONCE = { status: 401, error: 'use_dpop_nonce', scheme: 'DPoP' } as const;

export const dpopNonce: Check = {
  id: 'dpop.nonce',
  run(ctx) {
    if (!ctx.route.dpopNonce) return skip('this route does not demand DPoP nonces');
    const nonce = ctx.proof!.claims.nonce;
    if (typeof nonce !== 'string') return fail('the route demands a server nonce and the proof has none', USE_NONCE);
    return ctx.deps.nonces.verify(nonce, ctx.now)
      ? pass('nonce issued by this gateway and still fresh')
      : fail('the nonce is not one this gateway issued recently', USE_NONCE, { nonce: nonce.slice(0, 64) });
  },
};
