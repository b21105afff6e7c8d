// The mock Payment Initiation API (OBIE v3.1 domestic payments) on its own, called as the gateway calls
// it: the consent and payment life cycles, which token each resource takes, and the OBIE error codes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, type ApiHarness } from './harness.ts';
import { randomUUID } from 'node:crypto';
import { PaymentStore } from '../../server/payments/store.ts';
import { IdempotencyStore } from '../../server/api/idempotency.ts';
import { sign as nodeSign } from 'node:crypto';
import { compactVerify, createLocalJWKSet } from 'jose';
import { OB_IAT, obHeader, signDetached } from '../../server/directory/jws.ts';

const PISP = '/open-banking/v3.1/pisp';
let api: ApiHarness;
let store: PaymentStore;

const initiation = {
  InstructionIdentification: 'INSTR-1', EndToEndIdentification: 'E2E-1',
  InstructedAmount: { Amount: '12.50', Currency: 'GBP' },
  CreditorAccount: { SchemeName: 'UK.OBIE.SortCodeAccountNumber', Identification: '40400411111111', Name: 'Bob Jones' },
  RemittanceInformation: { Reference: 'LUNCH' },
};
const risk = {};
/** A JSON body with a fresh idempotency key (each call reads the getter anew). */
const json = { 'content-type': 'application/json', get 'x-idempotency-key'() { return randomUUID(); } };
const asClient = { 'x-sandbox-scope': 'payments' };
const asCustomer = (consentId: string, subject = 'psu-demo') => ({ ...asClient, 'x-sandbox-consent-id': consentId, 'x-sandbox-subject': subject });

const SIGNING_KEYS: Record<string, string> = { 'tpp-alpha': 'tpp-alpha-signing', 'mallory-app': 'mallory-signing' };

/** A POST signed (x-jws-signature) with the key of the client it is sent as. */
async function post(path: string, headers: Record<string, string>, body: string, call: ApiHarness['call'] = api.call) {
  const signer = api.directory.signer(SIGNING_KEYS[headers['x-sandbox-client-id'] ?? 'tpp-alpha']!);
  return call(path, { method: 'POST', headers: { ...headers, 'x-jws-signature': await signDetached(body, signer) }, body });
}

async function authorisedConsent(): Promise<string> {
  const r = await post(`${PISP}/domestic-payment-consents`, { ...asClient, ...json }, JSON.stringify({ Data: { Initiation: initiation }, Risk: risk }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await store.authorise(r.body.Data.ConsentId, { customerId: 'psu-demo', debtorAccountId: 'acc-demo-current', grantId: `g-${r.body.Data.ConsentId}` });
  return r.body.Data.ConsentId;
}

const pay = (consentId: string, headers: Record<string, string>, body: unknown = { Data: { ConsentId: consentId, Initiation: initiation }, Risk: risk }) =>
  post(`${PISP}/domestic-payments`, { ...headers, ...json }, JSON.stringify(body));

before(async () => {
  api = await startApi('api-payments');
  store = new PaymentStore(api.db.prisma);
});
after(() => api.close());

describe('domestic payment consents and payments', () => {
  test('a consent is created AwaitingAuthorisation with the Initiation as sent; unknown fields and a missing creditor are refused', async () => {
    const r = await post(`${PISP}/domestic-payment-consents`, { ...asClient, ...json }, JSON.stringify({ Data: { Initiation: initiation }, Risk: risk }));
    assert.equal(r.status, 201);
    assert.match(r.body.Data.ConsentId, /^pdc-/);
    assert.deepEqual(r.body.Data.Initiation, initiation);
    assert.equal(r.body.Links.Self, `https://localhost:9443${PISP}/domestic-payment-consents/${r.body.Data.ConsentId}`);
    const { CreditorAccount: _c, ...noCreditor } = initiation;
    const missing = await post(`${PISP}/domestic-payment-consents`, { ...asClient, ...json }, JSON.stringify({ Data: { Initiation: noCreditor }, Risk: risk }));
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.Errors.map((e: { ErrorCode: string; Path: string }) => [e.ErrorCode, e.Path]), [['UK.OBIE.Field.Missing', 'Data.Initiation.CreditorAccount']]);
    const extra = await post(`${PISP}/domestic-payment-consents`, { ...asClient, ...json }, JSON.stringify({ Data: { Initiation: { ...initiation, Bonus: 1 } }, Risk: risk }));
    assert.equal(extra.body.Errors[0].ErrorCode, 'UK.OBIE.Field.Unexpected');
  });

  test('another client\'s consent and payment are 404; a customer token cannot create or read consents', async () => {
    const id = await authorisedConsent();
    const other = await api.call(`${PISP}/domestic-payment-consents/${id}`, { headers: { ...asClient, 'x-sandbox-client-id': 'tpp-beta' } });
    assert.equal(other.status, 404);
    assert.equal(other.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.NotFound');
    const customer = await api.call(`${PISP}/domestic-payment-consents/${id}`, { headers: asCustomer(id) });
    assert.equal(customer.status, 403);
    const paid = await pay(id, asCustomer(id));
    assert.equal(paid.status, 201);
    const otherPayment = await api.call(`${PISP}/domestic-payments/${paid.body.Data.DomesticPaymentId}`, { headers: { ...asClient, 'x-sandbox-client-id': 'tpp-beta' } });
    assert.equal(otherPayment.status, 404);
  });

  test('a payment needs the customer token of its own consent, Authorised, by that customer', async () => {
    const id = await authorisedConsent();
    const client = await pay(id, asClient);
    assert.equal(client.status, 403);
    assert.equal(client.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.ConsentMismatch');
    const otherId = await authorisedConsent();
    const crossed = await pay(id, asCustomer(otherId));
    assert.equal(crossed.status, 400);
    assert.equal(crossed.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.ConsentMismatch');
    const stranger = await pay(id, asCustomer(id, 'psu-bob'));
    assert.equal(stranger.status, 403);
    const waiting = await post(`${PISP}/domestic-payment-consents`, { ...asClient, ...json }, JSON.stringify({ Data: { Initiation: initiation }, Risk: risk }));
    const unauthorised = await pay(waiting.body.Data.ConsentId, asCustomer(waiting.body.Data.ConsentId));
    assert.equal(unauthorised.status, 403);
    assert.equal(unauthorised.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.InvalidConsentStatus');
  });

  test('the creditor or the Risk changed between consent and payment: 400 ConsentMismatch naming the field', async () => {
    const id = await authorisedConsent();
    const creditor = await pay(id, asCustomer(id), { Data: { ConsentId: id, Initiation: { ...initiation, CreditorAccount: { ...initiation.CreditorAccount, Identification: '99999999999999' } } }, Risk: risk });
    assert.equal(creditor.status, 400);
    assert.deepEqual(creditor.body.Errors.map((e: { Path: string }) => e.Path), ['Data.Initiation.CreditorAccount']);
    const riskChanged = await pay(id, asCustomer(id), { Data: { ConsentId: id, Initiation: initiation }, Risk: { PaymentContextCode: 'PartyToParty' } });
    assert.deepEqual(riskChanged.body.Errors.map((e: { Path: string }) => e.Path), ['Risk']);
    assert.equal((await store.findConsent(id))!.status, 'Authorised', 'a refused payment leaves the consent Authorised');
  });

  test('one payment per consent, even when two race; settlement on the first read', async () => {
    const id = await authorisedConsent();
    const [a, b] = await Promise.all([pay(id, asCustomer(id)), pay(id, asCustomer(id))]);
    assert.deepEqual([a.status, b.status].sort(), [201, 403]);
    const ok = a.status === 201 ? a : b;
    assert.equal(ok.body.Data.Status, 'AcceptedSettlementInProcess');
    const read = await api.call(`${PISP}/domestic-payments/${ok.body.Data.DomesticPaymentId}`, { headers: asClient });
    assert.equal(read.body.Data.Status, 'AcceptedSettlementCompleted');
    assert.equal((await store.findConsent(id))!.status, 'Consumed');
  });

  test('funds confirmation: available for a small amount, not for more than the balance', async () => {
    const id = await authorisedConsent();
    const small = await api.call(`${PISP}/domestic-payment-consents/${id}/funds-confirmation`, { headers: asCustomer(id) });
    assert.equal(small.status, 200);
    assert.equal(small.body.Data.FundsAvailableResult.FundsAvailable, true);
    const big = await post(`${PISP}/domestic-payment-consents`, { ...asClient, ...json }, JSON.stringify({ Data: { Initiation: { ...initiation, InstructedAmount: { Amount: '9999999999.00', Currency: 'GBP' } } }, Risk: risk }));
    const bigId = big.body.Data.ConsentId;
    await store.authorise(bigId, { customerId: 'psu-demo', debtorAccountId: 'acc-demo-current', grantId: `g-${bigId}` });
    const none = await api.call(`${PISP}/domestic-payment-consents/${bigId}/funds-confirmation`, { headers: asCustomer(bigId) });
    assert.equal(none.body.Data.FundsAvailableResult.FundsAvailable, false);
  });

  test('idempotency: the same key and body answer the first answer again; another body is refused; a missing key is refused', async () => {
    const headers = { ...asClient, 'content-type': 'application/json', 'x-idempotency-key': 'order-42' };
    const body = { Data: { Initiation: initiation }, Risk: risk };
    const first = await post(`${PISP}/domestic-payment-consents`, headers, JSON.stringify(body));
    assert.equal(first.status, 201);
    const reordered = { Risk: risk, Data: { Initiation: { ...initiation } } };
    const second = await post(`${PISP}/domestic-payment-consents`, headers, JSON.stringify(reordered, null, 2));
    assert.equal(second.status, 201);
    assert.deepEqual(second.body, first.body, 'the same consent, not a second one');
    assert.equal(await api.db.prisma.paymentConsent.count({ where: { id: first.body.Data.ConsentId } }), 1);
    const other = await post(`${PISP}/domestic-payment-consents`, headers, JSON.stringify({ ...body, Risk: { PaymentContextCode: 'BillPayment' } }));
    assert.equal(other.status, 400);
    assert.deepEqual([other.body.Errors[0].ErrorCode, other.body.Errors[0].Path], ['UK.OBIE.Header.Invalid', 'x-idempotency-key']);
    const beta = await post(`${PISP}/domestic-payment-consents`, { ...headers, 'x-sandbox-client-id': 'mallory-app' }, JSON.stringify(body));
    assert.notEqual(beta.body.Data.ConsentId, first.body.Data.ConsentId, 'keys are per client');
    const { 'x-idempotency-key': _k, ...keyless } = headers;
    const missing = await post(`${PISP}/domestic-payment-consents`, keyless, JSON.stringify(body));
    assert.deepEqual([missing.status, missing.body.Errors[0].ErrorCode], [400, 'UK.OBIE.Header.Missing']);
    const long = await post(`${PISP}/domestic-payment-consents`, { ...headers, 'x-idempotency-key': 'k'.repeat(41) }, JSON.stringify(body));
    assert.deepEqual([long.status, long.body.Errors[0].ErrorCode], [400, 'UK.OBIE.Header.Invalid']);
    const joined = await post(`${PISP}/domestic-payment-consents`, { ...headers, 'x-idempotency-key': 'order-42, order-43' }, JSON.stringify(body));
    assert.deepEqual([joined.status, joined.body.Errors[0].ErrorCode], [400, 'UK.OBIE.Header.Invalid'], 'a repeated header arrives joined with a comma');
  });

  test('idempotency: a replayed payment does not pay twice; a refused request releases its key', async () => {
    const id = await authorisedConsent();
    const headers = { ...asCustomer(id), 'content-type': 'application/json', 'x-idempotency-key': `pay-${id.slice(4, 30)}` };
    const changed = { Data: { ConsentId: id, Initiation: { ...initiation, InstructedAmount: { Amount: '99.00', Currency: 'GBP' } } }, Risk: risk };
    assert.equal((await post(`${PISP}/domestic-payments`, headers, JSON.stringify(changed))).status, 400);
    const body = JSON.stringify({ Data: { ConsentId: id, Initiation: initiation }, Risk: risk });
    const first = await post(`${PISP}/domestic-payments`, headers, body);
    assert.equal(first.status, 201, `the refused request did not keep the key: ${JSON.stringify(first.body)}`);
    const replay = await post(`${PISP}/domestic-payments`, headers, body);
    assert.equal(replay.status, 201);
    assert.equal(replay.body.Data.DomesticPaymentId, first.body.Data.DomesticPaymentId);
    assert.equal(await api.db.prisma.domesticPayment.count({ where: { consentId: id } }), 1);
  });

  test('idempotency keys live in the database (a new API instance replays them) and expire after their time', async () => {
    const headers = { ...asClient, 'content-type': 'application/json', 'x-idempotency-key': 'survives-restart' };
    const body = JSON.stringify({ Data: { Initiation: initiation }, Risk: risk });
    const first = await post(`${PISP}/domestic-payment-consents`, headers, body);
    let now = new Date();
    const restarted = await api.withOptions({ idempotency: new IdempotencyStore(api.db.prisma, 60, () => now) });
    try {
      const replay = await post(`${PISP}/domestic-payment-consents`, headers, body, restarted.call);
      assert.equal(replay.body.Data.ConsentId, first.body.Data.ConsentId);
      now = new Date(Date.now() + 25 * 3600 * 1000);
      const later = await post(`${PISP}/domestic-payment-consents`, headers, body, restarted.call);
      assert.equal(later.status, 201);
      assert.notEqual(later.body.Data.ConsentId, first.body.Data.ConsentId, 'an expired key creates a new consent');
    } finally {
      await restarted.close();
    }
  });

  test('idempotency: the same key twice at once creates one consent; the other gets it or a 409', async () => {
    const headers = { ...asClient, 'content-type': 'application/json', 'x-idempotency-key': 'race' };
    const body = JSON.stringify({ Data: { Initiation: initiation }, Risk: risk });
    const answers = await Promise.all([1, 2, 3].map(() => post(`${PISP}/domestic-payment-consents`, headers, body)));
    const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.Data.ConsentId));
    assert.equal(ids.size, 1);
    for (const a of answers) assert.ok(a.status === 201 || a.status === 409, String(a.status));
  });

  test('a token without the payments scope is refused by the API too', async () => {
    const r = await api.call(`${PISP}/domestic-payment-consents/pdc-x`, { headers: { 'x-sandbox-scope': 'accounts' } });
    assert.equal(r.status, 403);
    assert.equal(r.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.ConsentMismatch');
  });
});

describe('detached JWS on payment requests (x-jws-signature) and answers', () => {
  const body = () => JSON.stringify({ Data: { Initiation: initiation }, Risk: risk });
  const send = (signature: string | null, sent = body()) =>
    api.call(`${PISP}/domestic-payment-consents`, { method: 'POST', headers: { ...asClient, ...json, ...(signature === null ? {} : { 'x-jws-signature': signature }) }, body: sent });
  const refusal = (r: { status: number; body: any }) => [r.status, r.body.Errors?.[0]?.ErrorCode, String(r.body.Errors?.[0]?.Message).split(':')[0]];
  const alpha = () => api.directory.signer('tpp-alpha-signing');
  const mallory = () => api.directory.signer('mallory-signing');
  /** A detached JWS with any header, signed ES256 by hand (for headers jose would not sign). */
  const handmade = (header: Record<string, unknown>, sent: string, key = alpha().privateKey) => {
    const h = Buffer.from(JSON.stringify(header)).toString('base64url');
    const sig = nodeSign('sha256', Buffer.from(`${h}.${Buffer.from(sent).toString('base64url')}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${h}..${sig}`;
  };

  test('a valid signature is accepted, and the answer carries the bank\'s signature of its body, verifiable with the directory JWKS', async () => {
    const r = await api.call(`${PISP}/domestic-payment-consents`, { method: 'POST', headers: { ...asClient, ...json, 'x-jws-signature': await signDetached(body(), alpha()) }, body: body() });
    assert.equal(r.status, 201);
    const answer = await fetch(`${api.url}${PISP}/domestic-payment-consents/${r.body.Data.ConsentId}`, { headers: { 'x-sandbox-gateway-key': api.secret, 'x-sandbox-client-id': 'tpp-alpha', 'x-sandbox-scope': 'payments' } });
    const text = await answer.text();
    const [h, , sig] = String(answer.headers.get('x-jws-signature')).split('.');
    const verified = await compactVerify(`${h}.${Buffer.from(text).toString('base64url')}.${sig}`, createLocalJWKSet(api.directory.jwks() as never), { crit: { [OB_IAT]: true, 'http://openbanking.org.uk/iss': true, 'http://openbanking.org.uk/tan': true } });
    assert.equal(verified.protectedHeader.kid, api.directory.signer('bank-signing').kid);
  });

  test('no signature; not detached; not canonical', async () => {
    assert.deepEqual(refusal(await send(null)), [400, 'UK.OBIE.Signature.Missing', 'jws.present']);
    const [h, , sig] = (await signDetached(body(), alpha())).split('.');
    assert.deepEqual(refusal(await send(`${h}.${Buffer.from(body()).toString('base64url')}.${sig}`)), [400, 'UK.OBIE.Signature.Malformed', 'jws.detached']);
    assert.deepEqual(refusal(await send(`${h}==..${sig}`)), [400, 'UK.OBIE.Signature.Malformed', 'jws.detached']);
  });

  test('the body tampered after signing; Mallory\'s key under Alpha\'s kid; Mallory\'s own kid', async () => {
    const signature = await signDetached(body(), alpha());
    const tampered = body().replace('12.50', '1250.00');
    assert.deepEqual(refusal(await send(signature, tampered)), [400, 'UK.OBIE.Signature.Invalid', 'jws.signature']);
    const forged = await signDetached(body(), { ...mallory(), kid: alpha().kid, iss: alpha().iss });
    assert.deepEqual(refusal(await send(forged)), [400, 'UK.OBIE.Signature.Invalid', 'jws.signature']);
    assert.deepEqual(refusal(await send(await signDetached(body(), mallory()))), [400, 'UK.OBIE.Signature.Invalid', 'jws.kid-of-client']);
    assert.deepEqual(refusal(await send(await signDetached(body(), { ...alpha(), kid: 'no-such-kid' }))), [400, 'UK.OBIE.Signature.Invalid', 'jws.kid-known']);
  });

  test('header rules: crit, the OB claims, tan, iss, iat window, alg, no b64', async () => {
    assert.deepEqual(refusal(await send(await signDetached(body(), { ...alpha(), omitCrit: true }))), [400, 'UK.OBIE.Signature.MissingClaim', 'jws.crit']);
    const now = Math.floor(Date.now() / 1000);
    assert.deepEqual(refusal(await send(await signDetached(body(), { ...alpha(), iat: now - 3600 }))), [400, 'UK.OBIE.Signature.InvalidClaim', 'jws.iat-window']);
    assert.deepEqual(refusal(await send(await signDetached(body(), { ...alpha(), iat: now + 3600 }))), [400, 'UK.OBIE.Signature.InvalidClaim', 'jws.iat-window']);
    assert.deepEqual(refusal(await send(await signDetached(body(), { ...alpha(), tan: 'example.com' }))), [400, 'UK.OBIE.Signature.InvalidClaim', 'jws.tan']);
    assert.deepEqual(refusal(await send(await signDetached(body(), { ...alpha(), iss: '0015800001041REAAY/another-app' }))), [400, 'UK.OBIE.Signature.InvalidClaim', 'jws.iss']);
    const header = obHeader(alpha());
    const { [OB_IAT]: _iat, ...noIat } = header;
    assert.deepEqual(refusal(await send(handmade(noIat, body()))), [400, 'UK.OBIE.Signature.MissingClaim', 'jws.claims-present']);
    assert.deepEqual(refusal(await send(handmade({ ...header, b64: false }, body()))), [400, 'UK.OBIE.Signature.InvalidClaim', 'jws.b64-absent']);
    assert.deepEqual(refusal(await send(handmade({ ...header, alg: 'none' }, body()))), [400, 'UK.OBIE.Signature.InvalidClaim', 'jws.alg']);
    assert.equal((await send(handmade(header, body()))).status, 201, 'the hand-made signature itself is fine');
  });

  test('the directory JWKS publishes every signing key with its certificate chain, never a private part', () => {
    const { keys } = api.directory.jwks();
    assert.deepEqual(keys.map((k) => k.kid).sort(), ['tpp-alpha-signing', 'tpp-dpop-signing', 'mallory-signing', 'bank-signing'].map((n) => api.directory.signer(n).kid).sort());
    for (const k of keys) {
      assert.equal(k.d, undefined);
      assert.equal(k.x5c?.length, 2);
    }
  });
});

