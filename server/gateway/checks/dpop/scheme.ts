// dpop.scheme — RFC 9449 §7.2: a DPoP-bound token must arrive with the DPoP scheme; the same token
// sent as Bearer is a downgrade and is refused. A DPoP-only route refuses the Bearer scheme outright.
// The /bearer teaching route runs it only to say, in the trace, what it lets through on purpose.
import { pass, fail, skip, type Check } from '../../context.ts';

const DOWNGRADE = { status: 401, error: 'invalid_token', scheme: 'DPoP' } as const;

export const dpopScheme: Check = {
  id: 'dpop.scheme',
  run({ scheme, claims, binding }) {
    const jkt = claims!.cnf?.jkt;
    const inputs = { scheme, 'cnf.jkt': jkt ?? null };
    if (binding === 'bearer') {
      return skip(jkt && scheme === 'Bearer'
        ? 'a DPoP-bound token (cnf.jkt) was accepted as Bearer without a proof: this teaching route is insecure on purpose; a resource server must refuse it (RFC 9449 §7.2)'
        : 'not enforced on this teaching route (insecure on purpose: no binding is checked)', inputs);
    }
    if (scheme === 'Bearer') {
      return fail(
        jkt ? 'a DPoP-bound token was sent with the Bearer scheme (downgrade refused)' : 'this route requires the DPoP scheme',
        DOWNGRADE,
        inputs,
      );
    }
    if (!jkt) return fail(`the DPoP scheme was used with a token that is not DPoP-bound${binding === 'dpop' ? ' (no cnf.jkt)' : ''}`, DOWNGRADE, inputs);
    return pass('DPoP scheme with a DPoP-bound token', inputs);
  },
};
