// Token binding at the IdP over real TLS: DPoP-bound tokens (RFC 9449 §5, §8 nonces), one binding per
// token, introspection (RFC 7662 §2.2 with cnf and token_type), opaque tokens for the phantom-token
// route through the gateway, ES256 access tokens, and PAR (RFC 9126) with PKCE S256 (RFC 7636).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { startTestStack, callGateway, thumbprint, outcome, failedCheck, type TestStack } from '../helpers/stack.ts';
import { requestToken, assertion, introspect, postForm, idpChecks, tokenUrl } from '../helpers/idp.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { send } from '../../server/engine/http-client.ts';
import { parseChallenges } from '../../server/engine/expectations.ts';
import { RESOURCES } from '../../server/resources.ts';
import type { Stack } from '../../server/stack.ts';

let t: TestStack;
let key: DpopKey;
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
before(async () => {
  t = await startTestStack('idp-binding');
  key = await generateDpopKey('app');
});
after(() => t.stop());

const tokenProof = async (stack: Stack, k: DpopKey, extra: { nonce?: string; url?: string } = {}) =>
  (await buildProof(k, { method: 'POST', url: extra.url ?? tokenUrl(stack), now: Date.now() / 1000, ...(extra.nonce ? { nonce: extra.nonce } : {}) })).jwt;

const dpopClient = async (stack: Stack, k: DpopKey, extra: { resource?: string; nonce?: string } = {}) =>
  requestToken(stack, { clientId: 'tpp-dpop', assertion: await assertion(stack, 'tpp-dpop'), dpop: await tokenProof(stack, k, extra), ...(extra.resource ? { resource: extra.resource } : {}) });

/** A DPoP-authorized GET through the gateway. */
async function dpopCall(stack: Stack, path: string, token: string, k: DpopKey) {
  const proof = await buildProof(k, { method: 'GET', url: stack.urls.gateway + path, accessToken: token, now: Date.now() / 1000 });
  return callGateway(stack, path, { token, scheme: 'DPoP', headers: { dpop: proof.jwt } });
}

test('DPoP at the token endpoint (private_key_jwt client): token_type DPoP, cnf.jkt = the proof key\'s thumbprint, no x5t#S256; the gateway accepts it with a proof', async () => {
  const r = await dpopClient(t.stack, key);
  assert.equal(r.status, 200, r.ex.response?.body);
  assert.equal(r.body!.token_type, 'DPoP');
  assert.deepEqual(r.claims!.cnf, { jkt: key.jkt });
  assert.deepEqual(idpChecks(t.stack, r.interactionId), { 'idp.client-cert': 'skip', 'idp.client-auth': 'pass', 'idp.dpop-proof': 'pass', 'idp.token-binding': 'pass' });
  const call = await dpopCall(t.stack, ACCOUNTS, String(r.body!.access_token), key);
  assert.equal(call.response?.status, 200);
});

test('DPoP with a certificate-authenticated client (tpp-gamma-dpop): bound by the proof key only, never by the certificate too', async () => {
  const r = await requestToken(t.stack, { clientId: 'tpp-gamma-dpop', cert: 'tpp-gamma', dpop: await tokenProof(t.stack, key) });
  assert.equal(r.status, 200, r.ex.response?.body);
  assert.equal(r.body!.token_type, 'DPoP');
  assert.deepEqual(r.claims!.cnf, { jkt: key.jkt });
});

test('a DPoP-bound client without a proof, or with a proof for another URL, gets no token', async () => {
  const none = await requestToken(t.stack, { clientId: 'tpp-dpop', assertion: await assertion(t.stack, 'tpp-dpop') });
  assert.equal(none.status, 400);
  assert.equal(none.body!.access_token, undefined);
  assert.equal(idpChecks(t.stack, none.interactionId)['idp.dpop-proof'], 'fail');
  const elsewhere = await requestToken(t.stack, { clientId: 'tpp-dpop', assertion: await assertion(t.stack, 'tpp-dpop'), dpop: await tokenProof(t.stack, key, { url: 'https://localhost/other' }) });
  assert.equal(elsewhere.status, 400);
  assert.equal(elsewhere.body!.error, 'invalid_dpop_proof');
  assert.equal(idpChecks(t.stack, elsewhere.interactionId)['idp.dpop-proof'], 'fail');
});

test('an mTLS-bound client that also sends a DPoP proof is refused: one token is never bound both ways', async () => {
  const r = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha', dpop: await tokenProof(t.stack, key) });
  assert.equal(r.status, 400);
  assert.equal(r.body!.error, 'invalid_request');
  assert.match(String(r.body!.error_description), /multiple proof-of-possession mechanisms are not allowed/);
  assert.equal(idpChecks(t.stack, r.interactionId)['idp.dpop-proof'], 'fail');
});

test('introspection by the gateway (its own certificate) returns active, cnf and token_type for both bindings', async () => {
  const mtls = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha', resource: RESOURCES.obApiOpaque });
  const a = await introspect(t.stack, String(mtls.body!.access_token));
  assert.equal(a.status, 200);
  assert.equal(a.body!.active, true);
  assert.equal(a.body!.token_type, 'Bearer');
  assert.equal(a.body!.client_id, 'tpp-alpha');
  assert.equal(a.body!.scope, 'accounts');
  assert.deepEqual(a.body!.cnf, { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') });
  const dpop = await dpopClient(t.stack, key, { resource: RESOURCES.obApiOpaque });
  const d = await introspect(t.stack, String(dpop.body!.access_token));
  assert.equal(d.body!.active, true);
  assert.equal(d.body!.token_type, 'DPoP');
  assert.deepEqual(d.body!.cnf, { jkt: key.jkt });
  const id = idpChecks(t.stack, d.interactionId);
  assert.equal(id['idp.client-auth'], 'pass', 'the introspection request is recorded too');
});

test('introspection: unknown tokens are inactive, another client may not introspect a token, the gateway needs its certificate, JWTs are self-contained', async () => {
  const opaque = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha', resource: RESOURCES.obApiOpaque });
  const token = String(opaque.body!.access_token);
  assert.deepEqual((await introspect(t.stack, 'no-such-token')).body, { active: false });
  assert.deepEqual((await introspect(t.stack, token, { clientId: 'mallory-app', cert: 'mallory' })).body, { active: false });
  const noCert = await postForm(t.stack, t.stack.idp.endpoints.introspection, { token, client_id: 'fapi-gateway' });
  assert.equal(noCert.status, 401);
  assert.equal(noCert.body!.error, 'invalid_client');
  // oidc-provider does not introspect JWT access tokens: resource servers verify them locally.
  const jwt = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha' });
  const structured = await introspect(t.stack, String(jwt.body!.access_token));
  assert.equal(structured.status, 400);
  assert.equal(structured.body!.error, 'unsupported_token_type');
});

test('the phantom-token resource gets opaque tokens; through /phantom the gateway introspects them and still checks the binding', async () => {
  const r = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha', resource: RESOURCES.obApiOpaque });
  assert.equal(r.status, 200);
  const token = String(r.body!.access_token);
  assert.equal(r.claims, null, 'not a JWT');
  assert.doesNotMatch(token, /^eyJ/);
  const i = await introspect(t.stack, token);
  assert.equal(i.body!.active, true);
  assert.equal(i.body!.aud, RESOURCES.obApiOpaque);
  assert.deepEqual(i.body!.cnf, { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') });

  const owner = await callGateway(t.stack, `/phantom${ACCOUNTS}`, { cert: 'tpp-alpha', token });
  assert.equal(owner.response?.status, 200);
  assert.equal(outcome(t.stack, owner, 'token.introspection'), 'pass');
  assert.equal(outcome(t.stack, owner, 'mtls.cnf-thumbprint-match'), 'pass');
  const thief = await callGateway(t.stack, `/phantom${ACCOUNTS}`, { cert: 'mallory', token });
  assert.equal(thief.response?.status, 401);
  assert.equal(outcome(t.stack, thief, 'token.introspection'), 'pass');
  assert.equal(failedCheck(t.stack, thief), 'mtls.cnf-thumbprint-match');
});

test('token.introspection fails for a token the IdP does not know, and for a JWT (the phantom route takes opaque tokens)', async () => {
  const unknown = await callGateway(t.stack, `/phantom${ACCOUNTS}`, { cert: 'tpp-alpha', token: randomBytes(32).toString('base64url') });
  assert.equal(unknown.response?.status, 401);
  assert.equal(failedCheck(t.stack, unknown), 'token.introspection');
  assert.equal(parseChallenges(String(unknown.response!.headers['www-authenticate']))[0]!.params.error, 'invalid_token');
  const jwt = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha' });
  const structured = await callGateway(t.stack, `/phantom${ACCOUNTS}`, { cert: 'tpp-alpha', token: String(jwt.body!.access_token) });
  assert.equal(structured.response?.status, 401);
  assert.equal(failedCheck(t.stack, structured), 'token.introspection');
});

test('a DPoP-bound opaque token works through /phantom with a proof by its key, and not with another key', async () => {
  const r = await dpopClient(t.stack, key, { resource: RESOURCES.obApiOpaque });
  assert.equal(r.status, 200);
  assert.equal(r.body!.token_type, 'DPoP');
  const token = String(r.body!.access_token);
  assert.equal((await dpopCall(t.stack, `/phantom${ACCOUNTS}`, token, key)).response?.status, 200);
  const stolen = await dpopCall(t.stack, `/phantom${ACCOUNTS}`, token, await generateDpopKey('thief'));
  assert.equal(failedCheck(t.stack, stolen), 'dpop.cnf-jkt-match');
});

test('PAR over the mTLS alias with PKCE S256 gives a request_uri that /auth accepts; without a code_challenge or a certificate it is refused', async () => {
  const callback = `${t.stack.urls.ui}/callback`;
  const verifier = randomBytes(32).toString('base64url');
  // The accounts scope needs an account-access consent of this client (test/consent covers the journey).
  const consent = await t.stack.consents.create('tpp-alpha', { permissions: ['ReadAccountsBasic'] });
  const params = {
    client_id: 'tpp-alpha', response_type: 'code', redirect_uri: callback, scope: 'openid accounts', state: 's1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    claims: JSON.stringify({ id_token: { openbanking_intent_id: { value: consent.id, essential: true } } }),
  };
  const par = await postForm(t.stack, t.stack.idp.endpoints.par, params, { cert: 'tpp-alpha' });
  assert.equal(par.status, 201, par.ex.response?.body);
  assert.match(String(par.body!.request_uri), /^urn:ietf:params:oauth:request_uri:/);
  assert.equal(typeof par.body!.expires_in, 'number');
  const auth = await send({
    method: 'GET', url: `${t.stack.idp.endpoints.authorization}?client_id=tpp-alpha&request_uri=${encodeURIComponent(String(par.body!.request_uri))}`,
    headers: {}, ca: t.stack.pki.rootCa, cert: null,
  });
  assert.equal(auth.response?.status, 303);
  const location = String(auth.response!.headers.location);
  assert.ok(!location.startsWith(callback), `an interaction, not an error redirect: ${location}`);

  const { code_challenge: _c, code_challenge_method: _m, ...noPkce } = params;
  const refused = await postForm(t.stack, t.stack.idp.endpoints.par, noPkce, { cert: 'tpp-alpha' });
  assert.equal(refused.status, 400);
  assert.equal(refused.body!.error, 'invalid_request');
  assert.match(String(refused.body!.error_description), /PKCE/);
  const noCert = await postForm(t.stack, t.stack.idp.endpoints.par, params);
  assert.equal(noCert.status, 401);
  assert.equal(noCert.body!.error, 'invalid_client');
});

test('with FAPI_IDP_DPOP_NONCE / idp.dpopNonce the token endpoint demands a nonce (use_dpop_nonce, then success); FAPI_ACCESS_TOKEN_ALG=ES256 signs access tokens with ES256', async () => {
  const nonceStack = await startTestStack('idp-nonce', { idp: { dpopNonce: true, accessTokenAlg: 'ES256' } });
  try {
    const s = nonceStack.stack;
    const first = await dpopClient(s, key);
    assert.equal(first.status, 400);
    assert.equal(first.body!.error, 'use_dpop_nonce');
    const nonce = first.ex.response!.headers['dpop-nonce'];
    assert.equal(typeof nonce, 'string');
    assert.equal(idpChecks(s, first.interactionId)['idp.dpop-proof'], 'fail');
    const second = await dpopClient(s, key, { nonce: String(nonce) });
    assert.equal(second.status, 200, second.ex.response?.body);
    assert.equal(second.body!.token_type, 'DPoP');
    assert.equal(second.header!.alg, 'ES256');
    const jwks = createLocalJWKSet({ keys: s.idp.publicJwks.keys as JWK[] });
    const { payload } = await jwtVerify(String(second.body!.access_token), jwks, { issuer: s.idp.issuer, audience: RESOURCES.obApi, algorithms: ['ES256'] });
    assert.deepEqual(payload.cnf, { jkt: key.jkt });
    assert.equal((await dpopCall(s, ACCOUNTS, String(second.body!.access_token), key)).response?.status, 200);
    const madeUp = await dpopClient(s, key, { nonce: 'not-a-nonce-the-server-issued' });
    assert.equal(madeUp.body!.error, 'use_dpop_nonce');
    const mtls = await requestToken(s, { clientId: 'tpp-alpha', cert: 'tpp-alpha' });
    assert.equal(mtls.header!.alg, 'ES256');
    assert.equal((await callGateway(s, ACCOUNTS, { cert: 'tpp-alpha', token: String(mtls.body!.access_token) })).response?.status, 200);
  } finally {
    await nonceStack.stop();
  }
  const without = await dpopClient(t.stack, key);
  assert.equal(without.status, 200, 'the default stack demands no nonce');
  assert.equal(without.header!.alg, 'PS256');
});
