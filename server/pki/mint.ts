// Issues a certificate at run time with a chosen flaw (scenario step "mint", the UI's PKI page):
// from the sandbox issuing CA, the rogue CA, or self-signed. Keys stay in memory.
import { issueCertificate } from './generate.ts';
import { x509, privateKeyPem, summarizeCert } from './x509.ts';
import { webcrypto } from 'node:crypto';
import type { Pki } from './load.ts';
import type { CertSummary } from '../../lib/trace/decision.ts';

export type Flaw = 'none' | 'expired' | 'not-yet-valid' | 'self-signed' | 'untrusted-ca';

export interface MintRequest {
  name: string;
  /** RFC 4514 subject, e.g. "CN=tpp-alpha,O=Alpha Payments Ltd,C=GB". */
  subject: string;
  flaw: Flaw;
  dnsNames?: string[];
}

export interface MintedCert {
  name: string;
  chain: string;
  key: string;
  summary: CertSummary;
}

const HOUR = 3_600_000;
const WINDOWS: Record<Flaw, [number, number]> = {
  none: [-HOUR, 24 * HOUR],
  'self-signed': [-HOUR, 24 * HOUR],
  'untrusted-ca': [-HOUR, 24 * HOUR],
  expired: [-48 * HOUR, -24 * HOUR],
  'not-yet-valid': [24 * HOUR, 48 * HOUR],
};

type Ca = { cert: x509.X509Certificate; keys: CryptoKeyPair; pem: string };

/** A CA certificate and its EC P-256 private key (PKCS#8), PEM. */
export interface CaPem {
  cert: string;
  key: string;
}

/** Imported CAs, per PKI or per minter: importing keys is slow, minting is frequent. */
const cas = new WeakMap<object, Promise<{ issuing: Ca | null; rogue: Ca }>>();

async function importCa(pem: { cert: string; key: string }): Promise<Ca> {
  const cert = new x509.X509Certificate(pem.cert);
  const der = Buffer.from(pem.key.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const publicKey = await cert.publicKey.export(webcrypto as unknown as Crypto);
  return { cert, keys: { privateKey, publicKey }, pem: pem.cert };
}

/** RFC 4514 string (least significant first) → RDNs most significant first. */
export function parseDn(dn: string): [string, string][] {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      if (eq < 1) throw new Error(`"${rdn}" is not TYPE=value in subject "${dn}"`);
      return [rdn.slice(0, eq).trim().toUpperCase(), rdn.slice(eq + 1).trim()] as [string, string];
    })
    .reverse();
}

/** A throwaway CA nobody trusts (for untrusted-ca when no rogue CA is at hand). */
async function ephemeralCa(): Promise<Ca> {
  const now = Date.now();
  const issued = await issueCertificate({ subject: [['CN', 'fapi-sandbox ephemeral untrusted CA']], issuer: 'self', notBefore: new Date(now - HOUR), notAfter: new Date(now + 24 * HOUR), usage: 'ca' });
  return { cert: issued.cert, keys: issued.keys, pem: issued.cert.toString('pem') + '\n' };
}

function importedCas(owner: object, pems: { issuing: CaPem | null; rogue: CaPem | null }) {
  let pending = cas.get(owner);
  if (!pending) {
    pending = Promise.all([pems.issuing ? importCa(pems.issuing) : null, pems.rogue ? importCa(pems.rogue) : ephemeralCa()]).then(([issuing, rogue]) => ({ issuing, rogue }));
    cas.set(owner, pending);
  }
  return pending;
}

/** Mints from the sandbox PKI: its issuing CA, its rogue CA, or self-signed. */
export function mintCertificate(pki: Pki, req: MintRequest): Promise<MintedCert> {
  return mintWith(importedCas(pki, { issuing: pki.issuingCa, rogue: pki.rogueCa }), req);
}

/**
 * A minter for another PKI (an external target's): `issuing` signs the trusted flaws (none, expired,
 * not-yet-valid; null: those throw), untrusted-ca uses `rogue` or a throwaway CA, self-signed needs none.
 */
export function minter(pems: { issuing: CaPem | null; rogue: CaPem | null }): (req: MintRequest) => Promise<MintedCert> {
  const owner = {};
  return (req) => mintWith(importedCas(owner, pems), req);
}

async function mintWith(pending: ReturnType<typeof importedCas>, req: MintRequest): Promise<MintedCert> {
  const { issuing, rogue } = await pending;
  const ca = req.flaw === 'self-signed' ? null : req.flaw === 'untrusted-ca' ? rogue : issuing;
  if (!ca && req.flaw !== 'self-signed') throw new Error(`no issuing CA key to mint a "${req.flaw}" certificate with (certificateAuthority in the target file)`);
  const now = Date.now();
  const [from, to] = WINDOWS[req.flaw];
  const issued = await issueCertificate({
    subject: parseDn(req.subject),
    issuer: ca ?? 'self',
    notBefore: new Date(now + from),
    notAfter: new Date(now + to),
    usage: 'client',
    ...(req.dnsNames ? { dnsNames: req.dnsNames } : {}),
  });
  const pem = issued.cert.toString('pem') + '\n';
  return {
    name: req.name,
    chain: pem + (ca ? ca.pem : ''),
    key: await privateKeyPem(issued.keys.privateKey),
    summary: summarizeCert(Buffer.from(issued.cert.rawData)),
  };
}
