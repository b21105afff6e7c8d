// tls.client-cert-revocation — RFC 5280 §5: the certificate is not on its issuer's CRL.
// Checked per request, so a resumed TLS session cannot outlive a revocation.
import { pass, fail, skip, INVALID_TOKEN, type Check } from '../../context.ts';
import { BINDING_ONLY } from './client-cert-chain.ts';

export const clientCertRevocation: Check = {
  id: 'tls.client-cert-revocation',
  run({ conn, deps, route }) {
    if (!conn.peer) return fail('no client certificate to check', INVALID_TOKEN);
    if (route.certificates === 'binding-only') return skip(BINDING_ONLY);
    const inputs = { serialNumber: conn.peer.serialNumber, issuer: conn.tls.peerCertificate?.issuer };
    if (!deps.trust.hasCrlFor(conn.peer)) return skip('no CRL is configured for this issuer', inputs);
    return deps.trust.isRevoked(conn.peer)
      ? fail(`serial ${conn.peer.serialNumber} is listed in the issuer's CRL`, INVALID_TOKEN, inputs)
      : pass("not listed in the issuer's CRL", inputs);
  },
};
