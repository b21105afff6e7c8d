// tls.client-cert-revocation — RFC 5280 §5, §6.1.3 (a)(3): neither the certificate nor an intermediate
// CA on its path is on its issuer's CRL, and the CRL is fresh (nextUpdate). Per route: `ignore`, `crl`
// (an unknown status is accepted and said so) or `strict` (an unknown status is refused). Checked per
// request, so a resumed TLS session cannot outlive a revocation.
import type { X509Certificate } from 'node:crypto';
import { pass, fail, skip, INVALID_TOKEN, type Check } from '../../context.ts';
import { BINDING_ONLY } from './client-cert-chain.ts';

export const clientCertRevocation: Check = {
  id: 'tls.client-cert-revocation',
  run({ conn, deps, route, now }) {
    if (!conn.peer) return fail('no client certificate to check', INVALID_TOKEN);
    if (route.certificates === 'binding-only') return skip(BINDING_ONLY);
    const mode = route.revocation;
    if (mode === 'ignore') return skip('revocation is not checked on this route (revocation mode ignore)', { mode });
    // The leaf and every intermediate; the trust anchor itself is not checked.
    const path: readonly X509Certificate[] = conn.chain?.ok ? conn.chain.certificates.filter((c) => !deps.trust.isAnchor(c)) : [conn.peer];
    const statuses = path.map((cert) => deps.trust.revocationStatus(cert, now));
    const inputs = { mode, serialNumber: conn.peer.serialNumber, issuer: conn.tls.peerCertificate?.issuer, statuses: statuses.map((s) => `${s.status}: ${s.reason}`) };
    const revoked = statuses.find((s) => s.status === 'revoked');
    if (revoked) return fail(revoked.reason, INVALID_TOKEN, inputs);
    const unknown = statuses.find((s) => s.status === 'unknown');
    if (!unknown) return pass(path.length > 1 ? 'neither the certificate nor its intermediates are on a CRL' : "not listed in the issuer's CRL", inputs);
    return mode === 'strict'
      ? fail(`revocation status unknown: ${unknown.reason} (revocation mode strict refuses it)`, INVALID_TOKEN, inputs)
      : skip(`revocation status unknown: ${unknown.reason}; accepted because the revocation mode is crl (strict would refuse)`, inputs);
  },
};
