// tls.client-cert-chain — RFC 8705 §2.1 / RFC 5280 §6: the presented certificate chains to a CA
// the gateway trusts (untrusted CAs and self-signed certificates refused).
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';

export const clientCertChain: Check = {
  id: 'tls.client-cert-chain',
  run({ conn }) {
    if (!conn.chain) return fail('no client certificate to verify', INVALID_TOKEN);
    const inputs = { path: conn.chain.path, issuer: conn.tls.peerCertificate?.issuer, nodeVerdict: conn.tls.authorizationError ?? 'authorized' };
    return conn.chain.ok ? pass(conn.chain.reason, inputs) : fail(conn.chain.reason, INVALID_TOKEN, inputs);
  },
};
