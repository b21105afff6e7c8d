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
const cas = new WeakMap<Pki, Promise<{ issuing: Ca; rogue: Ca }>>();

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

export async function mintCertificate(pki: Pki, req: MintRequest): Promise<MintedCert> {
  let pending = cas.get(pki);
  if (!pending) {
    pending = Promise.all([importCa(pki.issuingCa), importCa(pki.rogueCa)]).then(([issuing, rogue]) => ({ issuing, rogue }));
    cas.set(pki, pending);
  }
  const { issuing, rogue } = await pending;
  const ca = req.flaw === 'self-signed' ? null : req.flaw === 'untrusted-ca' ? rogue : issuing;
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
