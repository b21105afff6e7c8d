// Fuzzing the IdP's token endpoint (mTLS alias, RFC 8705 §2, RFC 7523, RFC 9449 §5), request objects at
// PAR (RFC 9101), and the TLS layer
// of the gateway and the IdP with certificates minted for the purpose (odd and unknown critical
// extensions, wrong key usages, huge SANs, DN confusion, forged issuers). Every input: no 5xx, no hang,
// the stack keeps answering, and an identity that is not the client's is never given a token.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHmac, randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { startTestStack, idpToken, type TestStack } from '../helpers/stack.ts';
import { buildClientAssertion } from '../../server/engine/crypto/client-assertion.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { buildRequestObject, type RequestObjectKey } from '../../server/engine/crypto/request-object.ts';
import { x509, EC_P256, thumbprintOf } from '../../server/pki/x509.ts';
import { OddCerts, UNKNOWN_OID, dn, type OddCert, type OddCertRequest } from '../helpers/odd-certs.ts';
import { FUZZ_LIMITS, Fuzzer, Rng, mutate, b64json, latin1, type FuzzInput, type Oracle } from './harness.ts';

const SEED = 0x5eed_7007;
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let t: TestStack;
let fuzz: Fuzzer;
let rng: Rng;
let gammaKey: DpopKey;

before(async () => {
  t = await startTestStack('fuzz-token', { limits: FUZZ_LIMITS });
  rng = new Rng(SEED);
  fuzz = new Fuzzer(t.stack, 8);
  gammaKey = await generateDpopKey('fuzz-gamma');
  fuzz.captureErrors();
});
after(async () => {
  fuzz.close();
  await t.stop();
});

const tokenPath = () => new URL(t.stack.idp.endpoints.token).pathname;

/** Which client a certificate authenticates (tls_client_auth / self_signed_tls_client_auth). */
const CERT_OWNER: Record<string, string> = { 'tpp-alpha': 'tpp-alpha', 'tpp-beta': 'tpp-beta', mallory: 'mallory-app', 'tpp-selfsigned': 'tpp-selfsigned', 'tpp-gamma': 'tpp-gamma-dpop', 'fapi-gateway': 'fapi-gateway' };
const GRANTABLE = new Set(['accounts', 'payments', 'openid', 'offline_access']);

/**
 * The oracle for a 2xx from the token endpoint: the token went to the client the credentials prove
 * (the certificate's owner, or `client` for key-based authentication), bound to the certificate
 * presented (or to a DPoP key), with grantable scopes only.
 */
function issuedTo(cert: FuzzInput['cert'], client?: string): (status: number, body: string) => string | null {
  return (_status, body) => {
    const token = (JSON.parse(body) as { access_token?: string }).access_token;
    if (typeof token !== 'string') return 'no access_token';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { client_id?: string; scope?: string; cnf?: Record<string, string> };
    const expected = client ?? (typeof cert === 'string' ? CERT_OWNER[cert] : typeof cert === 'object' && cert ? 'tpp-alpha' : undefined);
    if (claims.client_id !== expected) return `issued to ${claims.client_id}, the credentials are ${expected}'s`;
    const extra = (claims.scope ?? '').split(' ').filter((s) => s && !GRANTABLE.has(s));
    if (extra.length) return `granted scope ${extra.join(' ')}`;
    if (claims.cnf?.['x5t#S256'] && cert) {
      const pem = typeof cert === 'string' ? t.stack.pki.cert(cert).chain : cert.chain;
      if (claims.cnf['x5t#S256'] !== thumbprintOf(new X509Certificate(pem).raw)) return 'bound to another certificate than the one presented';
    }
    return null;
  };
}

function tokenInput(cls: string, label: string, oracle: Oracle, body: string | Buffer, extra: Partial<FuzzInput> = {}): FuzzInput {
  const { headers, ...rest } = extra;
  const client = /(?:^|&)client_id=([^&]*)/.exec(typeof body === 'string' ? body : '')?.[1];
  const keyBased = client === 'tpp-bearer' || client === 'tpp-dpop';
  return {
    cls, label, oracle, target: 'idpMtls', method: 'POST', path: tokenPath(), body, ...rest, headers: { ...FORM, ...headers },
    inspect: issuedTo(rest.cert === undefined ? 'tpp-alpha' : rest.cert, keyBased ? client : undefined),
  };
}

async function probe(): Promise<boolean> {
  const o = await fuzz.send(tokenInput('probe', 'probe', 'accept', 'grant_type=client_credentials&client_id=tpp-alpha&scope=accounts', { cert: 'tpp-alpha' }));
  return o.status === 200;
}

// ---- the form and the client's identity ----------------------------------------------------------

function tokenForms(): FuzzInput[] {
  const cls = 'token endpoint: forms and identities';
  const out: FuzzInput[] = [];
  const owners: Record<string, string | null> = {
    'tpp-alpha': 'tpp-alpha', 'tpp-beta': 'tpp-beta', 'mallory-app': 'mallory', 'tpp-selfsigned': 'tpp-selfsigned',
    'tpp-gamma-dpop': null, 'fapi-gateway': 'fapi-gateway', 'tpp-dpop': null, 'tpp-bearer': null,
  };
  const certs = ['tpp-alpha', 'tpp-beta', 'mallory', 'rogue-alpha', 'tpp-selfsigned', 'alpha-expired', 'alpha-revoked', 'alpha-not-yet-valid', null];
  for (let round = 0; round < 3; round++) {
    for (const [client, owner] of Object.entries(owners)) {
      for (const cert of certs) {
        const oracle: Oracle = cert !== null && cert === owner ? 'either' : 'refuse';
        out.push(tokenInput(cls, `${client} with ${cert ?? 'no certificate'}`, oracle, `grant_type=client_credentials&client_id=${client}&scope=accounts`, { cert }));
      }
    }
  }
  const alpha = (body: string, oracle: Oracle, headers: Record<string, string> = {}) => tokenInput(cls, body.slice(0, 80), oracle, body, { cert: 'tpp-alpha', headers });
  const variants: [string, Oracle][] = [
    ['grant_type=client_credentials&client_id=tpp-alpha&scope=accounts', 'accept'],
    ['grant_type=CLIENT_CREDENTIALS&client_id=tpp-alpha', 'refuse'], ['grant_type=password&client_id=tpp-alpha&username=a&password=b', 'refuse'],
    ['grant_type=authorization_code&client_id=tpp-alpha&code=x', 'refuse'], ['grant_type=refresh_token&client_id=tpp-alpha&refresh_token=x', 'refuse'],
    ['grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&client_id=tpp-alpha&assertion=x.y.z', 'refuse'],
    ['grant_type=urn:ietf:params:oauth:grant-type:token-exchange&client_id=tpp-alpha&subject_token=x', 'refuse'],
    ['grant_type=urn:ietf:params:oauth:grant-type:device_code&client_id=tpp-alpha&device_code=x', 'refuse'],
    ['grant_type=&client_id=tpp-alpha', 'refuse'], ['client_id=tpp-alpha&scope=accounts', 'refuse'], ['grant_type=client_credentials&scope=accounts', 'refuse'],
    ['grant_type=client_credentials&grant_type=client_credentials&client_id=tpp-alpha', 'refuse'],
    ['grant_type=client_credentials&client_id=tpp-alpha&client_id=mallory-app', 'refuse'], ['grant_type=client_credentials&client_id=mallory-app&client_id=tpp-alpha', 'refuse'],
    ['grant_type=client_credentials&client_id=TPP-ALPHA', 'refuse'], ['grant_type=client_credentials&client_id=tpp-alpha%00', 'refuse'],
    ['grant_type=client_credentials&client_id=tpp-alpha%20', 'refuse'], ['grant_type=client_credentials&client_id=tpp%E2%80%90alpha', 'refuse'],
    ['grant_type=client_credentials&client_id=tpp%2Dalpha&scope=accounts', 'either'], ['grant_type=client_credentials&client_id=tpp-alpha&scope=admin', 'either'],
    ['grant_type=client_credentials&client_id=tpp-alpha&scope=accounts%20admin', 'either'], ['grant_type=client_credentials&client_id=tpp-alpha&scope=openid', 'either'],
    ['grant_type=client_credentials&client_id=tpp-alpha&scope=accounts&resource=https://evil.example', 'refuse'],
    ['grant_type=client_credentials&client_id=tpp-alpha&scope=accounts&resource=urn:unknown', 'refuse'],
    ['grant_type=client_credentials&client_id=tpp-alpha&scope=accounts&resource=javascript:alert(1)', 'refuse'],
    [`grant_type=client_credentials&client_id=tpp-alpha&scope=${'accounts%20'.repeat(2000)}`, 'either'], ['grant_type=client_credentials&client_id=tpp-alpha&%zz=1', 'either'],
    ['grant_type=client_credentials&client_id=tpp-alpha&scope=accounts&client_secret=guess', 'either'],
    ['grant_type=client_credentials&client_id=tpp-alpha&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=x.y.z', 'refuse'],
    ['grant_type=client_credentials&client_id[]=tpp-alpha', 'refuse'], ['grant_type[]=client_credentials&client_id=tpp-alpha', 'refuse'],
    ['&&&===&&&', 'refuse'], ['', 'refuse'], ['%', 'refuse'], ['grant_type=client_credentials&client_id=tpp-alpha&__proto__[admin]=1&constructor[prototype][x]=1', 'either'],
  ];
  for (let round = 0; round < 4; round++) for (const [body, oracle] of variants) out.push(alpha(body, oracle));
  const types: [string, Oracle][] = [
    ['application/json', 'refuse'], ['text/plain', 'refuse'], ['multipart/form-data; boundary=x', 'refuse'], ['application/x-www-form-urlencoded; charset=utf-16', 'either'],
    ['application/x-www-form-urlencoded; charset=bogus', 'either'], [latin1('application/x-www-form-urlencoded; charset=\u00e9'), 'either'], ['', 'refuse'],
  ];
  for (const [type, oracle] of types) {
    const body = type === 'application/json' ? JSON.stringify({ grant_type: 'client_credentials', client_id: 'tpp-alpha', scope: 'accounts' }) : 'grant_type=client_credentials&client_id=tpp-alpha&scope=accounts';
    for (let i = 0; i < 4; i++) out.push(tokenInput(cls, `content type "${type}"`, oracle, body, { cert: 'tpp-alpha', headers: { 'content-type': type } }));
  }
  const genuine = 'grant_type=client_credentials&client_id=tpp-alpha&scope=accounts';
  for (let i = 0; i < 200; i++) out.push(tokenInput(cls, `edited form ${i}`, 'either', latin1(mutate(rng, genuine)), { cert: rng.pick(['tpp-alpha', 'mallory']) }));
  for (let i = 0; i < 60; i++) out.push(tokenInput(cls, `random bytes ${i}`, 'refuse', rng.bytes(rng.int(2000)), { cert: 'tpp-alpha' }));
  return out;
}

// ---- private_key_jwt client assertions --------------------------------------------------------------

async function clientAssertions(): Promise<FuzzInput[]> {
  const cls = 'token endpoint: client assertions';
  const out: FuzzInput[] = [];
  const key = t.stack.pki.clientKey('tpp-bearer');
  const otherKey = t.stack.pki.clientKey('tpp-dpop');
  const issuer = t.stack.idp.issuer;
  const form = (assertion: string, client = 'tpp-bearer', type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') =>
    `grant_type=client_credentials&client_id=${client}&scope=accounts&client_assertion_type=${encodeURIComponent(type)}&client_assertion=${assertion}`;
  const now = () => Math.floor(Date.now() / 1000);
  const sign = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}, jwk: JWK = key) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: jwk.kid ?? '', ...header } as { alg: string }).sign(await importJWK(jwk, 'ES256'));
  const base = () => ({ iss: 'tpp-bearer', sub: 'tpp-bearer', aud: issuer, jti: randomUUID(), iat: now(), exp: now() + 60 });
  const publicJwk = Object.fromEntries(Object.entries(key).filter(([k]) => k !== 'd'));
  const cases: [string, Oracle, () => Promise<string>, string?][] = [
    ['a genuine assertion (control)', 'accept', async () => buildClientAssertion({ clientId: 'tpp-bearer', key, audience: issuer, now: now() })],
    ['expired', 'refuse', async () => sign({ ...base(), iat: now() - 600, exp: now() - 300 })],
    ['not yet valid', 'refuse', async () => sign({ ...base(), nbf: now() + 3600 })],
    ['issued in an hour', 'either', async () => sign({ ...base(), iat: now() + 3600, exp: now() + 3700 })],
    ['no exp', 'refuse', async () => sign({ ...base(), exp: undefined })], ['exp as string', 'refuse', async () => sign({ ...base(), exp: String(now() + 60) })],
    ['another audience', 'refuse', async () => sign({ ...base(), aud: 'https://evil.example' })], ['audience array of others', 'refuse', async () => sign({ ...base(), aud: ['a', 'b'] })],
    ['the token endpoint as audience', 'either', async () => sign({ ...base(), aud: t.stack.idp.endpoints.token })],
    ['iss is not sub', 'refuse', async () => sign({ ...base(), iss: 'tpp-dpop' })], ['sub is another client', 'refuse', async () => sign({ ...base(), sub: 'tpp-alpha' })],
    ['no jti', 'refuse', async () => sign({ ...base(), jti: undefined })], ['no iss', 'refuse', async () => sign({ ...base(), iss: undefined })],
    ['alg none', 'refuse', async () => `${b64json({ alg: 'none', kid: key.kid })}.${b64json(base())}.`],
    ['HS256 keyed with the public JWK', 'refuse', async () => {
      const input = `${b64json({ alg: 'HS256', kid: key.kid })}.${b64json(base())}`;
      return `${input}.${createHmac('sha256', JSON.stringify(publicJwk)).update(input).digest('base64url')}`;
    }],
    ['signed with another client\'s key', 'refuse', async () => sign(base(), { kid: key.kid }, otherKey)],
    ['signed with a fresh key', 'refuse', async () => {
      const { privateKey } = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as CryptoKeyPair;
      return new SignJWT(base()).setProtectedHeader({ alg: 'ES256', kid: key.kid ?? '' }).sign(privateKey);
    }],
    ['an unknown kid, the right key', 'either', async () => sign(base(), { kid: 'unknown' })],
    ['embedded jwk of an attacker', 'refuse', async () => {
      const { privateKey, publicKey } = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as CryptoKeyPair;
      const jwk = await webcrypto.subtle.exportKey('jwk', publicKey);
      return new SignJWT(base()).setProtectedHeader({ alg: 'ES256', jwk: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! } }).sign(privateKey);
    }],
    ['the assertion for another client_id', 'refuse', async () => sign(base()), 'tpp-dpop'],
    ['a wrong assertion type', 'refuse', async () => sign(base()), 'type'],
  ];
  for (let round = 0; round < 12; round++) {
    for (const [label, oracle, make, twist] of cases) {
      const assertion = await make();
      const body = twist === 'tpp-dpop' ? form(assertion, 'tpp-dpop') : twist === 'type' ? form(assertion, 'tpp-bearer', 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer') : form(assertion);
      out.push(tokenInput(cls, label, oracle, body, { cert: null }));
    }
  }
  for (let i = 0; i < 120; i++) {
    const genuine = await buildClientAssertion({ clientId: 'tpp-bearer', key, audience: issuer, now: now() });
    const broken = i % 4 === 0 ? genuine.slice(0, 1 + rng.int(genuine.length - 1)) : mutate(rng, genuine);
    if (broken !== genuine) out.push(tokenInput(cls, `edited assertion ${i}`, 'refuse', form(encodeURIComponent(broken)), { cert: null }));
  }
  return out;
}

/** An assertion accepted once is refused the second time (RFC 7523 §3 jti). */
async function assertionReplays(): Promise<FuzzInput[]> {
  const cls = 'token endpoint: client assertions';
  const out: FuzzInput[] = [];
  const key = t.stack.pki.clientKey('tpp-bearer');
  for (let i = 0; i < 40; i++) {
    const assertion = await buildClientAssertion({ clientId: 'tpp-bearer', key, audience: t.stack.idp.issuer, now: Date.now() / 1000 });
    const body = `grant_type=client_credentials&client_id=tpp-bearer&scope=accounts&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=${assertion}`;
    const first = await fuzz.send(tokenInput(cls, 'first use', 'accept', body, { cert: null }));
    assert.equal(first.status, 200, first.body);
    out.push(tokenInput(cls, `replayed assertion ${i}`, 'refuse', body, { cert: null }));
  }
  return out;
}

// ---- DPoP at the token endpoint ----------------------------------------------------------------

async function tokenDpop(): Promise<FuzzInput[]> {
  const cls = 'token endpoint: DPoP proofs';
  const out: FuzzInput[] = [];
  const url = t.stack.idp.endpoints.token;
  const body = 'grant_type=client_credentials&client_id=tpp-gamma-dpop&scope=accounts';
  const now = () => Date.now() / 1000;
  const cases: [string, Oracle, () => Promise<string | string[] | null>][] = [
    ['a genuine proof (control)', 'accept', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() })).jwt],
    ['no proof', 'refuse', async () => null],
    ['htm GET', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { htm: 'GET' })).jwt],
    ['htu of the gateway', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { htu: t.stack.urls.gateway + ACCOUNTS })).jwt],
    ['htu of the plain listener', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { htu: `${t.stack.idp.issuer}/token/x` })).jwt],
    ['an hour old', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { iatOffset: -3600 })).jwt],
    ['an hour ahead', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { iatOffset: 3600 })).jwt],
    ['typ JWT', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { typ: 'JWT' })).jwt],
    ['alg none', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { alg: 'none' })).jwt],
    ['alg HS256', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { alg: 'HS256' })).jwt],
    ['private key in the jwk', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { embedPrivateKey: true })).jwt],
    ['no jti', 'refuse', async () => (await buildProof(gammaKey, { method: 'POST', url, now: now() }, { omitClaims: ['jti'] })).jwt],
    ['two proofs', 'refuse', async () => { const p = (await buildProof(gammaKey, { method: 'POST', url, now: now() })).jwt; return [p, p]; }],
    ['an edited proof', 'refuse', async () => { const p = (await buildProof(gammaKey, { method: 'POST', url, now: now() })).jwt; let m = p; while (m === p) m = mutate(rng, p); return latin1(m); }],
    ['a truncated proof', 'refuse', async () => { const p = (await buildProof(gammaKey, { method: 'POST', url, now: now() })).jwt; return p.slice(0, 1 + rng.int(p.length - 1)); }],
    ['garbage', 'refuse', async () => rng.bytes(40).toString('base64url')], ['a huge header', 'refuse', async () => 'A'.repeat(12_000)],
  ];
  for (let round = 0; round < 12; round++) {
    for (const [label, oracle, make] of cases) {
      const proof = await make();
      out.push(tokenInput(cls, label, oracle, body, { cert: 'tpp-gamma', headers: proof === null ? {} : { dpop: proof } }));
    }
  }
  // A proof accepted once is refused when replayed.
  for (let i = 0; i < 30; i++) {
    const proof = (await buildProof(gammaKey, { method: 'POST', url, now: now() })).jwt;
    const first = await fuzz.send(tokenInput(cls, 'first use', 'accept', body, { cert: 'tpp-gamma', headers: { dpop: proof } }));
    assert.equal(first.status, 200, first.body);
    out.push(tokenInput(cls, `replayed proof ${i}`, 'refuse', body, { cert: 'tpp-gamma', headers: { dpop: proof } }));
  }
  return out;
}

function tokenBodies(): FuzzInput[] {
  const cls = 'token endpoint: bodies';
  const out: FuzzInput[] = [];
  const genuine = 'grant_type=client_credentials&client_id=tpp-alpha&scope=accounts';
  for (let i = 0; i < 10; i++) {
    out.push(tokenInput(cls, '60 KB form', 'refuse', `${genuine}&pad=${'a'.repeat(60 * 1024)}`, { cert: 'tpp-alpha' }));
    out.push(tokenInput(cls, '900 KB form', 'refuse', `${genuine}&pad=${'a'.repeat(900 * 1024)}`, { cert: 'tpp-alpha' }));
    out.push(tokenInput(cls, 'declared 2 GB', 'refuse', '', { cert: 'tpp-alpha', headers: { 'content-length': String(2 * 1024 ** 3) } }));
    // The server waits requestTimeout for the missing bytes, then 408: a few are enough.
    if (i < 3) out.push(tokenInput(cls, 'declared length larger than the body', 'refuse', genuine, { cert: 'tpp-alpha', headers: { 'content-length': String(genuine.length + 10) } }));
    out.push(tokenInput(cls, '10 000 parameters', 'either', `${genuine}${'&a=1'.repeat(10_000)}`, { cert: 'tpp-alpha' }));
    out.push(tokenInput(cls, 'JSON nested 5000 deep', 'refuse', `${'['.repeat(5000)}${']'.repeat(5000)}`, { cert: 'tpp-alpha', headers: { 'content-type': 'application/json' } }));
    out.push(tokenInput(cls, 'GET with a query', 'refuse', '', { cert: 'tpp-alpha', method: 'GET', path: `${tokenPath()}?${genuine}` }));
    out.push(tokenInput(cls, 'PUT', 'refuse', genuine, { cert: 'tpp-alpha', method: 'PUT' }));
  }
  return out;
}

// ---- request objects at PAR (RFC 9101, FAPI 2.0 Message Signing 5.3.1) ---------------------------

/** Signed, unsigned, foreign-keyed, mis-claimed and edited request objects pushed by tpp-alpha. */
async function requestObjects(): Promise<FuzzInput[]> {
  const cls = 'PAR: request objects';
  const out: FuzzInput[] = [];
  const parPath = new URL(t.stack.idp.endpoints.par).pathname;
  const signer = t.stack.directory.signer('tpp-alpha-signing');
  const alpha: RequestObjectKey = { alg: signer.alg, kid: signer.kid, key: signer.privateKey };
  const { privateKey: freshKey } = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as CryptoKeyPair;
  const mallory: RequestObjectKey = { alg: 'ES256', kid: signer.kid, key: await webcrypto.subtle.exportKey('jwk', freshKey) as JWK };
  const params = {
    response_type: 'code', redirect_uri: `${t.stack.urls.ui}/callback`, scope: 'openid', state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  };
  const ro = async (over: Partial<Parameters<typeof buildRequestObject>[0]> = {}) => (await buildRequestObject({
    clientId: 'tpp-alpha', audience: t.stack.idp.issuer, now: Date.now() / 1000, params, key: alpha, ...over,
  })).jwt;
  const input = (label: string, oracle: Oracle, body: string): FuzzInput => ({ cls, label, oracle, target: 'idpMtls', method: 'POST', path: parPath, body, cert: 'tpp-alpha', headers: FORM });
  const form = (request: string, client = 'tpp-alpha') => `client_id=${client}&request=${encodeURIComponent(request)}`;
  const resigned = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: signer.kid, ...header } as { alg: string }).sign(signer.privateKey);
  const claimsOf = async () => JSON.parse(Buffer.from((await ro()).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  const cases: [string, Oracle, () => Promise<string>][] = [
    ['a signed request object (control)', 'accept', async () => form(await ro())],
    ['alg none', 'refuse', async () => form(await ro({ key: null }))],
    ['Mallory\'s key under Alpha\'s kid', 'refuse', async () => form(await ro({ key: mallory }))],
    ['Mallory\'s key under her own kid', 'refuse', async () => form(await ro({ key: { ...mallory, kid: 'mallory' } }))],
    ['another aud', 'refuse', async () => form(await ro({ audience: 'https://evil.example' }))],
    ['expired (nbf 65 minutes old)', 'refuse', async () => form(await ro({ nbfOffset: -3900, lifetime: 3600 }))],
    ['exp 61 minutes after nbf', 'refuse', async () => form(await ro({ lifetime: 3660 }))],
    ['nbf in an hour', 'refuse', async () => form(await ro({ nbfOffset: 3600 }))],
    ['iss another client', 'refuse', async () => form(await ro({ clientId: 'mallory-app' }))],
    ['pushed as another client', 'refuse', async () => form(await ro(), 'tpp-beta')],
    ['client_id claim of another client', 'refuse', async () => form(await resigned({ ...(await claimsOf()), client_id: 'tpp-beta' }))],
    ['no exp', 'refuse', async () => form(await resigned({ ...(await claimsOf()), exp: undefined }))],
    ['no nbf', 'refuse', async () => form(await resigned({ ...(await claimsOf()), nbf: undefined }))],
    ['exp as a string', 'refuse', async () => form(await resigned({ ...(await claimsOf()), exp: String(Math.floor(Date.now() / 1000) + 60) }))],
    ['a request_uri inside', 'refuse', async () => form(await resigned({ ...(await claimsOf()), request_uri: 'urn:x' }))],
    ['a request inside', 'refuse', async () => form(await resigned({ ...(await claimsOf()), request: 'x.y.z' }))],
    ['claims that are not JSON', 'refuse', async () => form(await resigned({ ...(await claimsOf()), claims: '{' }))],
    ['authorization_details not a list', 'refuse', async () => form(await resigned({ ...(await claimsOf()), authorization_details: { type: 'x' } }))],
    ['scope a number', 'either', async () => form(await resigned({ ...(await claimsOf()), scope: 7 }))],
    ['HS256 keyed with the public key', 'refuse', async () => {
      const input = `${b64json({ alg: 'HS256', kid: signer.kid })}.${b64json(await claimsOf())}`;
      return form(`${input}.${createHmac('sha256', JSON.stringify(t.stack.directory.byKid(signer.kid)!.publicJwk)).update(input).digest('base64url')}`);
    }],
    ['five parts (an encrypted object)', 'refuse', async () => form('a.b.c.d.e')],
    ['empty', 'refuse', async () => form('')],
    ['not a JWT', 'refuse', async () => form('hello')],
    ['an array payload', 'refuse', async () => form(`${b64json({ alg: 'none' })}.${Buffer.from('[1]').toString('base64url')}.`)],
    ['two request parameters', 'refuse', async () => `${form(await ro())}&request=${encodeURIComponent(await ro())}`],
  ];
  for (let round = 0; round < 6; round++) for (const [label, oracle, make] of cases) out.push(input(label, oracle, await make()));
  for (let i = 0; i < 150; i++) {
    const genuine = await ro();
    const broken = i % 5 === 0 ? genuine.slice(0, 1 + rng.int(genuine.length - 1)) : mutate(rng, genuine);
    // jose decodes base64url leniently (DEVELOPERS.md): an edit of the last character may spell the same signature.
    if (broken !== genuine) out.push(input(`edited request object ${i}`, 'either', form(broken)));
  }
  return out;
}

// ---- certificates minted for the purpose -------------------------------------------------------

interface CertKind {
  label: string;
  /** At the gateway with a token bound to this certificate, and at the IdP as tpp-alpha. */
  gateway: Oracle;
  idp: Oracle;
  make(): Promise<OddCert>;
}

async function certKinds(): Promise<CertKind[]> {
  const certs = await OddCerts.create(t.stack.pki);
  const alphaLeaf = await certs.signerOf('tpp-alpha');
  const DAY = 86_400_000;
  const OU = '0015800001041REAAY';
  const issue = (req: OddCertRequest = {}) => certs.issue(req);
  const ext = (critical: boolean, value: number[]) => new x509.Extension(UNKNOWN_OID, critical, new Uint8Array(value));
  const alpha = (cn?: string) => certs.alphaName(cn);
  return [
    { label: 'like Alpha\'s (control)', gateway: 'either', idp: 'either', make: () => issue() },
    { label: 'an unknown critical extension', gateway: 'refuse', idp: 'refuse', make: () => issue({ extensions: [ext(true, [0x05, 0x00])] }) },
    { label: 'an unknown non-critical extension', gateway: 'either', idp: 'either', make: () => issue({ extensions: [ext(false, [0x05, 0x00])] }) },
    { label: 'a critical extension of 8 KB', gateway: 'refuse', idp: 'refuse', make: () => issue({ extensions: [ext(true, [0x04, 0x82, 0x20, 0x00, ...Array<number>(8192).fill(0x41)])] }) },
    { label: 'EKU serverAuth only', gateway: 'refuse', idp: 'refuse', make: () => issue({ extKeyUsage: [x509.ExtendedKeyUsage.serverAuth] }) },
    { label: 'EKU codeSigning only', gateway: 'refuse', idp: 'refuse', make: () => issue({ extKeyUsage: [x509.ExtendedKeyUsage.codeSigning] }) },
    { label: 'EKU anyExtendedKeyUsage', gateway: 'either', idp: 'either', make: () => issue({ extKeyUsage: ['2.5.29.37.0'] }) },
    { label: 'no EKU', gateway: 'either', idp: 'either', make: () => issue({ extKeyUsage: null }) },
    { label: 'key usage keyCertSign only', gateway: 'refuse', idp: 'refuse', make: () => issue({ keyUsage: x509.KeyUsageFlags.keyCertSign }) },
    { label: 'no key usage', gateway: 'either', idp: 'either', make: () => issue({ keyUsage: null }) },
    { label: 'a CA certificate as client certificate', gateway: 'either', idp: 'either', make: () => issue({ ca: true, keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign }) },
    { label: '500 DNS SANs', gateway: 'either', idp: 'either', make: () => issue({ dnsNames: Array.from({ length: 500 }, (_, i) => `san-${i}.tpp-alpha.example`) }) },
    { label: 'a 1000-character CN', gateway: 'either', idp: 'refuse', make: () => issue({ subject: alpha('a'.repeat(1000)) }) },
    { label: 'a Unicode look-alike CN', gateway: 'either', idp: 'refuse', make: () => issue({ subject: alpha('tpp-\u0430lpha') }) },
    { label: 'an empty subject', gateway: 'either', idp: 'refuse', make: () => issue({ subject: dn([]), dnsNames: ['tpp-alpha.example'] }) },
    { label: '40 RDNs', gateway: 'either', idp: 'refuse', make: () => issue({ subject: dn([...Array.from({ length: 36 }, (_, i) => ({ OU: [`u${i}`] })), { C: ['GB'] }, { O: ['Alpha Payments Ltd'] }, { OU: [OU] }, { CN: ['tpp-alpha'] }]) }) },
    { label: 'DN confusion: a comma inside CN', gateway: 'either', idp: 'refuse', make: () => issue({ subject: dn([{ C: ['GB'] }, { O: ['Alpha Payments Ltd'] }, { CN: [`tpp-alpha,OU=${OU}`] }]) }) },
    { label: 'DN confusion: a newline inside OU', gateway: 'either', idp: 'refuse', make: () => issue({ subject: dn([{ C: ['GB'] }, { O: ['Alpha Payments Ltd'] }, { OU: [`${OU}\nCN=tpp-alpha`] }]) }) },
    { label: 'DN confusion: NUL after the CN', gateway: 'either', idp: 'refuse', make: () => issue({ subject: alpha('tpp-alpha\u0000.evil') }) },
    { label: 'DN confusion: a multi-valued RDN', gateway: 'either', idp: 'refuse', make: () => issue({ subject: dn([{ C: ['GB'] }, { O: ['Alpha Payments Ltd'] }, { OU: [OU] }, { CN: ['tpp-alpha'], OU: ['x'] }]) }) },
    { label: 'Alpha\'s DN plus an extra RDN', gateway: 'either', idp: 'refuse', make: () => issue({ subject: dn([{ C: ['GB'] }, { O: ['Alpha Payments Ltd'] }, { OU: [OU] }, { CN: ['tpp-alpha'] }, { L: ['London'] }]) }) },
    { label: 'Alpha\'s DN in another order', gateway: 'either', idp: 'refuse', make: () => issue({ subject: dn([{ CN: ['tpp-alpha'] }, { OU: [OU] }, { O: ['Alpha Payments Ltd'] }, { C: ['GB'] }]) }) },
    { label: 'self-signed with Alpha\'s DN', gateway: 'refuse', idp: 'refuse', make: () => issue({ issuer: 'self' }) },
    { label: 'Alpha\'s DN from the rogue CA', gateway: 'refuse', idp: 'refuse', make: () => issue({ issuer: 'rogue' }) },
    { label: 'a forged issuer (the issuing CA\'s name, another key)', gateway: 'refuse', idp: 'refuse', make: () => issue({ issuer: 'forged' }) },
    { label: 'issued by Alpha\'s own leaf certificate', gateway: 'refuse', idp: 'refuse', make: () => issue({ issuer: alphaLeaf, extraChain: [t.stack.pki.issuingCa.cert] }) },
    { label: 'expired an hour ago', gateway: 'refuse', idp: 'refuse', make: () => issue({ notBefore: new Date(Date.now() - 2 * DAY), notAfter: new Date(Date.now() - 3_600_000) }) },
    { label: 'valid from tomorrow', gateway: 'refuse', idp: 'refuse', make: () => issue({ notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 2 * DAY) }) },
    { label: 'notBefore after notAfter', gateway: 'refuse', idp: 'refuse', make: () => issue({ notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() - DAY) }) },
    { label: 'valid until 9999', gateway: 'either', idp: 'either', make: () => issue({ notAfter: new Date('9999-12-31T23:59:59Z') }) },
    { label: 'serial number 0', gateway: 'either', idp: 'either', make: () => issue({ serial: '00' }) },
    { label: 'a 20-byte serial number', gateway: 'either', idp: 'either', make: () => issue({ serial: '7f'.repeat(20) }) },
    { label: 'a P-384 key', gateway: 'either', idp: 'either', make: () => issue({ curve: 'P-384' }) },
    { label: 'the chain with 8 extra certificates', gateway: 'either', idp: 'either', make: () => issue({ extraChain: Array<string>(8).fill(t.stack.pki.rootCa) }) },
  ];
}

async function certificates(): Promise<FuzzInput[]> {
  const cls = 'TLS: minted client certificates';
  const out: FuzzInput[] = [];
  const kinds = await certKinds();
  for (let round = 0; round < 2; round++) {
    for (const kind of kinds) {
      const material = await kind.make();
      const leaf = new X509Certificate(material.chain);
      const cert = { ...material, name: `${kind.label} #${round}` };
      const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprintOf(leaf.raw) } });
      for (const target of ['gateway', 'gatewayStrict'] as const) {
        out.push({ cls, label: `${kind.label} at ${target}`, oracle: kind.gateway, target, path: ACCOUNTS, headers: { authorization: `Bearer ${token}` }, cert });
      }
      out.push(tokenInput(cls, `${kind.label} at the token endpoint as tpp-alpha`, kind.idp, 'grant_type=client_credentials&client_id=tpp-alpha&scope=accounts', { cert }));
    }
  }
  return out;
}

test('token endpoint and TLS fuzzing: no 5xx, no crash or hang, no token for a wrong identity', async () => {
  const classes = [tokenForms, clientAssertions, assertionReplays, tokenDpop, tokenBodies, requestObjects, certificates];
  const { totals, problems } = await fuzz.runClasses('token endpoint and TLS fuzzing', SEED, classes, probe);
  assert.deepEqual(problems, []);
  assert.deepEqual({ serverErrors: totals.serverErrors, hangs: totals.hangs, wronglyAccepted: totals.wronglyAccepted }, { serverErrors: 0, hangs: 0, wronglyAccepted: 0 });
  // With the gateway file (at least 8,500), at least 10,000 inputs per run.
  assert.ok(totals.inputs >= 1_500, `${totals.inputs} inputs`);
  assert.deepEqual(Object.values(t.stack.listening()), Array(6).fill(true));
});
