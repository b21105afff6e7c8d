// tls.client-cert-validity — RFC 5280 §4.1.2.5, §6.1.3 (a)(2): refuse a client certificate, or an
// intermediate CA on its path, past notAfter or before notBefore (with the configured leeway). RFC 8705
// §3 leaves this to deployments; FAPI ones enforce it.
import type { X509Certificate } from 'node:crypto';
import type { CertSummary } from '../../../../lib/trace/decision.ts';
import { rfc4514 } from '../../../pki/x509.ts';
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';
import { isoTime } from '../../iso-time.ts';

/** notBefore / notAfter in seconds, parsed once per certificate summary (summaries are kept per certificate). */
const bounds = new WeakMap<CertSummary | X509Certificate, { from: number; to: number }>();
function boundsOf(cert: CertSummary | X509Certificate): { from: number; to: number } {
  let b = bounds.get(cert);
  if (!b) {
    const [notBefore, notAfter] = 'notBefore' in cert ? [cert.notBefore, cert.notAfter] : [cert.validFrom, cert.validTo];
    bounds.set(cert, (b = { from: Date.parse(notBefore) / 1000, to: Date.parse(notAfter) / 1000 }));
  }
  return b;
}

export const clientCertValidity: Check = {
  id: 'tls.client-cert-validity',
  run({ conn, now, deps }) {
    const cert = conn.tls.peerCertificate;
    if (!cert) return fail('no client certificate to check', INVALID_TOKEN);
    const { from, to } = boundsOf(cert);
    const leeway = deps.certClockToleranceSeconds;
    const inputs = { notBefore: cert.notBefore, notAfter: cert.notAfter, now: isoTime(now * 1000) };
    if (now > to + leeway) return fail(`certificate expired at ${cert.notAfter}`, INVALID_TOKEN, inputs);
    if (now < from - leeway) return fail(`certificate not valid until ${cert.notBefore}`, INVALID_TOKEN, inputs);
    // The CA certificates above it (client-sent intermediates and the anchors) must be valid too.
    for (const ca of conn.chain?.ok ? conn.chain.certificates.slice(1) : []) {
      const b = boundsOf(ca);
      if (now > b.to + leeway) return fail(`intermediate ${rfc4514(ca.subject)} expired at ${ca.validTo}`, INVALID_TOKEN, inputs);
      if (now < b.from - leeway) return fail(`intermediate ${rfc4514(ca.subject)} not valid until ${ca.validFrom}`, INVALID_TOKEN, inputs);
    }
    return pass(`valid until ${cert.notAfter}`, inputs);
  },
};
