// tls.client-cert-chain — RFC 8705 §2.1 / RFC 5280 §6: the presented certificate chains to a CA
// the gateway trusts (untrusted CAs and self-signed certificates refused). A binding-only route skips it (RFC 8705 §6.2).
import { pass, fail, skip, INVALID_TOKEN, type Check } from '../../context.ts';

export const BINDING_ONLY = 'this route accepts self-signed-bound certificates: only the binding to the token is checked, not the chain (RFC 8705 §2.2, §6.2)';

export const clientCertChain: Check = {
  id: 'tls.client-cert-chain',
  run({ conn, route }) {
    if (route.certificates === 'binding-only') return skip(BINDING_ONLY);
    if (!conn.chain) return fail('no client certificate to verify', INVALID_TOKEN);
    const inputs = { path: conn.chain.path, issuer: conn.tls.peerCertificate?.issuer, nodeVerdict: conn.tls.authorizationError ?? 'authorized' };
    return conn.chain.ok ? pass(conn.chain.reason, inputs) : fail(conn.chain.reason, INVALID_TOKEN, inputs);
  },
};
