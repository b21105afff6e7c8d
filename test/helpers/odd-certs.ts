// Client certificates with deliberate oddities for tests (RFC 5280 §4.1-4.2): any subject, issuer
// (the sandbox issuing CA, the rogue CA, self-signed, a forged issuer, a leaf), extensions, key and
// extended key usages, validity, serial, SANs and extra chain certificates. Keys stay in memory.
import { createPrivateKey, randomUUID, webcrypto } from 'node:crypto';
import type { Pki } from '../../server/pki/load.ts';
import { x509, EC_P256, generateEcKeys, privateKeyPem } from '../../server/pki/x509.ts';

export interface Signer {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export interface OddCert {
  /** Leaf PEM, then the issuer's, then any extra certificates. */
  chain: string;
  key: string;
}

export interface OddCertRequest {
  subject?: x509.Name;
  issuer?: Signer | 'issuing' | 'rogue' | 'self' | 'forged';
  extensions?: x509.Extension[];
  /** KeyUsageFlags (default digitalSignature), or null for none. */
  keyUsage?: number | null;
  /** Extended key usage OIDs (default clientAuth), or null for none. */
  extKeyUsage?: string[] | null;
  ca?: boolean;
  /** basicConstraints pathLenConstraint of a CA certificate (RFC 5280 §4.2.1.9). */
  pathLength?: number;
  notBefore?: Date;
  notAfter?: Date;
  serial?: string;
  dnsNames?: string[];
  extraChain?: string[];
  curve?: 'P-256' | 'P-384';
}

const DAY = 86_400_000;
export const UNKNOWN_OID = '1.3.6.1.4.1.55555.1.1';

async function importSigner(pem: { cert: string; key: string }): Promise<Signer> {
  const der = createPrivateKey(pem.key).export({ type: 'pkcs8', format: 'der' });
  return { cert: new x509.X509Certificate(pem.cert), key: await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']) };
}

/** An RDN sequence, most significant first: [{ C: ['GB'] }, { O: [...] }, { CN: [...] }]. */
export const dn = (rdns: Record<string, string[]>[]) => new x509.Name(rdns);

export class OddCerts {
  private constructor(readonly issuing: Signer, readonly rogue: Signer, private readonly pki: Pki) {}

  static async create(pki: Pki): Promise<OddCerts> {
    return new OddCerts(await importSigner(pki.issuingCa), await importSigner(pki.rogueCa), pki);
  }

  /** A client certificate of the sandbox (its leaf and key) as a signer: to issue from a leaf. */
  signerOf(name: string): Promise<Signer> {
    const m = this.pki.cert(name);
    return importSigner({ cert: m.cert, key: m.key });
  }

  /** A certificate issued here (a CA made with `ca: true`) as a signer: to issue below it. */
  signerFrom(odd: OddCert): Promise<Signer> {
    return importSigner({ cert: odd.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0], key: odd.key });
  }

  /** Alpha's subject, or Alpha's with another CN. */
  alphaName(cn = 'tpp-alpha'): x509.Name {
    const subject = new x509.X509Certificate(this.pki.cert('tpp-alpha').cert).subjectName;
    return cn === 'tpp-alpha' ? subject : dn([{ C: ['GB'] }, { O: ['Alpha Payments Ltd'] }, { OU: ['0015800001041REAAY'] }, { CN: [cn] }]);
  }

  async issue(req: OddCertRequest = {}): Promise<OddCert> {
    const keys = req.curve === 'P-384'
      ? ((await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as CryptoKeyPair)
      : await generateEcKeys();
    const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(req.ca ?? false, req.pathLength, true)];
    if (req.keyUsage !== null) extensions.push(new x509.KeyUsagesExtension(req.keyUsage ?? x509.KeyUsageFlags.digitalSignature, true));
    if (req.extKeyUsage !== null) extensions.push(new x509.ExtendedKeyUsageExtension(req.extKeyUsage ?? [x509.ExtendedKeyUsage.clientAuth]));
    if (req.dnsNames?.length) extensions.push(new x509.SubjectAlternativeNameExtension(req.dnsNames.map((value) => ({ type: 'dns' as const, value }))));
    extensions.push(...(req.extensions ?? []));
    const common = {
      serialNumber: req.serial ?? `1${randomUUID().replace(/-/g, '').slice(1)}`,
      notBefore: req.notBefore ?? new Date(Date.now() - DAY),
      notAfter: req.notAfter ?? new Date(Date.now() + DAY),
      signingAlgorithm: EC_P256,
      extensions,
    };
    const subject = req.subject ?? this.alphaName();
    let pem: string;
    if (req.issuer === 'self') {
      pem = (await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: subject, keys })).toString('pem');
    } else {
      const issuer = req.issuer ?? 'issuing';
      const signer = issuer === 'issuing' ? this.issuing : issuer === 'rogue' ? this.rogue
        : issuer === 'forged' ? { cert: this.issuing.cert, key: (await generateEcKeys()).privateKey } : issuer;
      const cert = await x509.X509CertificateGenerator.create({ ...common, subject, issuer: signer.cert.subjectName, publicKey: keys.publicKey, signingKey: signer.key });
      pem = `${cert.toString('pem')}\n${signer.cert.toString('pem')}`;
    }
    return { chain: `${pem}\n${(req.extraChain ?? []).join('')}`, key: await privateKeyPem(keys.privateKey) };
  }
}
