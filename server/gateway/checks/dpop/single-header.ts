// dpop.single-header — RFC 9449 §4.3 (1): exactly one DPoP header field.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

export const dpopSingleHeader: Check = {
  id: 'dpop.single-header',
  run(ctx) {
    const values = ctx.req.headersDistinct.dpop ?? [];
    if (values.length === 0) return fail('no DPoP proof header', INVALID_PROOF);
    if (values.length > 1) return fail(`${values.length} DPoP headers; exactly one is allowed`, INVALID_PROOF, { count: values.length });
    ctx.proofJwt = values[0]!.trim();
    return pass('one DPoP header', { length: ctx.proofJwt.length });
  },
};
