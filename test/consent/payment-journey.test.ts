// The domestic payment journey over real TLS: a signed payment consent through the gateway, PAR naming it
// with the payments scope, the customer signing in and confirming on the bank's payment page (amount,
// payee, reference, the account to pay from), the certificate-bound token, funds confirmation, the
// signed payment, settlement; and what the IdP refuses (no consent, a consent used up, a mixed scope).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { asPage, authorizationParams, browser, decide, envOfStack, gateway, intentClaims, pkce, pushAuthorization, redeem, signIn, tokenRequest, type JourneyEnv } from '../helpers/journey.ts';
import { jsonBody, send } from '../../server/engine/http-client.ts';
import { signDetached } from '../../server/directory/jws.ts';
import { buildRequestObject } from '../../server/engine/crypto/request-object.ts';

const PISP = '/open-banking/v3.1/pisp';
let t: TestStack;
let env: JourneyEnv;

before(async () => {
  t = await startTestStack('payment-journey');
  env = envOfStack(t.stack);
});
after(() => t.stop());

const initiation = {
  InstructionIdentification: 'JOURNEY-1', EndToEndIdentification: 'E2E-JOURNEY-1',
  InstructedAmount: { Amount: '12.50', Currency: 'GBP' },
  CreditorAccount: { SchemeName: 'UK.OBIE.SortCodeAccountNumber', Identification: '40400411111111', Name: 'Bob Jones' },
  RemittanceInformation: { Reference: 'LUNCH' },
};

/** A signed, idempotent POST through the gateway as Alpha. */
async function signedPost(token: string, path: string, body: unknown) {
  const text = JSON.stringify(body);
  return send({
    method: 'POST', url: env.urls.gateway + path, ca: env.ca, cert: env.cert('tpp-alpha'), body: text,
    headers: {
      accept: 'application/json', authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-idempotency-key': randomUUID(),
      'x-jws-signature': await signDetached(text, t.stack.directory.signer('tpp-alpha-signing')),
    },
  });
}

async function paymentsToken(): Promise<string> {
  const r = await tokenRequest(env, 'tpp-alpha', { grant_type: 'client_credentials', client_id: 'tpp-alpha', scope: 'payments' });
  return String(jsonBody(r)?.access_token);
}

async function newConsent(cc: string): Promise<string> {
  const r = await signedPost(cc, `${PISP}/domestic-payment-consents`, { Data: { Initiation: initiation }, Risk: {} });
  assert.equal(r.response?.status, 201, r.response?.body);
  return String((jsonBody(r)?.Data as { ConsentId: string }).ConsentId);
}

async function par(consentId: string | null, scope = 'openid payments') {
  const { verifier, challenge } = pkce();
  const r = await pushAuthorization(env, 'tpp-alpha', { ...authorizationParams(env, 'tpp-alpha', null, challenge), scope, ...(consentId ? { claims: intentClaims(consentId) } : {}) });
  return { r, verifier };
}

test('the whole payment journey: consent, the bank\'s payment page, token, funds, payment, settlement; the consent pays once', async () => {
  const cc = await paymentsToken();
  const consentId = await newConsent(cc);
  const { r, verifier } = await par(consentId);
  const requestUri = String(jsonBody(r)?.request_uri);
  assert.equal(r.response?.status, 201, r.response?.body);
  const { browser: b } = browser(env);
  const login = asPage(await b.open(`${env.urls.idp}/auth?client_id=tpp-alpha&request_uri=${encodeURIComponent(requestUri)}`));
  const page = asPage(await signIn(b, login, 'demo', 'correct-horse'));
  assert.equal(page.page.title, 'Pay £12.50 to Bob Jones – Sandbox Bank');
  const said = page.page.content.map((c) => c.text).join(' | ');
  for (const fact of ['£12.50', 'Bob Jones', 'sort code 40-40-04 · account 11111111', 'LUNCH', consentId]) assert.ok(said.includes(fact), `${fact} in ${said}`);
  const none = asPage(await decide(b, page, 'approve', []));
  assert.match(String(none.page.alert), /Choose one of your accounts/);
  const back = await decide(b, none, 'approve', ['acc-demo-current']);
  assert.equal(back.kind, 'redirect-uri');
  const code = String(new URL(back.url).searchParams.get('code'));
  const tokens = jsonBody(await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier))!;
  const token = String(tokens.access_token);
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  assert.deepEqual([claims.scope, claims.openbanking_intent_id, claims.sub, typeof claims.cnf?.['x5t#S256']], ['payments', consentId, 'psu-demo', 'string']);

  const funds = await gateway(env, 'tpp-alpha', token, `${PISP}/domestic-payment-consents/${consentId}/funds-confirmation`);
  assert.equal((jsonBody(funds)?.Data as { FundsAvailableResult: { FundsAvailable: boolean } }).FundsAvailableResult.FundsAvailable, true);
  const paid = await signedPost(token, `${PISP}/domestic-payments`, { Data: { ConsentId: consentId, Initiation: initiation }, Risk: {} });
  assert.equal(paid.response?.status, 201, paid.response?.body);
  const paymentId = (jsonBody(paid)?.Data as { DomesticPaymentId: string }).DomesticPaymentId;
  const again = await signedPost(token, `${PISP}/domestic-payments`, { Data: { ConsentId: consentId, Initiation: initiation }, Risk: {} });
  assert.equal(again.response?.status, 403);
  const status = await gateway(env, 'tpp-alpha', cc, `${PISP}/domestic-payments/${paymentId}`);
  assert.equal((jsonBody(status)?.Data as { Status: string }).Status, 'AcceptedSettlementCompleted');
  const stolen = await send({ method: 'GET', url: `${env.urls.gateway}${PISP}/domestic-payment-consents/${consentId}/funds-confirmation`, ca: env.ca, cert: env.cert('mallory'), headers: { authorization: `Bearer ${token}` } });
  assert.equal(stolen.response?.status, 401, 'a stolen payment token with another certificate');
  // The consent is used up: it cannot be authorised again, and its refresh token gives no new token.
  assert.equal((await par(consentId)).r.response?.status, 400);
  if (typeof tokens.refresh_token === 'string') {
    const refreshed = await tokenRequest(env, 'tpp-alpha', { grant_type: 'refresh_token', client_id: 'tpp-alpha', refresh_token: tokens.refresh_token });
    assert.equal(refreshed.response?.status, 400);
    assert.equal(jsonBody(refreshed)?.error, 'invalid_grant');
  }
});

test('PAR refuses the payments scope without a payment consent, and a payment consent with the accounts scope', async () => {
  const none = await par(null);
  assert.equal(none.r.response?.status, 400);
  assert.match(String(jsonBody(none.r)?.error_description), /payments scope needs a domestic payment consent/);
  const consentId = await newConsent(await paymentsToken());
  const mixed = await par(consentId, 'openid accounts payments');
  assert.equal(mixed.r.response?.status, 400);
  assert.match(String(jsonBody(mixed.r)?.error_description), /payments scope alone/);
});

test('Don\'t pay rejects the consent: the app gets access_denied and the consent is Rejected', async () => {
  const cc = await paymentsToken();
  const consentId = await newConsent(cc);
  const { r } = await par(consentId);
  const { browser: b } = browser(env);
  const login = asPage(await b.open(`${env.urls.idp}/auth?client_id=tpp-alpha&request_uri=${encodeURIComponent(String(jsonBody(r)?.request_uri))}`));
  const back = await decide(b, asPage(await signIn(b, login, 'demo', 'correct-horse')), 'reject', []);
  assert.equal(new URL(back.url).searchParams.get('error'), 'access_denied');
  const read = await gateway(env, 'tpp-alpha', cc, `${PISP}/domestic-payment-consents/${consentId}`);
  assert.equal((jsonBody(read)?.Data as { Status: string }).Status, 'Rejected');
});

test('RFC 9396: a payment consent named in authorization_details of type openbanking_domestic_payment, inside a signed request object; the other type refused either way', async () => {
  const consentId = await newConsent(await paymentsToken());
  const push = async (type: string, id: string, scope = 'openid payments') => {
    const { challenge } = pkce();
    const params = { ...authorizationParams(env, 'tpp-alpha', null, challenge), scope, authorization_details: [{ type, consentId: id }] };
    const signer = t.stack.directory.signer('tpp-alpha-signing');
    const ro = await buildRequestObject({ clientId: 'tpp-alpha', audience: t.stack.idp.issuer, now: Date.now() / 1000, params, key: { alg: signer.alg, kid: signer.kid, key: signer.privateKey } });
    return pushAuthorization(env, 'tpp-alpha', { client_id: 'tpp-alpha', request: ro.jwt });
  };
  const wrongType = await push('openbanking_account_access', consentId);
  assert.equal(wrongType.response?.status, 400, wrongType.response?.body);
  assert.match(String(jsonBody(wrongType)?.error_description), /openbanking_domestic_payment/);
  const ok = await push('openbanking_domestic_payment', consentId);
  assert.equal(ok.response?.status, 201, ok.response?.body);
  const { browser: b } = browser(env);
  const login = asPage(await b.open(`${env.urls.idp}/auth?client_id=tpp-alpha&request_uri=${encodeURIComponent(String(jsonBody(ok)?.request_uri))}`));
  assert.equal(asPage(await signIn(b, login, 'demo', 'correct-horse')).page.title, 'Pay £12.50 to Bob Jones – Sandbox Bank');
  const cc = String(jsonBody(await tokenRequest(env, 'tpp-alpha', { grant_type: 'client_credentials', client_id: 'tpp-alpha', scope: 'accounts' }))?.access_token);
  const account = await gateway(env, 'tpp-alpha', cc, '/open-banking/v3.1/aisp/account-access-consents', { method: 'POST', body: { Data: { Permissions: ['ReadAccountsBasic'] }, Risk: {} } });
  const accountConsent = String((jsonBody(account)?.Data as { ConsentId: string }).ConsentId);
  const paymentTypeForAccounts = await push('openbanking_domestic_payment', accountConsent, 'openid accounts');
  assert.equal(paymentTypeForAccounts.response?.status, 400, paymentTypeForAccounts.response?.body);
  assert.match(String(jsonBody(paymentTypeForAccounts)?.error_description), /openbanking_account_access/);
});
