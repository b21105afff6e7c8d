// The bundled IdP's fapi2 profile (FAPI 2.0 Security Profile, final) over real TLS: discovery, PAR
// required (5.3.2.2-2), response_type code only, client-assertion aud = issuer only (5.3.2.1-8),
// refresh tokens not rotated and living as long as the consent (5.3.2.1-9), sender-constrained
// tokens only (5.3.2.1-4) with dynamic registration that demands binding and strong keys, the PAR
// request_uri lifetime the README promises, and invalid_dpop_proof for a replayed proof (RFC 9449 §5).
// The legacy client (tpp-bearer) keeps the insecure baseline for the bearer-token lessons.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { requestToken, assertion, getJson, postForm, tokenUrl } from '../helpers/idp.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { send, jsonBody } from '../../server/engine/http-client.ts';
import {
  authorisedCode, authorizationParams, browser, envOfStack, pkce, pushAuthorization, redeem, tokenRequest, type JourneyEnv,
} from '../helpers/journey.ts';
import { ROOT_DIR } from '../../server/config.ts';

let t: TestStack;
let env: JourneyEnv;
let key: DpopKey;
before(async () => {
  t = await startTestStack('idp-fapi2');
  env = envOfStack(t.stack);
  key = await generateDpopKey('fapi2');
});
after(() => t.stop());

const proof = async (url = tokenUrl(t.stack)) => (await buildProof(key, { method: 'POST', url, now: Date.now() / 1000 })).jwt;
const journey = () => authorisedCode(env, {
  cert: 'tpp-alpha', clientId: 'tpp-alpha', permissions: ['ReadAccountsBasic'], username: 'demo', password: 'correct-horse', accounts: ['acc-demo-current'],
});

test('discovery: PAR required, response_type code only, no implicit grant, iss in authorization responses, FAPI algorithms only', async () => {
  const { status, body } = await getJson(t.stack, t.stack.idp.endpoints.discovery);
  assert.equal(status, 200);
  const d = body!;
  assert.equal(d.require_pushed_authorization_requests, true);
  assert.deepEqual(d.response_types_supported, ['code']);
  assert.ok(!(d.grant_types_supported as string[]).includes('implicit'), String(d.grant_types_supported));
  assert.equal(d.authorization_response_iss_parameter_supported, true);
  assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
  for (const alg of d.token_endpoint_auth_signing_alg_values_supported as string[]) assert.ok(['PS256', 'ES256', 'EdDSA'].includes(alg), alg);
});

test('a front-channel authorization request without PAR never reaches the sign-in page: invalid_request back to the app, with iss', async () => {
  const { challenge } = pkce();
  const params = { ...authorizationParams(env, 'tpp-alpha', null, challenge, 'no-par'), scope: 'openid' };
  const { browser: b } = browser(env);
  const landing = await b.open(`${env.urls.idp}/auth?${new URLSearchParams(params)}`);
  assert.equal(landing.kind, 'redirect-uri', `landed on ${landing.kind} ${landing.url}`);
  const q = new URL(landing.url).searchParams;
  assert.equal(q.get('error'), 'invalid_request');
  assert.match(q.get('error_description') ?? '', /pushed authorization request/i);
  assert.equal(q.get('iss'), t.stack.idp.issuer);
  assert.equal(q.get('state'), 'no-par');
});

test('PAR refuses response_type code id_token and token (unsupported_response_type)', async () => {
  for (const responseType of ['code id_token', 'token', 'id_token']) {
    const { challenge } = pkce();
    const ex = await pushAuthorization(env, 'tpp-alpha', { ...authorizationParams(env, 'tpp-alpha', null, challenge), scope: 'openid', response_type: responseType, nonce: 'n-1' });
    assert.equal(ex.response?.status, 400, `${responseType}: ${ex.response?.body}`);
    assert.equal(jsonBody(ex)?.error, 'unsupported_response_type', responseType);
  }
});

test('private_key_jwt: aud must be the issuer alone (token endpoint URL and [issuer, token endpoint] refused)', async () => {
  const call = async (audience: string | string[]) => requestToken(t.stack, {
    clientId: 'tpp-dpop', dpop: await proof(),
    assertion: await assertion(t.stack, 'tpp-dpop', { audience: audience as string }),
  });
  const ok = await call(t.stack.idp.issuer);
  assert.equal(ok.status, 200, ok.ex.response?.body);
  for (const audience of [tokenUrl(t.stack), `${t.stack.idp.issuer}/token`, [t.stack.idp.issuer, tokenUrl(t.stack)]]) {
    const r = await call(audience);
    assert.equal(r.status, 401, `aud ${JSON.stringify(audience)}: ${r.ex.response?.body}`);
    assert.equal(r.body?.error, 'invalid_client');
  }
});

test('client assertions: iat 8 s in the future accepted, 70 s refused (FAPI 2.0 SP 5.3.2.1-12), even with a valid exp', async () => {
  const at = async (skew: number) => requestToken(t.stack, {
    clientId: 'tpp-dpop', dpop: await proof(), assertion: await assertion(t.stack, 'tpp-dpop', { now: Date.now() / 1000 + skew, expiresIn: 120 }),
  });
  const near = await at(8);
  assert.equal(near.status, 200, near.ex.response?.body);
  const far = await at(70);
  assert.equal(far.status, 401, far.ex.response?.body);
  assert.equal(far.body?.error, 'invalid_client');
});

test('refresh tokens are not rotated: the previous one keeps working, the grant and the consent stay', async () => {
  const { consentId, code, verifier } = await journey();
  const first = jsonBody(await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier))!;
  const rt = String(first.refresh_token);
  const refresh = () => tokenRequest(env, 'tpp-alpha', { grant_type: 'refresh_token', client_id: 'tpp-alpha', refresh_token: rt });
  const a = await refresh();
  assert.equal(a.response?.status, 200, a.response?.body);
  const b = await refresh();
  assert.equal(b.response?.status, 200, `a retry with the same refresh token: ${b.response?.body}`);
  assert.equal((await t.stack.consents.find(consentId))?.status, 'Authorised');
});

test('codes live 60 s; refresh tokens live as long as the consent, not as long as the browser session', async () => {
  const { code, verifier } = await journey();
  const stored = await t.stack.idp.provider.AuthorizationCode.find(code);
  assert.equal(stored!.exp! - stored!.iat!, 60, 'codes live 60 s (FAPI 2.0 SP 5.3.2.2-11)');
  const rt = String(jsonBody(await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier))!.refresh_token);
  const refresh = await t.stack.idp.provider.RefreshToken.find(rt);
  assert.ok(refresh, 'the refresh token is stored');
  assert.ok(!refresh.expiresWithSession, 'the refresh token does not expire with the browser session');
  assert.ok(refresh.exp! - refresh.iat! > 86_400, `lifetime ${refresh.exp! - refresh.iat!} s`);
});

test('a replayed DPoP proof at the token endpoint is invalid_dpop_proof (RFC 9449 §5)', async () => {
  const p = await proof();
  const first = await requestToken(t.stack, { clientId: 'tpp-dpop', dpop: p, assertion: await assertion(t.stack, 'tpp-dpop') });
  assert.equal(first.status, 200, first.ex.response?.body);
  const again = await requestToken(t.stack, { clientId: 'tpp-dpop', dpop: p, assertion: await assertion(t.stack, 'tpp-dpop') });
  assert.equal(again.status, 400, again.ex.response?.body);
  assert.equal(again.body?.error, 'invalid_dpop_proof');
});

test('the PAR request_uri lifetime is the one README promises', async () => {
  const { challenge } = pkce();
  const ex = await pushAuthorization(env, 'tpp-alpha', { ...authorizationParams(env, 'tpp-alpha', null, challenge), scope: 'openid' });
  const expiresIn = jsonBody(ex)?.expires_in;
  assert.equal(typeof expiresIn, 'number', ex.response?.body);
  const readme = readFileSync(path.join(ROOT_DIR, 'README.md'), 'utf8');
  assert.match(readme, new RegExp(`In the browser\\*\\*, within ${expiresIn} seconds`));
});

/** RFC 7591 registration at the issuer's endpoint. */
async function register(metadata: Record<string, unknown>) {
  const ex = await send({
    method: 'POST', url: t.stack.idp.endpoints.registration, ca: t.stack.pki.rootCa, cert: null,
    headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(metadata),
  });
  return { status: ex.response?.status, body: jsonBody(ex) ?? {} };
}

const rsaJwk = (bits: number) => ({ ...generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' }), kid: `rsa-${bits}`, use: 'sig' });
const keyClient = (bits: number, extra: Record<string, unknown> = {}) => ({
  client_name: 'Probe', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256',
  jwks: { keys: [rsaJwk(bits)] }, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], dpop_bound_access_tokens: true, ...extra,
});

test('dynamic registration demands sender-constrained tokens, RSA keys of 2048 bits or more, and response_type code only', async () => {
  const good = await register(keyClient(2048));
  assert.equal(good.status, 201, JSON.stringify(good.body));
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['no binding', keyClient(2048, { dpop_bound_access_tokens: undefined }), /sender-constrained|bound_access_tokens/],
    ['RSA 1024', keyClient(1024), /2048/],
    ['hybrid response type', keyClient(2048, { grant_types: ['authorization_code'], response_types: ['code id_token'], redirect_uris: ['https://newco.example/cb'] }), /response_types/],
    ['implicit grant', keyClient(2048, { grant_types: ['implicit'], response_types: ['token'], redirect_uris: ['https://newco.example/cb'] }), /grant_types|response_types/],
    ['a software statement no directory signed', keyClient(2048, { software_statement: 'eyJhbGciOiJub25lIn0.e30.' }), /software_statement/],
  ];
  for (const [label, metadata, why] of cases) {
    const r = await register(metadata);
    assert.equal(r.status, 400, `${label}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'invalid_client_metadata', label);
    assert.match(String(r.body.error_description), why, label);
  }
});

test('the legacy client (tpp-bearer) keeps the insecure baseline: a plain bearer token; FAPI clients never get one', async () => {
  const legacy = await requestToken(t.stack, { clientId: 'tpp-bearer', assertion: await assertion(t.stack, 'tpp-bearer') });
  assert.equal(legacy.status, 200, legacy.ex.response?.body);
  assert.equal(legacy.body?.token_type, 'Bearer');
  assert.equal(legacy.claims?.cnf, undefined);
  const unbound = await requestToken(t.stack, { clientId: 'tpp-dpop', assertion: await assertion(t.stack, 'tpp-dpop') });
  assert.equal(unbound.status, 400, 'a DPoP client without a proof gets no token');
  const par = await postForm(t.stack, t.stack.idp.endpoints.par, { client_id: 'tpp-alpha' }, { cert: 'tpp-alpha' });
  assert.equal(par.status, 400);
});

test('dynamic registration: http redirect URIs are refused (FAPI 2.0 SP 5.3.2.2-8) except on a loopback interface; https is accepted', async () => {
  const web = (uri: string) => keyClient(2048, { grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: [uri] });
  for (const uri of ['http://newco.example/cb', 'http://10.0.0.7/cb', 'http://127.0.0.1.example/cb']) {
    const r = await register(web(uri));
    assert.equal(r.status, 400, `${uri}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'invalid_redirect_uri', uri);
    assert.match(String(r.body.error_description), /loopback/, `${uri}: ${JSON.stringify(r.body)}`);
  }
  for (const uri of ['https://newco.example/cb', 'http://127.0.0.1:8080/cb', 'http://localhost:3000/callback']) {
    const r = await register(web(uri));
    assert.equal(r.status, 201, `${uri}: ${JSON.stringify(r.body)}`);
  }
});
