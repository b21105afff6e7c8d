// tls.client-cert-presented — RFC 8705 §3: a certificate-bound token needs the client's
// certificate from the TLS layer of this very connection.
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';

export const clientCertPresented: Check = {
  id: 'tls.client-cert-presented',
  run({ conn }) {
    const cert = conn.tls.peerCertificate;
    return cert
      ? pass(`presented ${cert.subject}`, { subject: cert.subject, issuer: cert.issuer, thumbprint: cert.thumbprint })
      : fail('no client certificate was presented in the TLS handshake', INVALID_TOKEN, { nodeVerdict: conn.tls.authorizationError });
  },
};
