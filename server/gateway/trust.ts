// Client certificate trust, evaluated by the gateway itself so that chain, validity and revocation
// are three separate answers (OpenSSL reports only one error per handshake, often the last).
// RFC 5280 §6 path validation (client-sent intermediates included, pathLenConstraint §4.2.1.9), with the
// extension rules that decide whether a certificate may be a TLS client certificate at all (§4.2,
// §4.2.1.3, §4.2.1.12), and revocation status from CRLs with their freshness (§5.1.2.5 nextUpdate).
import { X509Certificate } from 'node:crypto';
import { rfc4514, x509 } from '../pki/x509.ts';

/** Extensions this verifier understands; a critical one outside the list makes a certificate unusable (RFC 5280 §4.2). */
const KNOWN_EXTENSIONS = new Set([
  '2.5.29.19', // basicConstraints
  '2.5.29.15', // keyUsage
  '2.5.29.37', // extKeyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.32', // certificatePolicies
  '2.5.29.31', // cRLDistributionPoints
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/**
 * Why `cert` cannot serve as a TLS client certificate (`leaf`) or as a CA on its path (`ca`), or null:
 * an unrecognised critical extension; for a leaf, a key usage without digitalSignature (the TLS
 * CertificateVerify is a signature) or an extended key usage without clientAuth.
 */
export function usageProblem(cert: X509Certificate, role: 'leaf' | 'ca'): string | null {
  let parsed: x509.X509Certificate;
  try {
    parsed = new x509.X509Certificate(cert.raw);
  } catch (err) {
    return `the certificate cannot be parsed (${(err as Error).message})`;
  }
  const unknown = parsed.extensions.find((e) => e.critical && !KNOWN_EXTENSIONS.has(e.type));
  if (unknown) return `${rfc4514(cert.subject) || 'the certificate'} has an unrecognised critical extension ${unknown.type} (RFC 5280 §4.2)`;
  if (role === 'ca') return null;
  const ku = parsed.getExtension(x509.KeyUsagesExtension);
  if (ku && !(ku.usages & x509.KeyUsageFlags.digitalSignature)) return 'its key usage does not include digitalSignature, which TLS client authentication needs (RFC 5280 §4.2.1.3)';
  const eku = parsed.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku && !eku.usages.some((u) => u === CLIENT_AUTH || u === ANY_EXTENDED_KEY_USAGE)) {
    return `its extended key usage (${eku.usages.join(', ')}) does not include clientAuth (RFC 5280 §4.2.1.12)`;
  }
  return null;
}

export interface ChainResult {
  ok: boolean;
  reason: string;
  /** Subjects from the leaf up to the trust anchor, when it chains. */
  path: string[];
  /** The certificates of that path, leaf first, the trust anchor last (just the leaf when it does not chain). */
  certificates: readonly X509Certificate[];
}

/** Per route: `ignore` revocation, `crl` (unknown status soft-fails) or `strict` (unknown status refused). */
export type RevocationMode = 'ignore' | 'crl' | 'strict';

export interface RevocationStatus {
  status: 'good' | 'revoked' | 'unknown';
  reason: string;
}

interface CrlFacts {
  revoked: Set<string>;
  /** Seconds since the epoch; past it the CRL no longer says a certificate is good. */
  nextUpdate: number | undefined;
}

/**
 * basicConstraints pathLenConstraint (RFC 5280 §4.2.1.9), when the certificate has one. Remembered per
 * certificate object: the anchors are asked on every new client certificate, and parsing one with
 * @peculiar/x509 costs more than the rest of the path check.
 */
const pathLengths = new WeakMap<X509Certificate, number | undefined>();
function pathLengthOf(cert: X509Certificate): number | undefined {
  if (pathLengths.has(cert)) return pathLengths.get(cert);
  let length: number | undefined;
  try {
    length = new x509.X509Certificate(cert.raw).getExtension(x509.BasicConstraintsExtension)?.pathLength;
  } catch {
    length = undefined;
  }
  pathLengths.set(cert, length);
  return length;
}

export class TrustAnchors {
  /** CRL facts, by issuer subject. */
  private readonly crls = new Map<string, CrlFacts>();

  /** `crls`: for each CA with a CRL, the serial numbers it revokes and its nextUpdate (seconds). */
  constructor(private readonly anchors: readonly X509Certificate[], crls: readonly { issuer: X509Certificate; revoked: Iterable<string>; nextUpdate?: number }[]) {
    for (const crl of crls) this.crls.set(crl.issuer.subject, { revoked: new Set([...crl.revoked].map((s) => s.toUpperCase())), nextUpdate: crl.nextUpdate });
  }

  isAnchor(cert: X509Certificate): boolean {
    return this.anchors.some((a) => a.raw.equals(cert.raw));
  }

  /** Finds a path from `leaf` to an anchor, using anchors and the intermediates the client sent. */
  verifyChain(leaf: X509Certificate, presented: readonly X509Certificate[] = []): ChainResult {
    const unusable = usageProblem(leaf, 'leaf');
    if (unusable) return { ok: false, reason: `not usable as a client certificate: ${unusable}`, path: [], certificates: [leaf] };
    // Not checkIssued(leaf): OpenSSL also wants keyCertSign there, which a self-signed leaf lacks.
    if (leaf.subject === leaf.issuer && leaf.verify(leaf.publicKey)) {
      const anchored = this.anchors.some((a) => a.raw.equals(leaf.raw));
      return anchored
        ? { ok: true, reason: 'the certificate is itself a trust anchor', path: [rfc4514(leaf.subject)], certificates: [leaf] }
        : { ok: false, reason: `self-signed certificate (${rfc4514(leaf.subject)}) is not a trusted CA`, path: [], certificates: [leaf] };
    }
    const path = [rfc4514(leaf.subject)];
    const certificates = [leaf];
    const refuse = (reason: string): ChainResult => ({ ok: false, reason, path, certificates: [leaf] });
    let current = leaf;
    const candidates = [...this.anchors, ...presented.filter((c) => c.ca)];
    for (let depth = 0; depth < 5; depth++) {
      const issuer = candidates.find((c) => !c.raw.equals(current.raw) && current.checkIssued(c) && current.verify(c.publicKey));
      if (!issuer) return refuse(`issuer ${rfc4514(current.issuer)} is not a trusted CA`);
      if (!issuer.ca) return refuse(`issuer ${rfc4514(issuer.subject)} is not a CA certificate`);
      // RFC 5280 §4.2.1.9: at most pathLenConstraint CA certificates below this one (the leaf not counted).
      const below = certificates.length - 1;
      const pathLength = pathLengthOf(issuer);
      if (pathLength !== undefined && below > pathLength) {
        return refuse(`${rfc4514(issuer.subject)} allows ${pathLength} intermediate CA(s) below it (pathLenConstraint), the path has ${below} (RFC 5280 §4.2.1.9)`);
      }
      path.push(rfc4514(issuer.subject));
      certificates.push(issuer);
      if (this.isAnchor(issuer)) return { ok: true, reason: `chains to trusted ${rfc4514(issuer.subject)}`, path, certificates };
      const caProblem = usageProblem(issuer, 'ca');
      if (caProblem) return refuse(caProblem);
      current = issuer;
    }
    return refuse('certificate chain too long');
  }

  isRevoked(cert: X509Certificate): boolean {
    return this.crls.get(cert.issuer)?.revoked.has(cert.serialNumber.toUpperCase()) ?? false;
  }

  /** What the issuer's CRL says about `cert` at `now` (seconds): listed, good while fresh, else unknown. */
  revocationStatus(cert: X509Certificate, now: number): RevocationStatus {
    const who = `${rfc4514(cert.subject) || 'the certificate'} (serial ${cert.serialNumber})`;
    const crl = this.crls.get(cert.issuer);
    if (!crl) return { status: 'unknown', reason: `no CRL from ${rfc4514(cert.issuer)} for ${who}` };
    if (crl.revoked.has(cert.serialNumber.toUpperCase())) return { status: 'revoked', reason: `${who} is listed in its issuer's CRL` };
    if (crl.nextUpdate !== undefined && now > crl.nextUpdate) {
      return { status: 'unknown', reason: `the CRL of ${rfc4514(cert.issuer)} is stale (nextUpdate ${new Date(crl.nextUpdate * 1000).toISOString()} has passed)` };
    }
    return { status: 'good', reason: `${who} is not listed in its issuer's CRL` };
  }
}
