// The generated sandbox PKI against its plan (server/pki/plan.ts), checked with node:crypto and the
// openssl command line rather than with the generator's own code: index.json fields, chains root →
// issuing → leaf, server SANs, P-256 keys, validity per role, the CRL (RFC 5280 §5) and Node's TLS
// refusing the revoked certificate, x5t#S256 thumbprints (RFC 8705 §3.1), regeneration rules.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { x509 } from '../../server/pki/x509.ts';
import { loadPki, regeneratePki, type Pki } from '../../server/pki/load.ts';
import { CLIENT_CERTS, CLIENT_KEYS, SIGNING_CERTS } from '../../server/pki/plan.ts';
import type { IndexedCert, PkiIndex } from '../../server/pki/types.ts';
import { tempDataDir } from '../helpers/paths.ts';

const tmp = tempDataDir('pki');
let index: PkiIndex;
let pki: Pki;
const file = (rel: string) => path.join(tmp.dir, rel);
const cert = (name: string) => new X509Certificate(readFileSync(file(entry(name).files.cert)));
const entry = (name: string): IndexedCert => {
  const found = index.certificates.find((c) => c.name === name);
  assert.ok(found, `index.json lists ${name}`);
  return found;
};
const openssl = (args: string[], input?: string) => spawnSync('openssl', args, { encoding: 'utf8', ...(input ? { input } : {}) });

before(async () => {
  writeFileSync(path.join(tmp.dir, 'README.md'), 'kept\n');
  index = await regeneratePki(tmp.dir);
  pki = await loadPki(tmp.dir);
});
after(() => tmp.remove());

test('index.json lists every certificate of the plan with its role, client, files, subject, issuer, serial, validity and thumbprint', () => {
  const onDisk = JSON.parse(readFileSync(file('index.json'), 'utf8')) as PkiIndex;
  assert.deepEqual(onDisk, index);
  assert.deepEqual(index.certificates.map((c) => c.name), ['root-ca', 'issuing-ca', 'rogue-ca', 'server', ...CLIENT_CERTS.map((p) => p.name), ...SIGNING_CERTS.map((p) => p.name)]);
  for (const plan of CLIENT_CERTS) {
    const e = entry(plan.name);
    assert.equal(e.role, plan.role, plan.name);
    assert.equal(e.clientId, plan.clientId, plan.name);
    assert.equal(e.revoked, !!plan.revoked, plan.name);
    assert.equal(e.trusted, plan.issuer === 'issuing-ca', plan.name);
  }
  for (const e of index.certificates) {
    const c = new X509Certificate(readFileSync(file(e.files.cert)));
    assert.ok(existsSync(file(e.files.key)), `${e.name} key`);
    assert.equal(e.serialNumber, c.serialNumber, e.name);
    assert.equal(e.notBefore, new Date(c.validFrom).toISOString(), e.name);
    assert.equal(e.notAfter, new Date(c.validTo).toISOString(), e.name);
    assert.equal(e.subject, c.subject.split('\n').reverse().join(','), e.name);
    assert.equal(e.issuer, c.issuer.split('\n').reverse().join(','), e.name);
    assert.match(e.thumbprint, /^[A-Za-z0-9_-]{43}$/, e.name);
    assert.ok(e.description.length > 10, e.name);
  }
  const roles = Object.fromEntries(index.certificates.map((c) => [c.name, c.role]));
  assert.deepEqual(
    [roles['root-ca'], roles['issuing-ca'], roles['rogue-ca'], roles.server, roles.mallory, roles['alpha-expired'], roles['alpha-not-yet-valid'], roles['alpha-revoked'], roles['rogue-alpha'], roles['tpp-selfsigned']],
    ['root-ca', 'issuing-ca', 'rogue-ca', 'server', 'attacker', 'expired', 'not-yet-valid', 'revoked', 'untrusted', 'self-signed'],
  );
  assert.equal(entry('mallory').clientId, 'mallory-app', 'the attacker is a registered client of her own');
  assert.equal(new Set(index.certificates.filter((c) => c.role === 'client').map((c) => c.clientId)).size, 3, 'two TPPs + the DPoP wallet');
});

test('x5t#S256 in index.json equals openssl\'s SHA-256 fingerprint of the DER, base64url (RFC 8705 §3.1)', () => {
  for (const e of index.certificates) {
    const out = openssl(['x509', '-in', file(e.files.cert), '-noout', '-fingerprint', '-sha256']);
    assert.equal(out.status, 0, out.stderr);
    const hex = out.stdout.trim().split('=')[1]!.replace(/:/g, '');
    assert.equal(Buffer.from(hex, 'hex').toString('base64url'), e.thumbprint, e.name);
  }
});

test('chains: root (self-signed CA) → issuing CA → server and legitimate clients; the rogue CA issues rogue-alpha; tpp-selfsigned is its own issuer', () => {
  const root = cert('root-ca');
  const issuing = cert('issuing-ca');
  const rogue = cert('rogue-ca');
  assert.equal(root.ca, true);
  assert.equal(issuing.ca, true);
  assert.ok(root.verify(root.publicKey) && root.checkIssued(root));
  assert.ok(issuing.verify(root.publicKey) && issuing.checkIssued(root));
  for (const e of index.certificates.filter((c) => !c.role.endsWith('-ca'))) {
    const leaf = cert(e.name);
    assert.equal(leaf.ca, false, e.name);
    const issuer = e.name === 'rogue-alpha' ? rogue : e.name === 'tpp-selfsigned' ? leaf : issuing;
    assert.ok(leaf.verify(issuer.publicKey), `${e.name} is signed by ${issuer.subject.split('\n').pop()}`);
    if (e.trusted) {
      assert.equal(e.issuer, entry('issuing-ca').subject, e.name);
      const chain = readFileSync(file(e.files.chain!), 'utf8');
      assert.equal(chain, readFileSync(file(e.files.cert), 'utf8') + readFileSync(file(entry('issuing-ca').files.cert), 'utf8'), `${e.name}: chain = leaf + issuing CA`);
    }
  }
  assert.equal(entry('tpp-selfsigned').files.chain, null);
  assert.equal(entry('tpp-selfsigned').subject, entry('tpp-selfsigned').issuer);
  assert.equal(entry('rogue-alpha').subject, entry('tpp-alpha').subject, 'the rogue certificate copies Alpha\'s subject');
  assert.notEqual(entry('rogue-alpha').issuer, entry('tpp-alpha').issuer);

  // openssl agrees (no CRL check here: the chain alone).
  const verifyWith = (name: string) => openssl(['verify', '-CAfile', file('ca/root-ca.pem'), '-untrusted', file('ca/issuing-ca.pem'), '-purpose', name === 'server' ? 'sslserver' : 'sslclient', file(entry(name).files.cert)]);
  for (const name of ['server', 'tpp-alpha', 'tpp-beta', 'tpp-gamma', 'mallory', 'fapi-gateway', 'alpha-revoked']) {
    const r = verifyWith(name);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  }
  for (const name of ['rogue-alpha', 'tpp-selfsigned', 'alpha-expired', 'alpha-not-yet-valid']) assert.notEqual(verifyWith(name).status, 0, name);
});

test('message-signing certificates (OBIE detached JWS): issued by the issuing CA, digitalSignature + nonRepudiation, no TLS usage', () => {
  for (const plan of SIGNING_CERTS) {
    const e = entry(plan.name);
    assert.deepEqual([e.role, e.clientId, e.trusted], ['signing', plan.clientId, true], plan.name);
    const c = new x509.X509Certificate(readFileSync(file(e.files.cert)));
    const usage = c.getExtension(x509.KeyUsagesExtension)!;
    assert.equal(usage.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, plan.name);
    assert.equal(c.getExtension(x509.ExtendedKeyUsageExtension), null, `${plan.name} is not a TLS certificate`);
    assert.ok(cert(plan.name).checkIssued(cert('issuing-ca')), plan.name);
  }
});

test('the server certificate covers localhost, 127.0.0.1 and ::1 for serverAuth; client certificates are for clientAuth', () => {
  const server = cert('server');
  assert.equal(server.checkHost('localhost'), 'localhost');
  assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(server.checkIP('::1'), '::1');
  assert.equal(server.checkHost('example.com'), undefined);
  assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.deepEqual(entry('server').subjectAltNames, ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']);
  for (const plan of CLIENT_CERTS) assert.deepEqual(cert(plan.name).keyUsage, ['1.3.6.1.5.5.7.3.2'], plan.name);
  assert.deepEqual(entry('tpp-beta').subjectAltNames, ['DNS:tpp-beta.example']);
});

test('every key is ECDSA P-256, and each private key file belongs to its certificate', () => {
  for (const e of index.certificates) {
    const c = cert(e.name);
    assert.equal(c.publicKey.asymmetricKeyType, 'ec', e.name);
    assert.equal(c.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1', e.name);
    const key = createPrivateKey(readFileSync(file(e.files.key)));
    const sig = sign('sha256', Buffer.from(e.name), key);
    assert.ok(verify('sha256', Buffer.from(e.name), c.publicKey, sig), `${e.name}: key matches certificate`);
    assert.equal(statSync(file(e.files.key)).mode & 0o777, 0o600, `${e.name}: key is private to its owner`);
  }
});

test('validity fits each role: valid ones now, expired in the past, not-yet-valid in the future', () => {
  const now = Date.now();
  for (const e of index.certificates) {
    const from = Date.parse(e.notBefore);
    const to = Date.parse(e.notAfter);
    if (e.role === 'expired') assert.ok(to < now, e.name);
    else if (e.role === 'not-yet-valid') assert.ok(from > now, e.name);
    else assert.ok(from <= now && now < to, e.name);
  }
  assert.ok(Date.parse(entry('root-ca').notAfter) > Date.parse(entry('issuing-ca').notAfter), 'the root outlives the intermediate');
  assert.ok(Date.parse(entry('issuing-ca').notAfter) > Date.parse(entry('tpp-alpha').notAfter), 'the intermediate outlives its leaves');
});

test('the CRLs: the issuing CA\'s lists exactly the revoked serial and is signed by it; the root\'s is empty', async () => {
  const pems = readFileSync(file(index.trust.crl), 'utf8').match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g)!;
  assert.equal(pems.length, 2, 'OpenSSL reads the "X509 CRL" label; one CRL per CA (Node enables CRL_CHECK_ALL)');
  const [rootCrl, issuingCrl] = pems.map((p) => new x509.X509Crl(p));
  const revoked = entry('alpha-revoked').serialNumber.toLowerCase();
  assert.deepEqual(index.trust.revokedSerials, [revoked]);
  assert.deepEqual(issuingCrl!.entries.map((x) => x.serialNumber.toLowerCase()), [revoked]);
  assert.deepEqual(rootCrl!.entries, []);
  assert.equal(issuingCrl!.issuer, new x509.X509Certificate(readFileSync(file('ca/issuing-ca.pem'), 'utf8')).subject);
  assert.ok(await issuingCrl!.verify({ publicKey: new x509.X509Certificate(readFileSync(file('ca/issuing-ca.pem'), 'utf8')) }));
  assert.ok(await rootCrl!.verify({ publicKey: new x509.X509Certificate(readFileSync(file('ca/root-ca.pem'), 'utf8')) }));
  assert.equal(index.trust.crlNextUpdate, issuingCrl!.nextUpdate!.toISOString());
  const text = openssl(['crl', '-noout', '-text'], pems[1]!);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`Serial Number: ${revoked.toUpperCase()}`));
});

test('Node\'s TLS with the crl option refuses the revoked certificate and accepts a good one', async () => {
  const server = tls.createServer({ key: pki.server.key, cert: pki.server.chain, ca: pki.caBundle, crl: pki.crls, requestCert: true, rejectUnauthorized: false }, (s) => {
    s.end(`${s.authorized ? 'authorized' : String(s.authorizationError)}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const verdict = (name: string) => new Promise<string>((resolve, reject) => {
    const m = pki.cert(name);
    const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: pki.rootCa, cert: m.chain, key: m.key }, () => undefined);
    let out = '';
    s.setEncoding('utf8').on('data', (d: string) => (out += d)).on('end', () => resolve(out.trim())).on('error', reject);
  });
  try {
    assert.equal(await verdict('tpp-alpha'), 'authorized');
    assert.equal(await verdict('alpha-revoked'), 'CERT_REVOKED');
    assert.equal(await verdict('alpha-expired'), 'CERT_HAS_EXPIRED');
  } finally {
    server.close();
  }
});

test('private_key_jwt client keys and the IdP signing keys: ES256 client keys with RFC 7638 kids, PS256 (2048) + ES256 for the IdP, stable secrets', async () => {
  assert.deepEqual(index.keys.map((k) => k.clientId), [...CLIENT_KEYS]);
  for (const k of index.keys) {
    const jwk = JSON.parse(readFileSync(file(k.file), 'utf8')) as JWK;
    assert.equal(jwk.crv, 'P-256');
    assert.equal(k.kid, await calculateJwkThumbprint(jwk));
    assert.equal(jwk.kid, k.kid);
  }
  const jwks = JSON.parse(readFileSync(file(index.idpJwks), 'utf8')) as { keys: JWK[] };
  assert.deepEqual(jwks.keys.map((k) => k.alg), ['PS256', 'ES256']);
  const rsa = createPublicKey({ key: jwks.keys[0] as import('node:crypto').JsonWebKey, format: 'jwk' });
  assert.equal(rsa.asymmetricKeyDetails?.modulusLength, 2048);
  const secrets = JSON.parse(readFileSync(file(index.secrets), 'utf8')) as Record<string, unknown>;
  assert.equal((secrets.cookieKeys as string[]).length, 2);
  assert.equal(Buffer.from(String(secrets.idpDpopNonceSecret), 'base64url').length, 32);
  assert.equal(statSync(file(index.secrets)).mode & 0o777, 0o600);
});

test('loadPki keeps a fitting PKI, regenerates one whose certificate no longer fits its role, and keeps README.md', async () => {
  const again = await loadPki(tmp.dir);
  assert.equal(again.index.generatedAt, index.generatedAt, 'nothing regenerated');
  const tampered = structuredClone(index);
  tampered.certificates.find((c) => c.name === 'alpha-not-yet-valid')!.notBefore = new Date(Date.now() - 1000).toISOString();
  writeFileSync(file('index.json'), JSON.stringify(tampered));
  const logs: string[] = [];
  const fresh = await loadPki(tmp.dir, (m) => logs.push(m));
  assert.notEqual(fresh.index.generatedAt, index.generatedAt);
  assert.match(logs.join('\n'), /alpha-not-yet-valid no longer fits its role/);
  assert.notEqual(fresh.index.certificates[0]!.thumbprint, index.certificates[0]!.thumbprint, 'a new root');
  assert.equal(readFileSync(file('README.md'), 'utf8'), 'kept\n');
  index = fresh.index;
  pki = fresh;
  // A certs/ from before a certificate joined the plan (here: the signing certificates) is regenerated.
  const older = structuredClone(index);
  older.certificates = older.certificates.filter((c) => c.role !== 'signing');
  writeFileSync(file('index.json'), JSON.stringify(older));
  const upgraded: string[] = [];
  const withSigning = await loadPki(tmp.dir, (m) => upgraded.push(m));
  assert.match(upgraded.join('\n'), /tpp-alpha-signing \(certificate plan\) is not in index.json/);
  assert.ok(withSigning.cert('bank-signing').entry.thumbprint);
  index = withSigning.index;
  pki = withSigning;
});

test('two loaders racing on an empty certs directory generate it once (a lock file, as two processes would)', async () => {
  const empty = tempDataDir('pki-race');
  try {
    const [a, b] = await Promise.all([loadPki(empty.dir), loadPki(empty.dir)]);
    assert.equal(a.index.generatedAt, b.index.generatedAt);
    assert.equal(a.cert('tpp-alpha').entry.thumbprint, b.cert('tpp-alpha').entry.thumbprint);
    assert.equal(existsSync(path.join(empty.dir, '.lock')), false);
  } finally {
    empty.remove();
  }
});
