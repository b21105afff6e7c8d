// One test per bug the fuzz suite found (test/fuzz), each with the input that exposed it and the
// genuine counterpart that still passes: malleable signatures, scheme / binding mismatch, htu userinfo,
// repeated Host and HTTP/0.9 request lines, client certificates with an empty subject (a 500) or with
// extensions that forbid TLS client use.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { startTestStack, idpToken, callGateway, failedCheck, decisionOf, thumbprint, type TestStack } from '../helpers/stack.ts';
import { rawExchange } from '../helpers/raw.ts';
import { OddCerts, UNKNOWN_OID, dn, type OddCert } from '../helpers/odd-certs.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { send, jsonBody } from '../../server/engine/http-client.ts';
import { isCanonicalCompact } from '../../server/gateway/jose-util.ts';
import { usageProblem } from '../../server/gateway/trust.ts';
import { x509, thumbprintOf } from '../../server/pki/x509.ts';

const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
let t: TestStack;
let key: DpopKey;
let certs: OddCerts;
before(async () => {
  t = await startTestStack('fuzz-regressions');
  key = await generateDpopKey('regressions');
  certs = await OddCerts.create(t.stack.pki);
});
after(() => t.stop());

/** The same bytes spelled differently: the last character's unused low bits flipped. */
function otherSpelling(segment: string): string {
  const last = B64URL.indexOf(segment.at(-1)!);
  return segment.slice(0, -1) + B64URL[last ^ 1];
}

test('canonical base64url: padding, foreign characters and non-zero unused bits are refused', () => {
  assert.ok(isCanonicalCompact(['eyJhIjoxfQ', 'e30', '']));
  assert.ok(!isCanonicalCompact(['eyJhIjoxfQ==']));
  assert.ok(!isCanonicalCompact(['e31']), 'unused bits set');
  assert.ok(!isCanonicalCompact(['a+b/']));
  assert.ok(!isCanonicalCompact(['abcde']), 'a length no encoder produces');
  assert.equal(Buffer.from('e31', 'base64url').toString(), Buffer.from('e30', 'base64url').toString(), 'decoders do not tell them apart');
});

test('an access token whose signature is spelled another way (padding, unused bits) is refused', async () => {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const [h, p, s] = token.split('.') as [string, string, string];
  assert.equal((await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token })).response?.status, 200);
  for (const spelled of [`${h}.${p}.${s}==`, `${h}.${p}.${otherSpelling(s)}`]) {
    const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token: spelled });
    assert.equal(ex.response?.status, 401);
    assert.equal(failedCheck(t.stack, ex), 'token.signature');
  }
});

test('a DPoP proof whose signature is spelled another way is refused by dpop.well-formed', async () => {
  const token = await idpToken(t.stack, { client_id: 'tpp-dpop', cnf: { jkt: key.jkt } });
  const proof = (await buildProof(key, { method: 'GET', url: t.stack.urls.gateway + ACCOUNTS, accessToken: token, now: Date.now() / 1000 })).jwt;
  const [h, p, s] = proof.split('.') as [string, string, string];
  const ex = await callGateway(t.stack, ACCOUNTS, { token, scheme: 'DPoP', headers: { dpop: `${h}.${p}.${otherSpelling(s)}` } });
  assert.equal(ex.response?.status, 401);
  assert.equal(failedCheck(t.stack, ex), 'dpop.well-formed');
  assert.equal((await callGateway(t.stack, ACCOUNTS, { token, scheme: 'DPoP', headers: { dpop: proof } })).response?.status, 200);
});

test('a certificate-bound token sent with the DPoP scheme is refused (it travels as Bearer)', async () => {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  for (const path of [ACCOUNTS, `/mtls${ACCOUNTS}`]) {
    const ex = await callGateway(t.stack, path, { cert: 'tpp-alpha', token, scheme: 'DPoP' });
    assert.equal(ex.response?.status, 401, path);
    assert.equal(failedCheck(t.stack, ex), 'token.sender-constrained', path);
    assert.equal((await callGateway(t.stack, path, { cert: 'tpp-alpha', token, scheme: 'Bearer' })).response?.status, 200, path);
  }
});

test('a DPoP proof whose htu carries userinfo is refused', async () => {
  const token = await idpToken(t.stack, { client_id: 'tpp-dpop', cnf: { jkt: key.jkt } });
  const url = t.stack.urls.gateway + ACCOUNTS;
  const proof = await buildProof(key, { method: 'GET', url, accessToken: token, now: Date.now() / 1000 }, { htu: url.replace('https://', 'https://attacker@') });
  const ex = await callGateway(t.stack, ACCOUNTS, { token, scheme: 'DPoP', headers: { dpop: proof.jwt } });
  assert.equal(ex.response?.status, 401);
  assert.equal(failedCheck(t.stack, ex), 'dpop.htu');
  assert.match(decisionOf(t.stack, ex).checks.find((c) => c.id === 'dpop.htu')!.reason, /without userinfo/);
});

test('two Host headers and an HTTP/0.9-style request line are 400, not served', async () => {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const alpha = t.stack.pki.cert('tpp-alpha');
  const tlsOpts = { ca: t.stack.pki.rootCa, cert: alpha.chain, key: alpha.key };
  const port = Number(new URL(t.stack.urls.gateway).port);
  const auth = `Authorization: Bearer ${token}`;
  const twoHosts = await rawExchange({ port, tls: tlsOpts, timeoutMs: 15_000, chunks: [`GET ${ACCOUNTS} HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n${auth}\r\nConnection: close\r\n\r\n`] });
  assert.equal(twoHosts.status, 400, twoHosts.text.slice(0, 200));
  assert.match(twoHosts.text, /more than one Host header/);
  const http09 = await rawExchange({ port, tls: tlsOpts, timeoutMs: 15_000, chunks: [`GET ${ACCOUNTS}\r\nX-Injected: 1 HTTP/1.1\r\nHost: localhost\r\n${auth}\r\nConnection: close\r\n\r\n`] });
  assert.notEqual(http09.status, 200, http09.text.slice(0, 200));
  assert.ok(http09.status === 400 || http09.status === null);
  const one = await rawExchange({ port, tls: tlsOpts, timeoutMs: 15_000, chunks: [`GET ${ACCOUNTS} HTTP/1.1\r\nHost: localhost\r\n${auth}\r\nConnection: close\r\n\r\n`] });
  assert.equal(one.status, 200);
});

async function atGateway(cert: OddCert) {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprintOf(new X509Certificate(cert.chain).raw) } });
  return send({ method: 'GET', url: t.stack.urls.gateway + ACCOUNTS, headers: { authorization: `Bearer ${token}` }, ca: t.stack.pki.rootCa, cert: { name: 'odd', chain: cert.chain, key: cert.key, summary: null as never } });
}

async function atTokenEndpoint(cert: OddCert) {
  return send({
    method: 'POST', url: t.stack.idp.endpoints.token, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=tpp-alpha&scope=accounts', ca: t.stack.pki.rootCa, cert: { name: 'odd', chain: cert.chain, key: cert.key, summary: null as never },
  });
}

test('a client certificate with an empty subject no longer crashes the gateway or the token endpoint (it was a 500)', async () => {
  const empty = await certs.issue({ subject: dn([]), dnsNames: ['tpp-alpha.example'] });
  const gw = await atGateway(empty);
  assert.equal(gw.response?.status, 200, 'a trusted, bound certificate: its subject is not what the gateway checks');
  assert.equal(decisionOf(t.stack, gw).tls?.peerCertificate?.subject, '');
  const idp = await atTokenEndpoint(empty);
  assert.equal(idp.response?.status, 401, idp.response?.body);
  assert.equal(jsonBody(idp)?.error, 'invalid_client');
});

test('certificates that may not authenticate a TLS client are refused by tls.client-cert-chain, and by the IdP', async () => {
  const cases: [string, OddCert, RegExp][] = [
    ['an unknown critical extension', await certs.issue({ extensions: [new x509.Extension(UNKNOWN_OID, true, new Uint8Array([0x05, 0x00]))] }), /unrecognised critical extension 1\.3\.6\.1\.4\.1\.55555\.1\.1/],
    ['EKU serverAuth only', await certs.issue({ extKeyUsage: [x509.ExtendedKeyUsage.serverAuth] }), /does not include clientAuth/],
    ['key usage without digitalSignature', await certs.issue({ keyUsage: x509.KeyUsageFlags.keyCertSign }), /does not include digitalSignature/],
  ];
  for (const [label, cert, reason] of cases) {
    const gw = await atGateway(cert);
    assert.equal(gw.response?.status, 401, label);
    assert.equal(failedCheck(t.stack, gw), 'tls.client-cert-chain', label);
    assert.match(decisionOf(t.stack, gw).checks.find((c) => c.id === 'tls.client-cert-chain')!.reason, reason, label);
    assert.equal((await atTokenEndpoint(cert)).response?.status, 401, label);
  }
  // The same profile without the oddity passes both.
  const fine = await certs.issue({ extensions: [new x509.Extension(UNKNOWN_OID, false, new Uint8Array([0x05, 0x00]))] });
  assert.equal((await atGateway(fine)).response?.status, 200);
  assert.equal((await atTokenEndpoint(fine)).response?.status, 200);
  assert.equal(usageProblem(new X509Certificate(fine.chain), 'leaf'), null);
});
