// dpop.htm — RFC 9449 §4.3 (8): htm equals the method of this request.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

export const dpopHtm: Check = {
  id: 'dpop.htm',
  run({ proof, method }) {
    const htm = proof!.claims.htm;
    const inputs = { htm, method };
    return htm === method ? pass(`htm ${method}`, inputs) : fail(`htm "${String(htm)}" is not this request's method ${method}`, INVALID_PROOF, inputs);
  },
};
