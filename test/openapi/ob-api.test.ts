// OpenAPI conformance of the mock Open Banking API (openapi/ob-api.yaml): real requests over real TLS
// through the gateway, with certificate-bound and DPoP-bound tokens and a token from the consent journey,
// every answer (consents, successes, pages, and 400 / 401 / 403 / 404 / 405 / 413 / 415 / 431 errors, from
// the gateway and from the API) checked against the document. Every documented operation must be
// exercised with a success.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, callGateway, idpToken, type CallOptions, type TestStack } from '../helpers/stack.ts';
import { requestToken } from '../helpers/idp.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { OpenApiConformance } from './conformance.ts';
import { authorisedCode, envOfStack, redeem } from '../helpers/journey.ts';
import { jsonBody } from '../../server/engine/http-client.ts';
import { PaymentStore } from '../../server/payments/store.ts';
import { randomUUID } from 'node:crypto';
import { signDetached } from '../../server/directory/jws.ts';

const BASE = '/open-banking/v3.1/aisp';
const doc = new OpenApiConformance('ob-api');
let t: TestStack;
let alphaToken: string;
let dpopKey: DpopKey;
let dpopToken: string;

before(async () => {
  t = await startTestStack('openapi-ob');
  const r = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  alphaToken = String(r.body!.access_token);
  dpopKey = await generateDpopKey('openapi');
  dpopToken = await idpToken(t.stack, { client_id: 'tpp-dpop', cnf: { jkt: dpopKey.jkt } });
});
after(() => t.stop());

/** A gateway call whose answer must conform; returns the status and parsed body. */
async function call(path: string, opts: CallOptions = {}): Promise<{ status: number; body: any; headers: Record<string, string | string[]> }> {
  const ex = await callGateway(t.stack, path, opts);
  assert.ok(ex.response, `no answer for ${path}: ${ex.error?.message}`);
  const { status, headers, body } = ex.response;
  assert.deepEqual(doc.problems({ method: opts.method ?? 'GET', url: path, status, headers, body }), [], `${path} does not conform`);
  return { status, headers, body: body ? JSON.parse(body) : null };
}

const alpha = (extra: CallOptions = {}): CallOptions => ({ cert: 'tpp-alpha', token: alphaToken, ...extra });

async function dpopCall(path: string, extra: { nonce?: string; proof?: string } = {}) {
  const url = t.stack.urls.gateway + path;
  const proof = extra.proof ?? (await buildProof(dpopKey, { method: 'GET', url, accessToken: dpopToken, now: Date.now() / 1000, ...(extra.nonce ? { nonce: extra.nonce } : {}) })).jwt;
  return { proof, reply: await call(path, { token: dpopToken, scheme: 'DPoP', headers: { dpop: proof } }) };
}

describe('OB API answers conform to openapi/ob-api.yaml', () => {
  test('accounts, one account, balances (per account and bulk)', async () => {
    const accounts = await call(`${BASE}/accounts`, alpha());
    assert.equal(accounts.status, 200);
    assert.ok(accounts.body.Data.Account.length >= 2);
    const id = accounts.body.Data.Account[0].AccountId;
    assert.equal((await call(`${BASE}/accounts/${id}`, alpha())).status, 200);
    assert.equal((await call(`${BASE}/accounts/${id}/balances`, alpha())).status, 200);
    assert.equal((await call(`${BASE}/balances`, alpha())).status, 200);
  });

  test('transactions: every page of the bulk list through Links.Next, an account, a booking-date filter', async () => {
    let path: string | null = `${BASE}/transactions`;
    let pages = 0;
    while (path) {
      const r = await call(path, alpha());
      assert.equal(r.status, 200);
      pages++;
      path = r.body.Links.Next ? new URL(r.body.Links.Next).pathname + new URL(r.body.Links.Next).search : null;
      assert.ok(pages < 50, 'Links.Next loops');
    }
    assert.ok(pages > 1, 'the seed has more than one page of transactions');
    const r = await call(`${BASE}/accounts/acc-demo-current/transactions?fromBookingDateTime=2000-01-01&page=1`, alpha());
    assert.equal(r.status, 200);
  });

  test('account-access consents: create, read, revoke; bad bodies; another client\'s consent', async () => {
    const json = { 'content-type': 'application/json' };
    const body = (v: unknown) => ({ ...alpha({ method: 'POST', headers: json }), body: JSON.stringify(v) });
    const created = await call(`${BASE}/account-access-consents`, body({ Data: { Permissions: ['ReadAccountsDetail', 'ReadBalances'] }, Risk: {} }));
    assert.equal(created.status, 201);
    assert.equal(created.body.Data.Status, 'AwaitingAuthorisation');
    const id = created.body.Data.ConsentId;
    assert.equal((await call(`${BASE}/account-access-consents/${id}`, alpha())).body.Data.Status, 'AwaitingAuthorisation');
    const missing = await call(`${BASE}/account-access-consents`, body({ Data: { Permissions: ['ReadBalances'] } }));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.Errors[0].ErrorCode, 'UK.OBIE.Field.Missing');
    const unknown = await call(`${BASE}/account-access-consents`, body({ Data: { Permissions: ['ReadEverything'] }, Risk: {} }));
    assert.equal(unknown.body.Errors[0].ErrorCode, 'UK.OBIE.Field.Invalid');
    const notJson = await call(`${BASE}/account-access-consents`, { ...alpha({ method: 'POST', headers: { 'content-type': 'text/plain' } }), body: 'Permissions=all' });
    assert.equal(notJson.status, 415);
    const beta = await requestToken(t.stack, { clientId: 'tpp-beta', cert: 'tpp-beta' });
    assert.equal((await call(`${BASE}/account-access-consents/${id}`, { cert: 'tpp-beta', token: String(beta.body!.access_token) })).status, 404);
    assert.equal((await call(`${BASE}/account-access-consents/${id}`, alpha({ method: 'DELETE' }))).status, 204);
    assert.equal((await call(`${BASE}/account-access-consents/${id}`, alpha())).body.Data.Status, 'Revoked');
    assert.equal((await call(`${BASE}/account-access-consents/aac-unknown`, alpha({ method: 'DELETE' }))).status, 404);
  });

  test('data read with a token from the consent journey: only the consented account, Basic fields only', async () => {
    const env = envOfStack(t.stack);
    const { code, verifier } = await authorisedCode(env, { cert: 'tpp-alpha', clientId: 'tpp-alpha', permissions: ['ReadAccountsBasic'], username: 'demo', password: 'correct-horse', accounts: ['acc-demo-current'] });
    const token = String(jsonBody(await redeem(env, 'tpp-alpha', 'tpp-alpha', code, verifier))?.access_token);
    const accounts = await call(`${BASE}/accounts`, { cert: 'tpp-alpha', token });
    assert.deepEqual(accounts.body.Data.Account.map((a: { AccountId: string }) => a.AccountId), ['acc-demo-current']);
    assert.equal(accounts.body.Data.Account[0].Account, undefined, 'ReadAccountsBasic: no identification');
    const balances = await call(`${BASE}/balances`, { cert: 'tpp-alpha', token });
    assert.equal(balances.status, 403);
    assert.equal(balances.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.ConsentMismatch');
    const consents = await call(`${BASE}/account-access-consents`, { cert: 'tpp-alpha', token, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(consents.status, 403, 'consent resources take a client-credentials token');
  });

  test('domestic payments: consent, funds confirmation, payment, settlement; mismatches and a consumed consent', async () => {
    const PISP = '/open-banking/v3.1/pisp';
    const cc = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha', scope: 'payments' });
    assert.equal(cc.status, 200, JSON.stringify(cc.body));
    const ccToken = String(cc.body!.access_token);
    const alphaSigning = t.stack.directory.signer('tpp-alpha-signing');
    const post = async (path: string, token: string, v: unknown, key: string = randomUUID()) => call(path, {
      cert: 'tpp-alpha', token, method: 'POST', body: JSON.stringify(v),
      headers: { 'content-type': 'application/json', 'x-idempotency-key': key, 'x-jws-signature': await signDetached(JSON.stringify(v), alphaSigning) },
    });
    const initiation = {
      InstructionIdentification: 'ACME412', EndToEndIdentification: 'FRESCO.21302.GFX.20',
      InstructedAmount: { Amount: '165.88', Currency: 'GBP' },
      CreditorAccount: { SchemeName: 'UK.OBIE.SortCodeAccountNumber', Identification: '08080021325698', Name: 'ACME Inc' },
      RemittanceInformation: { Reference: 'FRESCO-101' },
    };
    const risk = { PaymentContextCode: 'EcommerceGoods' };
    const created = await post(`${PISP}/domestic-payment-consents`, ccToken, { Data: { Initiation: initiation }, Risk: risk });
    assert.equal(created.status, 201);
    assert.equal(created.body.Data.Status, 'AwaitingAuthorisation');
    assert.match(String(created.headers['x-jws-signature']), /^[\w-]+\.\.[\w-]+$/, 'the bank signs its answer');
    const id = created.body.Data.ConsentId;
    const unsigned = await call(`${PISP}/domestic-payment-consents`, { cert: 'tpp-alpha', token: ccToken, method: 'POST', headers: { 'content-type': 'application/json', 'x-idempotency-key': randomUUID() }, body: '{}' });
    assert.deepEqual([unsigned.status, unsigned.body.Errors[0].ErrorCode], [400, 'UK.OBIE.Signature.Missing']);
    assert.equal((await call(`${PISP}/domestic-payment-consents/${id}`, { cert: 'tpp-alpha', token: ccToken })).body.Data.Status, 'AwaitingAuthorisation');
    const invalid = await post(`${PISP}/domestic-payment-consents`, ccToken, { Data: { Initiation: { ...initiation, InstructedAmount: { Amount: '-1', Currency: 'GBP' } } }, Risk: risk });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.Errors[0].Path, 'Data.Initiation.InstructedAmount.Amount');
    // The customer authorises it (the journey's part, done on the store here), and the token names it.
    await new PaymentStore(t.stack.db.prisma).authorise(id, { customerId: 'psu-demo', debtorAccountId: 'acc-demo-current', grantId: `grant-${id}` });
    const token = await idpToken(t.stack, { scope: 'payments', sub: 'psu-demo', openbanking_intent_id: id, cnf: { 'x5t#S256': t.stack.pki.cert('tpp-alpha').entry.thumbprint } });
    const funds = await call(`${PISP}/domestic-payment-consents/${id}/funds-confirmation`, { cert: 'tpp-alpha', token });
    assert.equal(funds.status, 200);
    assert.equal(typeof funds.body.Data.FundsAvailableResult.FundsAvailable, 'boolean');
    const changed = await post(`${PISP}/domestic-payments`, token, { Data: { ConsentId: id, Initiation: { ...initiation, InstructedAmount: { Amount: '1665.88', Currency: 'GBP' } } }, Risk: risk });
    assert.equal(changed.status, 400);
    assert.deepEqual(changed.body.Errors.map((e: { ErrorCode: string; Path: string }) => [e.ErrorCode, e.Path]), [['UK.OBIE.Resource.ConsentMismatch', 'Data.Initiation.InstructedAmount']]);
    const paid = await post(`${PISP}/domestic-payments`, token, { Data: { ConsentId: id, Initiation: initiation }, Risk: risk }, 'pay-once');
    assert.equal(paid.status, 201);
    const replayed = await post(`${PISP}/domestic-payments`, token, { Data: { ConsentId: id, Initiation: initiation }, Risk: risk }, 'pay-once');
    assert.deepEqual(replayed.body, paid.body, 'the same idempotency key and body: the same payment');
    const reused = await post(`${PISP}/domestic-payments`, token, { Data: { ConsentId: id, Initiation: { ...initiation, EndToEndIdentification: 'other' } }, Risk: risk }, 'pay-once');
    assert.deepEqual([reused.status, reused.body.Errors[0].ErrorCode], [400, 'UK.OBIE.Header.Invalid']);
    assert.equal(paid.body.Data.Status, 'AcceptedSettlementInProcess');
    assert.equal((await call(`${PISP}/domestic-payment-consents/${id}`, { cert: 'tpp-alpha', token: ccToken })).body.Data.Status, 'Consumed');
    const again = await post(`${PISP}/domestic-payments`, token, { Data: { ConsentId: id, Initiation: initiation }, Risk: risk });
    assert.equal(again.status, 403);
    assert.equal(again.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.InvalidConsentStatus');
    const read = await call(`${PISP}/domestic-payments/${paid.body.Data.DomesticPaymentId}`, { cert: 'tpp-alpha', token: ccToken });
    assert.equal(read.body.Data.Status, 'AcceptedSettlementCompleted');
    const accountsToken = await call(`${PISP}/domestic-payment-consents/${id}`, alpha());
    assert.equal(accountsToken.status, 403, 'an accounts token at the payments route');
    assert.equal(accountsToken.body.error, 'insufficient_scope');
  });

  test('the same API on the other gateway routes: /mtls, /dpop, /bearer', async () => {
    assert.equal((await call(`/mtls${BASE}/accounts`, alpha())).status, 200);
    assert.equal((await dpopCall(`/dpop${BASE}/balances`)).reply.status, 200);
    assert.equal((await call(`/bearer${BASE}/accounts`, alpha())).status, 200);
  });

  test('400: the gateway refuses a token in the query string; the API refuses a bad page and a bad date', async () => {
    const gw = await call(`${BASE}/accounts?access_token=x`, alpha());
    assert.equal(gw.status, 400);
    assert.equal(gw.body.error, 'invalid_request');
    const page = await call(`${BASE}/transactions?page=0`, alpha());
    assert.equal(page.status, 400);
    assert.equal(page.body.Errors[0].ErrorCode, 'UK.OBIE.Field.Invalid');
    const date = await call(`${BASE}/transactions?fromBookingDateTime=yesterday`, alpha());
    assert.equal(date.body.Errors[0].ErrorCode, 'UK.OBIE.Field.InvalidDate');
    const id = await call(`${BASE}/accounts/${'x'.repeat(41)}`, alpha());
    assert.equal(id.status, 400);
  });

  test('401: no token, a stolen token with another certificate, a replayed DPoP proof, a DPoP nonce demanded', async () => {
    const none = await call(`${BASE}/accounts`, { cert: 'tpp-alpha' });
    assert.equal(none.status, 401);
    assert.equal(none.body.error, undefined, 'no credentials: no error code (RFC 6750 §3.1)');
    const stolen = await call(`${BASE}/accounts`, { cert: 'mallory', token: alphaToken });
    assert.equal(stolen.status, 401);
    assert.equal(stolen.body.check, 'mtls.cnf-thumbprint-match');
    const { proof } = await dpopCall(`/dpop${BASE}/accounts`);
    const replay = await dpopCall(`/dpop${BASE}/accounts`, { proof });
    assert.equal(replay.reply.status, 401);
    assert.equal(replay.reply.body.error, 'invalid_dpop_proof');
    const nonce = await dpopCall(`/dpop-nonce${BASE}/accounts`);
    assert.equal(nonce.reply.status, 401);
    assert.equal(nonce.reply.body.error, 'use_dpop_nonce');
    assert.ok(nonce.reply.headers['dpop-nonce']);
    const withNonce = await dpopCall(`/dpop-nonce${BASE}/accounts`, { nonce: String(nonce.reply.headers['dpop-nonce']) });
    assert.equal(withNonce.reply.status, 200);
  });

  test('403: insufficient scope at the gateway; an account outside the access at the API', async () => {
    const token = await idpToken(t.stack, { scope: 'openid', cnf: { 'x5t#S256': t.stack.pki.cert('tpp-alpha').entry.thumbprint } });
    const scope = await call(`${BASE}/accounts`, { cert: 'tpp-alpha', token });
    assert.equal(scope.status, 403);
    assert.equal(scope.body.error, 'insufficient_scope');
    const other = await call(`${BASE}/accounts/acc-bob-current`, alpha());
    assert.equal(other.status, 403);
    assert.equal(other.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.ConsentMismatch');
  });

  test('404 and 405 (x-unmatched-responses): no gateway route, no API resource, a method the path lacks', async () => {
    const route = await call('/no-such-route', alpha());
    assert.equal(route.status, 404);
    assert.ok(route.body.routes.length > 0);
    const resource = await call(`${BASE}/standing-orders`, alpha());
    assert.equal(resource.status, 404);
    assert.equal(resource.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.NotFound');
    const method = await call(`${BASE}/accounts`, alpha({ method: 'DELETE' }));
    assert.equal(method.status, 405);
    assert.equal(method.headers.allow, 'GET');
  });

  test('the listener\'s own refusals (x-listener-responses): too many headers, a body too large', async () => {
    const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`x-filler-${i}`, 'x']));
    const headers = await call(`${BASE}/accounts`, alpha({ headers: many }));
    assert.equal(headers.status, 431);
    const big = await call(`${BASE}/accounts`, alpha({ method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) } }));
    assert.equal(big.status, 413);
  });

  test('every documented operation was exercised with a success', () => {
    assert.deepEqual(doc.unexercised(), []);
  });
});
