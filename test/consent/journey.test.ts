// The consent journey at the identity provider, over real TLS: PAR naming the consent (claims or
// authorization_details) with PKCE, the bank's sign-in and consent pages (forgery protection,
// headers, errors), the redirect back (code, state, iss or access_denied), the code exchange, the
// API restricted to the consent, and revocation of consent and grant together.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonBody } from '../../server/engine/http-client.ts';
import { send } from '../../server/engine/http-client.ts';
import { decodeJwt } from '../../server/engine/jwt.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import {
  CONSENTS, asPage, authorisedCode, authorizationParams, browser, clientToken, createConsent, decide, envOfStack, gateway, intentClaims,
  pkce, pushAuthorization, redeem, signIn, tokenRequest, type JourneyEnv,
} from '../helpers/journey.ts';

let t: TestStack;
let env: JourneyEnv;
before(async () => {
  t = await startTestStack('consent-journey');
  env = envOfStack(t.stack);
});
after(() => t.stop());

const ALPHA = { cert: 'tpp-alpha', clientId: 'tpp-alpha' };
const ALL = ['ReadAccountsDetail', 'ReadBalances', 'ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits'];

async function newConsent(permissions = ALL, who = ALPHA): Promise<{ id: string; cc: string }> {
  const cc = await clientToken(env, who.cert, who.clientId);
  return { id: await createConsent(env, who.cert, cc, permissions), cc };
}

async function par(values: Record<string, string>, cert: string | null = 'tpp-alpha') {
  const ex = await pushAuthorization(env, cert, values);
  return { status: ex.response?.status, body: jsonBody(ex) ?? {} };
}

/** PAR for a fresh consent, then the browser at the sign-in page. */
async function toSignIn(permissions = ALL) {
  const { id, cc } = await newConsent(permissions);
  const { verifier, challenge } = pkce();
  const pushed = await par(authorizationParams(env, 'tpp-alpha', id, challenge, 'state-42'));
  assert.equal(pushed.status, 201, JSON.stringify(pushed.body));
  const { browser: b, exchanges, redirects } = browser(env);
  const login = asPage(await b.open(`${env.urls.idp}/auth?client_id=tpp-alpha&request_uri=${encodeURIComponent(String(pushed.body.request_uri))}`));
  return { consentId: id, cc, verifier, b, exchanges, redirects, login };
}

test('PAR refuses accounts without a consent, another client\'s consent, two consents, and PKCE other than S256', async () => {
  const mine = await newConsent();
  const betas = await newConsent(ALL, { cert: 'tpp-beta', clientId: 'tpp-beta' });
  const { challenge } = pkce();
  const base = authorizationParams(env, 'tpp-alpha', null, challenge);
  const cases: [string, Record<string, string>, RegExp][] = [
    ['no consent', base, /accounts scope needs an account-access consent/],
    ['another client\'s consent', { ...base, claims: intentClaims(betas.id) }, /not a consent of this client/],
    ['unknown consent', { ...base, claims: intentClaims('aac-nope') }, /not a consent of this client/],
    ['two consents', { ...base, claims: intentClaims(mine.id), authorization_details: JSON.stringify([{ type: 'openbanking_account_access', consentId: betas.id }]) }, /2 different consents/],
    ['plain PKCE', { ...base, claims: intentClaims(mine.id), code_challenge_method: 'plain' }, /code_challenge_method/],
    ['no PKCE', { ...Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('code_'))), claims: intentClaims(mine.id) }, /PKCE/],
  ];
  for (const [label, values, description] of cases) {
    const r = await par(values);
    assert.equal(r.status, 400, label);
    assert.equal(r.body.error, 'invalid_request', label);
    assert.match(String(r.body.error_description), description, label);
  }
  const withoutCert = await par({ ...base, claims: intentClaims(mine.id) }, null);
  assert.equal(withoutCert.status, 401, 'tls_client_auth without a certificate');
  assert.equal(withoutCert.body.error, 'invalid_client');
  assert.equal((await par({ ...base, claims: intentClaims(mine.id) })).status, 201);
});

test('PAR takes the consent in RFC 9396 authorization_details too, and refuses malformed details and another client\'s consent (invalid_authorization_details)', async () => {
  const { id } = await newConsent();
  const { challenge } = pkce();
  const base = authorizationParams(env, 'tpp-alpha', null, challenge);
  const details = (d: unknown) => ({ ...base, authorization_details: JSON.stringify(d) });
  assert.equal((await par(details([{ type: 'openbanking_account_access', consentId: id }]))).status, 201);
  const betas = await newConsent(ALL, { cert: 'tpp-beta', clientId: 'tpp-beta' });
  // RFC 9396 §5: a detail with an invalid value (another client's consent, an unknown one) is invalid_authorization_details too.
  for (const bad of [[{ type: 'openbanking_account_access', consentId: id, amount: 5 }], [{ type: 'openbanking_account_access' }], [{ type: 'payment_initiation', consentId: id }],
    [{ type: 'openbanking_account_access', consentId: betas.id }], [{ type: 'openbanking_account_access', consentId: 'aac-nope' }]]) {
    const r = await par(details(bad));
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.body.error, 'invalid_authorization_details', JSON.stringify(bad));
  }
});

test('the sign-in page lists the test customers, carries an anti-forgery token and strict headers; a wrong password is a 401 page', async () => {
  const { b, login } = await toSignIn();
  assert.equal(login.page.title, 'Sign in – Sandbox Bank');
  assert.match(login.exchange.response!.body, /Alpha Payments<\/strong> wants to connect/);
  assert.match(login.exchange.response!.body, /<code>demo<\/code><\/td><td><code>correct-horse<\/code>/);
  const headers = login.exchange.response!.headers;
  assert.match(String(headers['content-security-policy']), /default-src 'none'; style-src 'self'.*form-action 'self' http:\/\/localhost:\d+; frame-ancestors 'none'/);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['cache-control'], 'no-store');
  const signInForm = login.page.forms.find((f) => f.fields.some((x) => x.type === 'password'))!;
  assert.match(signInForm.fields.find((x) => x.name === 'csrf')!.value, /^[A-Za-z0-9_-]{43}$/);
  const wrong = asPage(await signIn(b, login, 'demo', 'not-the-password'));
  assert.equal(wrong.exchange.response!.status, 401);
  assert.match(wrong.page.alert ?? '', /username or password is not right/);
  assert.equal(wrong.page.forms[0]!.fields.find((x) => x.name === 'username')!.value, 'demo', 'the username is kept');
  const unknown = asPage(await signIn(b, wrong, 'mallory', 'correct-horse'));
  assert.equal(unknown.exchange.response!.status, 401);
  const css = await send({ method: 'GET', url: `${env.urls.idp}/assets/bank.css`, headers: {}, ca: env.ca, cert: null });
  assert.equal(css.response?.status, 200);
  assert.match(String(css.response?.headers['content-type']), /text\/css/);
});

test('sign-in posts without the anti-forgery token, with another one, or from another origin are refused (403)', async () => {
  const { b, login } = await toSignIn();
  const f = login.page.forms.find((x) => x.fields.some((y) => y.type === 'password'))!;
  const action = new URL(f.action, login.url).toString();
  const cookie = b.jar.header(action)!;
  const post = (body: string, headers: Record<string, string> = {}) =>
    send({ method: 'POST', url: action, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers }, body, ca: env.ca, cert: null });
  const csrf = f.fields.find((x) => x.name === 'csrf')!.value;
  for (const [label, r] of [
    ['no token', await post('username=demo&password=correct-horse')],
    ['another token', await post(`csrf=${'A'.repeat(43)}&username=demo&password=correct-horse`)],
    ['cross-site', await post(`csrf=${csrf}&username=demo&password=correct-horse`, { 'sec-fetch-site': 'cross-site' })],
    ['foreign origin', await post(`csrf=${csrf}&username=demo&password=correct-horse`, { origin: 'https://evil.example' })],
  ] as const) {
    assert.equal(r.response?.status, 403, label);
    assert.match(r.response!.body, /Request refused/, label);
  }
  const json = await post(JSON.stringify({ csrf, username: 'demo' }), { 'content-type': 'application/json' });
  assert.equal(json.response?.status, 415);
  const ok = await post(`csrf=${csrf}&username=demo&password=correct-horse`, { origin: new URL(env.urls.idp).origin, 'sec-fetch-site': 'same-origin' });
  assert.equal(ok.response?.status, 303, 'the genuine post goes through');
});

test('bank pages without the interaction cookie, unknown pages and the mTLS alias answer cleanly, never 5xx', async () => {
  const { login } = await toSignIn();
  const get = (url: string, method = 'GET') => send({ method, url, headers: {}, ca: env.ca, cert: null });
  const noCookie = await get(login.url);
  assert.equal(noCookie.response?.status, 400);
  assert.match(noCookie.response!.body, /This page has expired/);
  assert.equal((await get(`${env.urls.idp}/interaction/abc/nothing-here`)).response?.status, 404);
  assert.equal((await get(`${login.url}/login`)).response?.status, 405);
  const onAlias = await get(login.url.replace(env.urls.idp, env.urls.idpMtls));
  assert.equal(onAlias.response?.status, 404, 'no browser pages where client certificates are requested');
});

test('the consent page names the app, the permissions in plain words, the customer\'s accounts and the expiry; Allow needs an account', async () => {
  const { b, login, consentId } = await toSignIn();
  const page = asPage(await signIn(b, login, 'demo', 'correct-horse'));
  assert.equal(page.page.title, 'Share your account information – Sandbox Bank');
  const html = page.exchange.response!.body;
  for (const words of ['Share your account information with Alpha Payments', 'Your account details', 'Your sort code and account number', 'Your account balances',
    'Money in and money out', 'merchant names', 'When you withdraw it (no end date)', 'Ada Lovelace', consentId]) {
    assert.ok(html.includes(words), words);
  }
  const boxes = page.page.forms[0]!.fields.filter((x) => x.type === 'checkbox');
  assert.deepEqual(boxes.map((x) => x.value), ['acc-demo-current', 'acc-demo-savings']);
  assert.match(boxes[0]!.label ?? '', /Everyday Current account · sort code 40-40-04 · account ending 5678 · GBP/);
  assert.ok(boxes.every((x) => x.checked === false), 'nothing is pre-selected');
  const none = asPage(await decide(b, page, 'approve', []));
  assert.equal(none.exchange.response!.status, 400);
  assert.match(none.page.alert ?? '', /Choose at least one account/);
  const foreign = asPage(await decide(b, none, 'approve', ['acc-alice-current']));
  assert.equal(foreign.exchange.response!.status, 400);
  assert.match(foreign.page.alert ?? '', /only your own accounts/);
  assert.equal((await t.stack.consents.find(consentId))?.status, 'AwaitingAuthorisation');
});

test('Allow: code, state and iss come back; the code buys a bound token naming the consent, and the API serves the chosen account only', async () => {
  const { b, login, consentId, verifier, cc, redirects } = await toSignIn();
  const back = await decide(b, asPage(await signIn(b, login, 'demo', 'correct-horse')), 'approve', ['acc-demo-current']);
  assert.equal(back.kind, 'redirect-uri');
  // FAPI 2.0 SP 5.3.2.2-10/-11: the sign-in POST (credentials) and every other hop are redirected with 303, never 307.
  assert.deepEqual(redirects.filter((r) => r.credentials).map((r) => [r.method, r.status]), [['POST', 303]]);
  assert.deepEqual([...new Set(redirects.map((r) => r.status))], [303]);
  const q = new URL(back.url).searchParams;
  assert.equal(q.get('state'), 'state-42');
  assert.equal(q.get('iss'), t.stack.idp.issuer);
  const consent = await t.stack.consents.find(consentId);
  assert.equal(consent?.status, 'Authorised');
  assert.deepEqual(consent?.accountIds, ['acc-demo-current']);
  assert.equal(consent?.customerId, 'psu-demo');

  const ex = await redeem(env, 'tpp-alpha', 'tpp-alpha', q.get('code')!, verifier);
  assert.equal(ex.response?.status, 200, ex.response?.body);
  const body = jsonBody(ex)!;
  const at = decodeJwt(String(body.access_token))!.claims;
  assert.equal(at.openbanking_intent_id, consentId);
  assert.equal(at.sub, 'psu-demo');
  assert.equal((at.cnf as Record<string, string>)['x5t#S256'], t.stack.pki.cert('tpp-alpha').entry.thumbprint);
  assert.equal(decodeJwt(String(body.id_token))!.claims.openbanking_intent_id, consentId, 'the ID token carries the claim asked for');
  assert.equal(typeof body.refresh_token, 'string');

  const token = String(body.access_token);
  const accounts = jsonBody(await gateway(env, 'tpp-alpha', token, '/open-banking/v3.1/aisp/accounts'))!;
  assert.deepEqual((accounts.Data as { Account: { AccountId: string }[] }).Account.map((a) => a.AccountId), ['acc-demo-current']);
  const tx = await gateway(env, 'tpp-alpha', token, '/open-banking/v3.1/aisp/accounts/acc-demo-current/transactions');
  assert.equal(tx.response?.status, 200);
  assert.equal((await gateway(env, 'tpp-alpha', token, '/open-banking/v3.1/aisp/accounts/acc-demo-savings/transactions')).response?.status, 403);
  assert.equal((await gateway(env, 'mallory', token, '/open-banking/v3.1/aisp/accounts')).response?.status, 401, 'still certificate-bound');
  assert.equal((await gateway(env, 'tpp-alpha', cc, `${CONSENTS}/${consentId}`)).response?.status, 200);
});

test('Don\'t allow: the app gets access_denied with its state and the consent is Rejected', async () => {
  const { b, login, consentId } = await toSignIn();
  const back = await decide(b, asPage(await signIn(b, login, 'bob', 'builder')), 'reject', []);
  assert.equal(back.kind, 'redirect-uri');
  const q = new URL(back.url).searchParams;
  assert.equal(q.get('error'), 'access_denied');
  assert.equal(q.get('state'), 'state-42');
  assert.equal(q.get('code'), null);
  assert.equal((await t.stack.consents.find(consentId))?.status, 'Rejected');
});

test('a consent revoked while the customer reads the consent page: Allow ends with invalid_request at the app', async () => {
  const { b, login, consentId } = await toSignIn();
  const page = asPage(await signIn(b, login, 'alice', 'wonderland'));
  await t.stack.consents.revoke(consentId);
  const back = await decide(b, page, 'approve', ['acc-alice-current']);
  assert.equal(back.kind, 'redirect-uri');
  const q = new URL(back.url).searchParams;
  assert.equal(q.get('error'), 'invalid_request');
  assert.match(q.get('error_description') ?? '', /is Revoked/);
});

test('every journey signs in again and gets its own grant, even in the same browser', async () => {
  const first = await toSignIn();
  const consentPage = asPage(await signIn(first.b, first.login, 'demo', 'correct-horse'));
  assert.equal((await decide(first.b, consentPage, 'approve', ['acc-demo-current'])).kind, 'redirect-uri');
  const { id } = await newConsent();
  const { challenge } = pkce();
  const pushed = await par(authorizationParams(env, 'tpp-alpha', id, challenge));
  const again = asPage(await first.b.open(`${env.urls.idp}/auth?client_id=tpp-alpha&request_uri=${encodeURIComponent(String(pushed.body.request_uri))}`));
  assert.equal(again.page.title, 'Sign in – Sandbox Bank', 'no silent approval from the earlier session');
});

test('a replayed code is invalid_grant, and the grant and its consent are revoked before the answer', async () => {
  const { consentId, code, verifier } = await authorisedCode(env, { ...ALPHA, permissions: ['ReadAccountsBasic'], username: 'demo', password: 'correct-horse', accounts: ['acc-demo-current'] });
  const first = await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier);
  assert.equal(first.response?.status, 200);
  const replay = await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier);
  assert.equal(replay.response?.status, 400);
  assert.equal(jsonBody(replay)?.error, 'invalid_grant');
  assert.equal((await t.stack.consents.find(consentId))?.status, 'Revoked');
  const refresh = await tokenRequest(env, 'tpp-alpha', { grant_type: 'refresh_token', client_id: 'tpp-alpha', refresh_token: String(jsonBody(first)!.refresh_token) });
  assert.equal(jsonBody(refresh)?.error, 'invalid_grant');
});

test('deleting the consent revokes the grant at the IdP: the refresh token fails, the access token is refused by the API', async () => {
  const { consentId, code, verifier, clientToken: cc } = await authorisedCode(env, { ...ALPHA, permissions: ['ReadAccountsBasic'], username: 'demo', password: 'correct-horse', accounts: ['acc-demo-savings'] });
  const tokens = jsonBody(await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier))!;
  const refreshed = await tokenRequest(env, 'tpp-alpha', { grant_type: 'refresh_token', client_id: 'tpp-alpha', refresh_token: String(tokens.refresh_token) });
  assert.equal(refreshed.response?.status, 200, 'refresh works while the consent stands');
  const grantId = (await t.stack.consents.find(consentId))!.grantId!;
  assert.ok(await t.stack.idp.provider.Grant.find(grantId));
  assert.equal((await gateway(env, 'tpp-alpha', cc, `${CONSENTS}/${consentId}`, { method: 'DELETE' })).response?.status, 204);
  assert.equal(await t.stack.idp.provider.Grant.find(grantId), undefined, 'grant destroyed');
  const after = await tokenRequest(env, 'tpp-alpha', { grant_type: 'refresh_token', client_id: 'tpp-alpha', refresh_token: String(jsonBody(refreshed)!.refresh_token) });
  assert.equal(jsonBody(after)?.error, 'invalid_grant');
  const api = await gateway(env, 'tpp-alpha', String(tokens.access_token), '/open-banking/v3.1/aisp/accounts');
  assert.equal(api.response?.status, 403);
  assert.equal((jsonBody(api)?.Errors as { ErrorCode: string }[])[0]!.ErrorCode, 'UK.OBIE.Resource.InvalidConsentStatus');
});

test('a refresh after the consent expired is refused at the token endpoint', async () => {
  const { consentId, code, verifier } = await authorisedCode(env, { ...ALPHA, permissions: ['ReadAccountsBasic'], username: 'demo', password: 'correct-horse', accounts: ['acc-demo-current'] });
  const tokens = jsonBody(await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier))!;
  await t.stack.db.prisma.accountAccessConsent.update({ where: { id: consentId }, data: { expirationDateTime: new Date(Date.now() - 1000) } });
  const refresh = await tokenRequest(env, 'tpp-alpha', { grant_type: 'refresh_token', client_id: 'tpp-alpha', refresh_token: String(tokens.refresh_token) });
  assert.equal(refresh.response?.status, 400);
  assert.equal(jsonBody(refresh)?.error, 'invalid_grant');
  assert.equal((await gateway(env, 'tpp-alpha', String(tokens.access_token), '/open-banking/v3.1/aisp/accounts')).response?.status, 403);
});

test('the callback page shows the authorization response, escaped', async () => {
  const page = await send({ method: 'GET', url: `${env.urls.ui}/callback?code=abc123&state=%3Cscript%3E&iss=${encodeURIComponent(t.stack.idp.issuer)}`, headers: {}, ca: env.ca, cert: null });
  assert.equal(page.response?.status, 200);
  assert.match(page.response!.body, /<code>abc123<\/code>/);
  assert.match(page.response!.body, /&lt;script&gt;/);
  assert.doesNotMatch(page.response!.body, /<script>/);
  const error = await send({ method: 'GET', url: `${env.urls.ui}/callback?error=access_denied`, headers: {}, ca: env.ca, cert: null });
  assert.match(error.response!.body, /Authorization refused/);
});

test('a JARM response (response_mode=jwt) on the callback page: verified with the bank\'s keys, its code shown and redeemable; a tampered one shows no code', async () => {
  const { id } = await newConsent(['ReadAccountsBasic']);
  const { verifier, challenge } = pkce();
  const pushed = await par({ ...authorizationParams(env, 'tpp-alpha', id, challenge), response_mode: 'jwt' });
  assert.equal(pushed.status, 201);
  const { browser: b } = browser(env);
  const login = asPage(await b.open(`${env.urls.idp}/auth?${new URLSearchParams({ client_id: 'tpp-alpha', request_uri: String(pushed.body.request_uri) })}`));
  const back = await decide(b, asPage(await signIn(b, login, 'demo', 'correct-horse')), 'approve', ['acc-demo-current']);
  assert.equal(back.kind, 'redirect-uri');
  const callback = new URL((back as { url: string }).url);
  assert.equal(callback.searchParams.get('code'), null, 'JARM: the code is inside the response JWT only');
  const jwt = callback.searchParams.get('response')!;
  const code = String(decodeJwt(jwt)!.claims.code);

  const page = await send({ method: 'GET', url: callback.toString(), headers: {}, ca: env.ca, cert: null });
  assert.equal(page.response?.status, 200);
  assert.match(page.response!.body, /Authorization code received/);
  assert.ok(page.response!.body.includes(`<code>${code}</code>`), 'the code from the verified JWT');
  assert.match(page.response!.body, /<th scope="row">aud<\/th><td><code>tpp-alpha<\/code>/);
  assert.match(page.response!.body, /signature \((PS256|ES256), kid [^)]+\), iss and exp \([^)]+\) verified with the bank&#39;s keys|signature \((PS256|ES256), kid [^)]+\), iss and exp \([^)]+\) verified with the bank's keys/);
  assert.equal((await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier)).response?.status, 200, 'the shown code is the one the bank issued');

  const [h, p, s] = jwt.split('.') as [string, string, string];
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(jwt)!.claims, code: 'mallorys-code' })).toString('base64url')}.${s}`;
  assert.notEqual(forged, `${h}.${p}.${s}`);
  const refused = await send({ method: 'GET', url: `${env.urls.ui}/callback?response=${forged}`, headers: {}, ca: env.ca, cert: null });
  assert.equal(refused.response?.status, 200);
  assert.match(refused.response!.body, /does not verify \(signature verification failed\)/);
  assert.doesNotMatch(refused.response!.body, /mallorys-code<\/code><\/td>/, 'no code row from an unverified response');
  assert.doesNotMatch(refused.response!.body, /Exchange it/);
});
