// Small X.509 helpers over @peculiar/x509 (generation) and node:crypto (inspection):
// keys, PEM, RFC 4514 names, and the RFC 8705 §3.1 thumbprint.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate, createHash, webcrypto } from 'node:crypto';
import type { CertSummary } from '../../lib/trace/decision.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };

export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function generateEcKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return toPem(der, 'PRIVATE KEY');
}

export function toPem(der: Buffer | ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** base64url(SHA-256(DER)): the x5t#S256 confirmation value of RFC 8705 §3.1. */
export function thumbprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

/**
 * RFC 4514 string of a name as Node prints it (one RDN per line, most significant first):
 * reversed and comma-joined, e.g. "CN=tpp-alpha,O=Alpha Payments Ltd,C=GB".
 */
export function rfc4514(nodeName: string | undefined): string {
  // Node gives undefined for an empty name (a certificate may carry its identity in SANs only).
  return (nodeName ?? '').split('\n').filter(Boolean).reverse().join(',');
}

/** Canonical form for comparing distinguished names: trimmed, attribute types upper-cased. */
export function normalizeDn(dn: string): string {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      return eq < 0 ? rdn.trim() : `${rdn.slice(0, eq).trim().toUpperCase()}=${rdn.slice(eq + 1).trim()}`;
    })
    .join(',');
}

function subjectAltNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(', ').filter(Boolean);
}

/** The trace's view of a certificate (DER in, JSON-safe summary out). */
export function summarizeCert(cert: X509Certificate | Buffer): CertSummary {
  const c = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  return {
    subject: rfc4514(c.subject),
    issuer: rfc4514(c.issuer),
    serialNumber: c.serialNumber,
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    thumbprint: thumbprintOf(c.raw),
    subjectAltNames: subjectAltNames(c),
    selfSigned: c.subject === c.issuer && c.verify(c.publicKey),
  };
}

/** Splits a PEM bundle into its certificates. */
export function splitPemBundle(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block),
  );
}
