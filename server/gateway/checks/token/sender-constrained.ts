// token.sender-constrained — FAPI 2.0 SP §5.3.2.1: FAPI routes refuse plain bearer tokens; the
// token must carry cnf with x5t#S256 (RFC 8705 §3.1) or jkt (RFC 9449 §6.1), one of the two. A
// certificate-bound token travels as Bearer (RFC 8705 §3); the DPoP scheme is for DPoP-bound ones.
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';

export const tokenSenderConstrained: Check = {
  id: 'token.sender-constrained',
  run({ claims, scheme, binding }) {
    const cnf = claims!.cnf;
    const x5t = typeof cnf?.['x5t#S256'] === 'string';
    const jkt = typeof cnf?.jkt === 'string';
    const inputs = { cnf: cnf ?? null, scheme };
    if (x5t && jkt) return fail('the token is bound both by certificate and by DPoP key; a token is bound one way', INVALID_TOKEN, inputs);
    // (On DPoP-only routes dpop.scheme explains the same mismatch in DPoP's terms.)
    if (x5t && scheme === 'DPoP' && binding !== 'dpop') return fail('a certificate-bound token was sent with the DPoP scheme; it travels as Bearer (RFC 8705 §3)', INVALID_TOKEN, inputs);
    if (x5t) return pass('bound to a client certificate (cnf.x5t#S256)', inputs);
    if (jkt) return pass('bound to a DPoP key (cnf.jkt)', inputs);
    return fail('a plain bearer token (no cnf) is refused on a FAPI route', INVALID_TOKEN, inputs);
  },
};
