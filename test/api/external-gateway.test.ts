// The OB API behind an external gateway: the external gateway key lets a request in, and then the API
// validates the forwarded access token itself (signature, iss, aud, exp) and takes the caller from it;
// x-sandbox-* identity headers from an external gateway are ignored. Without the key: 403 as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { BASE, startApi, obieError, type ApiHarness } from './harness.ts';

const KEY = 'external-gateway-key-0123456789';
const ISSUER = 'https://as.test';
let api: ApiHarness;
let signing: CryptoKey;
let other: CryptoKey;

before(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signing = pair.privateKey;
  other = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  api = await startApi('api-external', {
    externalGateway: { key: KEY, issuer: ISSUER, keys: createLocalJWKSet({ keys: [jwk] }), audience: 'urn:fapi-sandbox:ob-api', algorithms: ['ES256'] },
  });
});
after(() => api.close());

const token = (claims: Record<string, unknown> = {}, key: CryptoKey = signing) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: 'urn:fapi-sandbox:ob-api', iat: now, exp: now + 300, client_id: 'tpp-alpha', scope: 'accounts', cnf: { 'x5t#S256': 'abc' }, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
    .sign(key);
};

/** As nginx forwards it: the key and the client's Authorization header, none of the bundled gateway's headers. */
const external = async (authorization: string | null, extra: Record<string, string | null> = {}) =>
  api.call(`${BASE}/accounts`, {
    headers: { 'x-sandbox-gateway-key': KEY, 'x-sandbox-client-id': null, 'x-sandbox-scope': null, 'x-sandbox-binding': null, ...(authorization ? { authorization } : {}), ...extra },
  });

test('a valid token forwarded by the external gateway reads the accounts (Bearer or DPoP scheme)', async () => {
  const t = await token();
  for (const scheme of ['Bearer', 'DPoP']) {
    const r = await external(`${scheme} ${t}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.Data.Account.length > 0);
  }
});

test('no token, a forged one, another audience, an expired one or one without exp: 401 with WWW-Authenticate', async () => {
  const none = await external(null);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="fapi-sandbox-ob-api"');
  const cases: [string, Promise<string>][] = [
    ['signature', token({}, other)],
    ['aud', token({ aud: 'urn:fapi-sandbox:payments-api' })],
    ['exp', token({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['no exp', token({ exp: undefined })],
  ];
  for (const [what, pending] of cases) {
    const r = await external(`Bearer ${await pending}`);
    assert.equal(r.status, 401, what);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="fapi-sandbox-ob-api", error="invalid_token", error_description="the access token is not valid here: /, what);
    assert.equal(obieError(r.body).Errors[0]!.Path, 'Authorization');
  }
});

test('identity comes from the token: forged x-sandbox-* headers and scopes are ignored', async () => {
  const narrow = await token({ scope: 'payments' });
  const r = await external(`Bearer ${narrow}`, { 'x-sandbox-scope': 'accounts', 'x-sandbox-client-id': 'tpp-alpha' });
  assert.equal(r.status, 403);
  assert.match(obieError(r.body).Errors[0]!.Message, /"accounts" scope/);
});

test('a wrong key is refused as before, and without an external key configured the external key means nothing', async () => {
  const wrong = await api.call(`${BASE}/accounts`, { headers: { 'x-sandbox-gateway-key': 'not-the-key-0123456789', authorization: `Bearer ${await token()}` } });
  assert.equal(wrong.status, 403);
  const plain = await api.withOptions({ externalGateway: null });
  try {
    const r = await plain.call(`${BASE}/accounts`, { headers: { 'x-sandbox-gateway-key': KEY, authorization: `Bearer ${await token()}` } });
    assert.equal(r.status, 403);
    assert.equal(obieError(r.body).Errors[0]!.ErrorCode, 'UK.OBIE.Header.Invalid');
  } finally {
    await plain.close();
  }
});
