// Client certificate trust, evaluated by the gateway itself so that chain, validity and revocation
// are three separate answers (OpenSSL reports only one error per handshake, often the last).
// RFC 5280 §6 path validation, reduced to this sandbox's two-level PKI.
import { X509Certificate } from 'node:crypto';
import { rfc4514 } from '../pki/cert.ts';

export interface ChainResult {
  ok: boolean;
  reason: string;
  /** Subjects from the leaf up to the trust anchor, when it chains. */
  path: string[];
}

export class TrustAnchors {
  /** Revoked serial numbers, by issuer subject (RFC 4514). */
  private readonly revoked = new Map<string, Set<string>>();

  /** `crls`: for each CA with a CRL, the serial numbers it revokes. */
  constructor(private readonly anchors: readonly X509Certificate[], crls: readonly { issuer: X509Certificate; revoked: Iterable<string> }[]) {
    for (const crl of crls) this.revoked.set(crl.issuer.subject, new Set([...crl.revoked].map((s) => s.toUpperCase())));
  }

  /** Finds a path from `leaf` to an anchor, using anchors and the intermediates the client sent. */
  verifyChain(leaf: X509Certificate, presented: readonly X509Certificate[] = []): ChainResult {
    // Not checkIssued(leaf): OpenSSL also wants keyCertSign there, which a self-signed leaf lacks.
    if (leaf.subject === leaf.issuer && leaf.verify(leaf.publicKey)) {
      const anchored = this.anchors.some((a) => a.raw.equals(leaf.raw));
      return anchored
        ? { ok: true, reason: 'the certificate is itself a trust anchor', path: [rfc4514(leaf.subject)] }
        : { ok: false, reason: `self-signed certificate (${rfc4514(leaf.subject)}) is not a trusted CA`, path: [] };
    }
    const path = [rfc4514(leaf.subject)];
    let current = leaf;
    const candidates = [...this.anchors, ...presented.filter((c) => c.ca)];
    for (let depth = 0; depth < 5; depth++) {
      const issuer = candidates.find((c) => !c.raw.equals(current.raw) && current.checkIssued(c) && current.verify(c.publicKey));
      if (!issuer) {
        return { ok: false, reason: `issuer ${rfc4514(current.issuer)} is not a trusted CA`, path };
      }
      if (!issuer.ca) return { ok: false, reason: `issuer ${rfc4514(issuer.subject)} is not a CA certificate`, path };
      path.push(rfc4514(issuer.subject));
      if (this.anchors.some((a) => a.raw.equals(issuer.raw))) {
        return { ok: true, reason: `chains to trusted ${rfc4514(issuer.subject)}`, path };
      }
      current = issuer;
    }
    return { ok: false, reason: 'certificate chain too long', path };
  }

  isRevoked(cert: X509Certificate): boolean {
    return this.revoked.get(cert.issuer)?.has(cert.serialNumber.toUpperCase()) ?? false;
  }

  hasCrlFor(cert: X509Certificate): boolean {
    return this.revoked.has(cert.issuer);
  }
}
