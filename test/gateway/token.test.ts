// Gateway token checks (RFC 6750 §2-3, RFC 9068 §4, FAPI 2.0 SP §5.3.2): presence, signature and
// algorithm allowlist, claims and scope, sender constraint; plus the interaction id.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { createPublicKey, randomUUID } from 'node:crypto';
import { startTestStack, idpToken, callGateway, failedCheck, outcome, thumbprint, decisionOf, type TestStack } from '../helpers/stack.ts';
import { parseChallenges } from '../../server/engine/expectations.ts';

let t: TestStack;
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
before(async () => {
  t = await startTestStack('gw-token');
});
after(() => t.stop());

const cnf = () => ({ cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
const asAlpha = (token: string, extra: Parameters<typeof callGateway>[2] = {}) => callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token, ...extra });

test('token.present: no Authorization header is a 401 with bare challenges for both schemes and no error code', async () => {
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha' });
  assert.equal(ex.response?.status, 401);
  const challenges = parseChallenges(String(ex.response!.headers['www-authenticate']));
  assert.deepEqual(challenges.map((c) => c.scheme), ['Bearer', 'DPoP']);
  assert.equal(challenges[0]!.params.error, undefined);
  assert.equal(challenges[1]!.params.algs, 'ES256 PS256 EdDSA');
  assert.equal(failedCheck(t.stack, ex), 'token.present');
});

test('token.present: a token in the query string, two Authorization headers, Basic, or junk are 400 invalid_request', async () => {
  const token = await idpToken(t.stack, cnf());
  const cases = [
    await callGateway(t.stack, `${ACCOUNTS}?access_token=${token}`, { cert: 'tpp-alpha' }),
    await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } }),
    await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
    await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', headers: { authorization: 'Bearer a"b' } }),
  ];
  for (const ex of cases) {
    assert.equal(ex.response?.status, 400, ex.request.url);
    assert.equal((JSON.parse(ex.response!.body) as { error: string }).error, 'invalid_request');
    assert.equal(failedCheck(t.stack, ex), 'token.present');
  }
});

test('token.present + token.signature pass for a genuine token', async () => {
  const ex = await asAlpha(await idpToken(t.stack, cnf()));
  assert.equal(ex.response?.status, 200);
  assert.equal(outcome(t.stack, ex, 'token.present'), 'pass');
  assert.equal(outcome(t.stack, ex, 'token.signature'), 'pass');
});

test('ES256-signed access tokens verify too', async () => {
  const ex = await asAlpha(await idpToken(t.stack, cnf(), { alg: 'ES256' }));
  assert.equal(ex.response?.status, 200);
});

test('token.signature refuses alg none, HS256 keyed with the public key, a foreign key, tampering, typ JWT and opaque tokens', async () => {
  const genuine = await idpToken(t.stack, cnf());
  const [h, p, s] = genuine.split('.') as [string, string, string];
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const pem = createPublicKey({ key: t.stack.idp.publicJwks.keys[0] as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const { privateKey: foreign } = await generateKeyPair('PS256');
  const forgeries: [string, string, RegExp][] = [
    ['alg none', `${b64({ ...header, alg: 'none' })}.${p}.`, /alg "none"/],
    ['HS256 + public key', await new SignJWT(claims).setProtectedHeader({ ...header, alg: 'HS256' } as { alg: string }).sign(new TextEncoder().encode(String(pem))), /HMAC is refused/],
    ['foreign key', await new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(foreign), /does not verify/],
    ['tampered', `${h}.${b64({ ...claims, scope: 'accounts admin' })}.${s}`, /does not verify/],
    ['typ JWT', await idpToken(t.stack, cnf(), { typ: 'JWT' }), /not at\+jwt/],
    ['unknown kid', await idpToken(t.stack, cnf(), { kid: 'nope' }), /no key with kid "nope"/],
    ['opaque', 'an-opaque-token-value', /not a signed JWT/],
  ];
  for (const [label, token, reason] of forgeries) {
    const ex = await asAlpha(token);
    assert.equal(ex.response?.status, 401, label);
    assert.equal(failedCheck(t.stack, ex), 'token.signature', label);
    const check = decisionOf(t.stack, ex).checks.find((c) => c.id === 'token.signature')!;
    assert.match(check.reason, reason, label);
  }
});

test('token.claims: wrong issuer, audience, expired, not yet valid are 401; a missing scope is 403 insufficient_scope', async () => {
  const now = Math.floor(Date.now() / 1000);
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['issuer', { iss: 'https://evil.example' }, /not the trusted issuer/],
    ['audience', { aud: 'urn:fapi-sandbox:payments-api' }, /does not include this API/],
    ['expired', { exp: now - 60 }, /expired/],
    ['not yet valid', { nbf: now + 120 }, /not valid before/],
  ];
  for (const [label, claims, reason] of bad) {
    const ex = await asAlpha(await idpToken(t.stack, { ...cnf(), ...claims }));
    assert.equal(ex.response?.status, 401, label);
    assert.equal(failedCheck(t.stack, ex), 'token.claims', label);
    assert.match(decisionOf(t.stack, ex).checks.find((c) => c.id === 'token.claims')!.reason, reason, label);
  }
  const within = await asAlpha(await idpToken(t.stack, { ...cnf(), exp: now - 2 }));
  assert.equal(within.response?.status, 200, 'expired 2 s ago is inside the 5 s leeway');
  const scope = await asAlpha(await idpToken(t.stack, { ...cnf(), scope: 'payments' }));
  assert.equal(scope.response?.status, 403);
  const www = parseChallenges(String(scope.response!.headers['www-authenticate']))[0]!;
  assert.equal(www.params.error, 'insufficient_scope');
  assert.equal(www.params.scope, 'accounts');
});

test('token.sender-constrained: a plain bearer token is refused on FAPI routes and accepted on /bearer', async () => {
  const plain = await idpToken(t.stack, {});
  const fapi = await asAlpha(plain);
  assert.equal(fapi.response?.status, 401);
  assert.equal(failedCheck(t.stack, fapi), 'token.sender-constrained');
  const baseline = await callGateway(t.stack, `/bearer${ACCOUNTS}`, { cert: 'mallory', token: plain });
  assert.equal(baseline.response?.status, 200);
  const both = await asAlpha(await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha'), jkt: 'a'.repeat(43) } }));
  assert.equal(failedCheck(t.stack, both), 'token.sender-constrained', 'bound both ways');
});

test('api.interaction-id: a UUID is echoed, none is generated, a non-UUID is refused with 400', async () => {
  const token = await idpToken(t.stack, cnf());
  const id = randomUUID();
  const echoed = await asAlpha(token, { headers: { 'x-fapi-interaction-id': id } });
  assert.equal(echoed.response?.headers['x-fapi-interaction-id'], id);
  assert.equal(outcome(t.stack, echoed, 'api.interaction-id'), 'pass');
  const generated = await asAlpha(token);
  assert.match(String(generated.response?.headers['x-fapi-interaction-id']), /^[0-9a-f-]{36}$/);
  const bad = await asAlpha(token, { headers: { 'x-fapi-interaction-id': 'not-a-uuid<script>' } });
  assert.equal(bad.response?.status, 400);
  assert.notEqual(bad.response?.headers['x-fapi-interaction-id'], 'not-a-uuid<script>');
  assert.equal(failedCheck(t.stack, bad), 'api.interaction-id');
});

test('unknown paths are 404 with the route table; never a 5xx', async () => {
  const ex = await callGateway(t.stack, '/nope', { cert: 'tpp-alpha' });
  assert.equal(ex.response?.status, 404);
  assert.ok((JSON.parse(ex.response!.body) as { routes: unknown[] }).routes.length >= 5);
});
