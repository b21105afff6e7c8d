// tls.client-cert-validity — RFC 5280 §4.1.2.5: refuse a client certificate past notAfter or before
// notBefore (with the configured leeway). RFC 8705 §3 leaves this to deployments; FAPI ones enforce it.
import type { CertSummary } from '../../../../lib/trace/decision.ts';
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';

/** notBefore / notAfter in seconds, parsed once per certificate summary (summaries are kept per certificate). */
const bounds = new WeakMap<CertSummary, { from: number; to: number }>();
function boundsOf(cert: CertSummary): { from: number; to: number } {
  let b = bounds.get(cert);
  if (!b) bounds.set(cert, (b = { from: Date.parse(cert.notBefore) / 1000, to: Date.parse(cert.notAfter) / 1000 }));
  return b;
}

export const clientCertValidity: Check = {
  id: 'tls.client-cert-validity',
  run({ conn, now, deps }) {
    const cert = conn.tls.peerCertificate;
    if (!cert) return fail('no client certificate to check', INVALID_TOKEN);
    const { from, to } = boundsOf(cert);
    const leeway = deps.certClockToleranceSeconds;
    const inputs = { notBefore: cert.notBefore, notAfter: cert.notAfter, now: new Date(now * 1000).toISOString() };
    if (now > to + leeway) return fail(`certificate expired at ${cert.notAfter}`, INVALID_TOKEN, inputs);
    if (now < from - leeway) return fail(`certificate not valid until ${cert.notBefore}`, INVALID_TOKEN, inputs);
    return pass(`valid until ${cert.notAfter}`, inputs);
  },
};
