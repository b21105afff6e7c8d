// Generates the sandbox PKI into certs/: root and issuing CA, a rogue CA, the server certificate,
// the client certificates of plan.ts, CRLs, private_key_jwt client keys and the IdP signing keys,
// and certs/index.json describing all of it. `npm run certs` regenerates.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { x509, EC_P256, generateEcKeys, privateKeyPem, summarizeCert, toPem } from './x509.ts';
import { CLIENT_CERTS, CLIENT_KEYS, SIGNING_CERTS, VALIDITY_DAYS, type CertRole, type LeafPlan, type Validity } from './plan.ts';
import type { PkiIndex, IndexedCert } from './types.ts';

const DAY = 86_400_000;

interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function name(rdns: [string, string][]): x509.Name {
  return new x509.Name(rdns.map(([type, value]) => ({ [type]: [value] })));
}

function window(validity: Validity, now: number): { notBefore: Date; notAfter: Date } {
  const days = VALIDITY_DAYS[validity];
  return { notBefore: new Date(now + days.from * DAY), notAfter: new Date(now + days.to * DAY) };
}

/**
 * What the sandbox root may vouch for (RFC 5280 §4.2.1.10): the loopback names and addresses, and the
 * reserved .example names (RFC 2606) of its client certificates. A browser or OS that trusts the root
 * then trusts nothing it issues for a real domain.
 */
export const PERMITTED_NAMES = { dns: ['localhost', '.localhost', 'example'], ip: ['127.0.0.1/32', '::1/128'] } as const;

function nameConstraints(): x509.Extension {
  const subtree = (base: GeneralName) => new GeneralSubtree({ base });
  const permitted = new GeneralSubtrees([
    ...PERMITTED_NAMES.dns.map((dNSName) => subtree(new GeneralName({ dNSName }))),
    ...PERMITTED_NAMES.ip.map((iPAddress) => subtree(new GeneralName({ iPAddress }))),
  ]);
  // Critical, as RFC 5280 §4.2.1.10 asks of conforming CAs.
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(new NameConstraints({ permittedSubtrees: permitted })));
}

async function selfSignedCa(rdns: [string, string][], now: number, constrained = false): Promise<Issued> {
  const keys = await generateEcKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: name(rdns),
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 10 * 365 * DAY),
    signingAlgorithm: EC_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ...(constrained ? [nameConstraints()] : []),
    ],
  });
  return { cert, keys };
}

interface LeafRequest {
  subject: [string, string][];
  issuer: Issued | 'self';
  notBefore: Date;
  notAfter: Date;
  usage: 'client' | 'server' | 'ca' | 'signing';
  dnsNames?: string[];
  ipAddresses?: string[];
}

/** Issues one certificate (also used at run time by mint.ts). */
export async function issueCertificate(req: LeafRequest): Promise<Issued> {
  const keys = await generateEcKeys();
  const san = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(req.usage === 'ca', req.usage === 'ca' ? 0 : undefined, true),
    new x509.KeyUsagesExtension(
      req.usage === 'ca' ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
        : req.usage === 'signing' ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation : x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (req.usage === 'client' || req.usage === 'server') {
    extensions.push(new x509.ExtendedKeyUsageExtension([req.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]));
  }
  if (san.length) extensions.push(new x509.SubjectAlternativeNameExtension(san));
  if (req.issuer === 'self') {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(), name: name(req.subject), notBefore: req.notBefore, notAfter: req.notAfter,
      signingAlgorithm: EC_P256, keys, extensions,
    });
    return { cert, keys };
  }
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(req.issuer.cert));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: name(req.subject),
    issuer: req.issuer.cert.subjectName,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    signingAlgorithm: EC_P256,
    publicKey: keys.publicKey,
    signingKey: req.issuer.keys.privateKey,
    extensions,
  });
  return { cert, keys };
}

async function crl(issuer: Issued, revoked: x509.X509Certificate[], now: number): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: issuer.cert.subjectName,
    thisUpdate: new Date(now - DAY),
    nextUpdate: new Date(now + 365 * DAY),
    entries: revoked.map((cert) => ({ serialNumber: cert.serialNumber, revocationDate: new Date(now - DAY), reason: x509.X509CrlReason.keyCompromise })),
    signingAlgorithm: EC_P256,
    signingKey: issuer.keys.privateKey,
    // RFC 5280 §5.2: conforming CRLs carry the issuer's key identifier and a CRL number.
    extensions: [
      await x509.AuthorityKeyIdentifierExtension.create(issuer.cert),
      new x509.Extension('2.5.29.20', false, new Uint8Array([0x02, 0x01, 0x01])),
    ],
  });
}

class Writer {
  readonly entries: IndexedCert[] = [];
  constructor(private readonly dir: string) {}

  file(rel: string, content: string): string {
    const full = path.join(this.dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content, { mode: /key|jwk|jwks|secrets/.test(rel) ? 0o600 : 0o644 });
    return rel;
  }

  async cert(entry: { name: string; role: CertRole; description: string; clientId: string | null; trusted: boolean; revoked: boolean },
    issued: Issued, folder: string, chainWith: x509.X509Certificate[]): Promise<void> {
    const pem = issued.cert.toString('pem') + '\n';
    const files = {
      cert: this.file(`${folder}/${entry.name}.pem`, pem),
      key: this.file(`${folder}/${entry.name}.key.pem`, await privateKeyPem(issued.keys.privateKey)),
      chain: chainWith.length ? this.file(`${folder}/${entry.name}.chain.pem`, pem + chainWith.map((c) => c.toString('pem') + '\n').join('')) : null,
    };
    this.entries.push({ ...entry, files, ...summarizeCert(Buffer.from(issued.cert.rawData)) });
  }
}

/** Generates the whole PKI into `dir` (which must be empty or disposable) and returns the index. */
export async function generatePki(dir: string, now = Date.now()): Promise<PkiIndex> {
  const w = new Writer(dir);
  const root = await selfSignedCa([['C', 'GB'], ['O', 'FAPI Sandbox'], ['CN', 'FAPI Sandbox Root CA']], now, true);
  const issuing = await issueCertificate({
    subject: [['C', 'GB'], ['O', 'FAPI Sandbox'], ['CN', 'FAPI Sandbox Issuing CA']], issuer: root,
    notBefore: new Date(now - DAY), notAfter: new Date(now + 9 * 365 * DAY), usage: 'ca',
  });
  const rogue = await selfSignedCa([['C', 'GB'], ['O', 'Totally Legit Certificates'], ['CN', 'Rogue Root CA']], now);
  const server = await issueCertificate({
    subject: [['C', 'GB'], ['O', 'FAPI Sandbox'], ['CN', 'localhost']], issuer: issuing,
    ...window('valid', now), usage: 'server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'],
  });

  const ca = { clientId: null, revoked: false };
  await w.cert({ ...ca, name: 'root-ca', role: 'root-ca', trusted: true, description: 'Trust anchor for servers and clients (curl --cacert).' }, root, 'ca', []);
  await w.cert({ ...ca, name: 'issuing-ca', role: 'issuing-ca', trusted: true, description: 'Intermediate CA that issues the server and every legitimate client certificate.' }, issuing, 'ca', [root.cert]);
  await w.cert({ ...ca, name: 'rogue-ca', role: 'rogue-ca', trusted: false, description: 'A CA nobody here trusts.' }, rogue, 'ca', []);
  await w.cert({ ...ca, name: 'server', role: 'server', trusted: true, description: 'TLS server certificate for localhost, 127.0.0.1 and ::1 (IdP and gateway).' }, server, 'server', [issuing.cert]);

  const revoked: x509.X509Certificate[] = [];
  for (const plan of CLIENT_CERTS) {
    const issuer = plan.issuer === 'self' ? 'self' : plan.issuer === 'rogue-ca' ? rogue : issuing;
    const issued = await issueCertificate({ subject: plan.subject, issuer, ...window(plan.validity, now), usage: 'client', ...(plan.dnsNames ? { dnsNames: plan.dnsNames } : {}) });
    if (plan.revoked) revoked.push(issued.cert);
    const chain = issuer === 'self' ? [] : issuer === rogue ? [rogue.cert] : [issuing.cert];
    await w.cert(describe(plan), issued, 'clients', chain);
  }

  for (const plan of SIGNING_CERTS) {
    const issued = await issueCertificate({ subject: plan.subject, issuer: issuing, ...window('valid', now), usage: 'signing' });
    await w.cert({ name: plan.name, role: 'signing', description: plan.description, clientId: plan.clientId, trusted: true, revoked: false }, issued, 'signing', [issuing.cert]);
  }

  const rootCrl = await crl(root, [], now);
  const issuingCrl = await crl(issuing, revoked, now);
  const trust = {
    caBundle: w.file('ca/trust.pem', root.cert.toString('pem') + '\n' + issuing.cert.toString('pem') + '\n'),
    // OpenSSL reads only the "X509 CRL" PEM label (@peculiar/x509 writes "CRL").
    crl: w.file('ca/crl.pem', toPem(rootCrl.rawData, 'X509 CRL') + toPem(issuingCrl.rawData, 'X509 CRL')),
    crlNextUpdate: issuingCrl.nextUpdate?.toISOString() ?? null,
    revokedSerials: revoked.map((c) => c.serialNumber),
  };

  const keys = [];
  for (const clientId of CLIENT_KEYS) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig' };
    const kid = await calculateJwkThumbprint(jwk);
    keys.push({ clientId, kid, alg: 'ES256', file: w.file(`keys/${clientId}.private.jwk.json`, JSON.stringify({ ...jwk, kid }, null, 2) + '\n') });
  }

  const idpKeys = [];
  for (const alg of ['PS256', 'ES256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'PS256' ? { modulusLength: 2048 } : {}) });
    const jwk = { ...(await exportJWK(privateKey)), alg, use: 'sig' };
    idpKeys.push({ ...jwk, kid: await calculateJwkThumbprint(jwk) });
  }
  const idpJwks = w.file('idp/jwks.json', JSON.stringify({ keys: idpKeys }, null, 2) + '\n');
  const secret = () => randomBytes(32).toString('base64url');
  const secrets = w.file('idp/secrets.json', JSON.stringify({ cookieKeys: [secret(), secret()], idpDpopNonceSecret: secret(), gatewayDpopNonceSecret: secret() }, null, 2) + '\n');

  const index: PkiIndex = { version: 1, generatedAt: new Date(now).toISOString(), trust, idpJwks, secrets, certificates: w.entries, keys };
  w.file('index.json', JSON.stringify(index, null, 2) + '\n');
  return index;
}

function describe(plan: LeafPlan) {
  return { name: plan.name, role: plan.role, description: plan.description, clientId: plan.clientId, trusted: plan.issuer === 'issuing-ca', revoked: !!plan.revoked };
}
