// OBIE v3.1 account-access consents at the mock OB API (called as the gateway calls it): create,
// read, delete; OBIE 400 bodies for invalid requests; another client's consent; and the access a
// consent gives to data (accounts, permissions, transaction window, status, expiry, subject).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, obieError, BASE, type ApiHarness } from '../api/harness.ts';
import { ConsentStore } from '../../server/consent/store.ts';

let api: ApiHarness;
let consents: ConsentStore;
before(async () => {
  api = await startApi('consent-api');
  consents = new ConsentStore(api.db.prisma);
});
after(() => api.close());

const CONSENTS = `${BASE}/account-access-consents`;
const JSON_TYPE = { 'content-type': 'application/json' };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

const create = (body: unknown, headers: Record<string, string | null> = JSON_TYPE) =>
  api.call(CONSENTS, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const permissions = (...p: string[]) => ({ Data: { Permissions: p }, Risk: {} });
/** The headers of a token issued for a customer under a consent (what the gateway forwards). */
const psu = (consentId: string, subject = 'psu-demo', clientId = 'tpp-alpha') => ({
  'x-sandbox-consent-id': consentId, 'x-sandbox-subject': subject, 'x-sandbox-client-id': clientId,
});

function firstError(body: unknown) {
  const e = obieError(body);
  assert.equal(e.Code, '400 BadRequest');
  return e.Errors[0]!;
}

test('POST creates an AwaitingAuthorisation consent and answers OBReadConsentResponse1 with 201', async () => {
  const r = await create({ Data: { Permissions: ['ReadAccountsDetail', 'ReadBalances'], ExpirationDateTime: '2099-01-31T10:00:00+01:00' }, Risk: {} });
  assert.equal(r.status, 201);
  const d = r.body.Data;
  assert.match(d.ConsentId, /^aac-[0-9a-f-]{36}$/);
  assert.equal(d.Status, 'AwaitingAuthorisation');
  assert.deepEqual(d.Permissions, ['ReadAccountsDetail', 'ReadBalances']);
  assert.equal(d.ExpirationDateTime, '2099-01-31T09:00:00+00:00');
  assert.match(d.CreationDateTime, ISO);
  assert.match(d.StatusUpdateDateTime, ISO);
  assert.deepEqual(r.body.Risk, {});
  assert.equal(r.body.Links.Self, `https://localhost:9443${CONSENTS}/${d.ConsentId}`);
  assert.match(r.headers.get('x-fapi-interaction-id') ?? '', /^[0-9a-f-]{36}$/);
  const stored = await consents.find(d.ConsentId);
  assert.equal(stored?.clientId, 'tpp-alpha');
});

test('invalid consent requests are 400 with an OBIE error naming the field', async () => {
  const cases: [unknown, string, string, RegExp][] = [
    [{ Data: { Permissions: ['ReadAccountsBasic'] } }, 'UK.OBIE.Field.Missing', 'Risk', /"Risk": \{\}/],
    [{ Risk: {} }, 'UK.OBIE.Field.Missing', 'Data', /required/],
    [permissions(), 'UK.OBIE.Field.Invalid', 'Data.Permissions', /at least one/],
    [permissions('ReadEverything'), 'UK.OBIE.Field.Invalid', 'Data.Permissions', /not an OBIE v3.1 permission/],
    [permissions('ReadParty'), 'UK.OBIE.Field.Invalid', 'Data.Permissions', /does not offer/],
    [permissions('ReadTransactionsDetail'), 'UK.OBIE.Field.Invalid', 'Data.Permissions', /needs ReadTransactionsCredits/],
    [permissions('ReadTransactionsDebits'), 'UK.OBIE.Field.Invalid', 'Data.Permissions', /needs ReadTransactionsBasic/],
    [{ Data: { Permissions: 'ReadBalances' }, Risk: {} }, 'UK.OBIE.Field.Invalid', 'Data.Permissions', /expected array/],
    [{ Data: { Permissions: ['ReadBalances'], ExpirationDateTime: '2020-01-01T00:00:00Z' }, Risk: {} }, 'UK.OBIE.Field.InvalidDate', 'Data.ExpirationDateTime', /past/],
    [{ Data: { Permissions: ['ReadBalances'], ExpirationDateTime: 'next tuesday' }, Risk: {} }, 'UK.OBIE.Field.InvalidDate', 'Data.ExpirationDateTime', /ISO 8601/],
    [{ Data: { Permissions: ['ReadBalances'], ExpirationDateTime: '2099-01-01T00:00:00' }, Risk: {} }, 'UK.OBIE.Field.InvalidDate', 'Data.ExpirationDateTime', /time zone/],
    [{ Data: { Permissions: ['ReadBalances'], TransactionFromDateTime: '2025-02-01T00:00:00Z', TransactionToDateTime: '2025-01-01T00:00:00Z' }, Risk: {} }, 'UK.OBIE.Field.InvalidDate', 'Data.TransactionToDateTime', /before/],
    [{ Data: { Permissions: ['ReadBalances'], Status: 'Authorised' }, Risk: {} }, 'UK.OBIE.Field.Unexpected', 'Data.Status', /not a field/],
    ['{"Data": ', 'UK.OBIE.Resource.InvalidFormat', '', /not valid JSON/],
  ];
  for (const [body, code, path, message] of cases) {
    const r = await create(body);
    assert.equal(r.status, 400, JSON.stringify(body));
    const e = firstError(r.body);
    assert.equal(e.ErrorCode, code, JSON.stringify(body));
    if (path) assert.equal(e.Path, path, JSON.stringify(body));
    assert.match(e.Message, message, JSON.stringify(body));
  }
});

test('the body must be JSON of at most 64 KiB, and POST needs one', async () => {
  const form = await create('Permissions=ReadBalances', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 415);
  assert.equal(obieError(form.body).Errors[0]!.ErrorCode, 'UK.OBIE.Header.Invalid');
  const huge = await create(JSON.stringify({ ...permissions('ReadBalances'), pad: 'x'.repeat(70_000) }));
  assert.equal(huge.status, 413);
  const empty = await api.call(CONSENTS, { method: 'POST', headers: JSON_TYPE });
  assert.equal(empty.status, 400);
  assert.equal(firstError(empty.body).ErrorCode, 'UK.OBIE.Field.Missing');
  const put = await api.call(CONSENTS, { method: 'PUT', headers: JSON_TYPE, body: '{}' });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'POST');
});

test('GET returns the client\'s own consent; another client\'s, or an unknown id, is 404 alike', async () => {
  const id = (await create(permissions('ReadAccountsBasic'))).body.Data.ConsentId as string;
  const own = await api.call(`${CONSENTS}/${id}`);
  assert.equal(own.status, 200);
  assert.equal(own.body.Data.ConsentId, id);
  const other = await api.call(`${CONSENTS}/${id}`, { headers: { 'x-sandbox-client-id': 'tpp-beta' } });
  const unknown = await api.call(`${CONSENTS}/aac-00000000-0000-4000-8000-000000000000`);
  for (const r of [other, unknown]) {
    assert.equal(r.status, 404);
    assert.equal(obieError(r.body).Errors[0]!.ErrorCode, 'UK.OBIE.Resource.NotFound');
  }
  const otherDelete = await api.call(`${CONSENTS}/${id}`, { method: 'DELETE', headers: { 'x-sandbox-client-id': 'tpp-beta' } });
  assert.equal(otherDelete.status, 404);
  assert.equal((await consents.find(id))?.status, 'AwaitingAuthorisation', 'another client cannot revoke it');
});

test('DELETE answers 204 and leaves the consent Revoked; a second DELETE is 204 too', async () => {
  const id = (await create(permissions('ReadAccountsBasic'))).body.Data.ConsentId as string;
  const revokedGrants: (string | null)[] = [];
  const stop = consents.onRevoked((c) => void revokedGrants.push(c.id));
  const apiWithStore = await api.withOptions({ consents });
  try {
    const first = await apiWithStore.call(`${CONSENTS}/${id}`, { method: 'DELETE' });
    assert.equal(first.status, 204);
    assert.equal(first.body, null);
    assert.equal((await api.call(`${CONSENTS}/${id}`)).body.Data.Status, 'Revoked');
    assert.equal((await apiWithStore.call(`${CONSENTS}/${id}`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(revokedGrants, [id], 'listeners (the IdP) hear about it once');
  } finally {
    stop();
    await apiWithStore.close();
  }
});

test('consent resources refuse a token issued for a customer (403), whatever the consent', async () => {
  const id = (await create(permissions('ReadAccountsBasic'))).body.Data.ConsentId as string;
  const asCustomer = await api.call(`${CONSENTS}/${id}`, { headers: psu(id) });
  assert.equal(asCustomer.status, 403);
  assert.equal(obieError(asCustomer.body).Errors[0]!.ErrorCode, 'UK.OBIE.Resource.ConsentMismatch');
  const noConsent = await api.call(CONSENTS, { method: 'POST', headers: { ...JSON_TYPE, 'x-sandbox-subject': 'psu-demo' }, body: JSON.stringify(permissions('ReadBalances')) });
  assert.equal(noConsent.status, 403);
});

/** A consent authorised by `customerId` for `accountIds`, as the consent page would leave it. */
async function authorised(p: string[], accountIds: string[], extra: { customerId?: string; from?: Date; to?: Date; expires?: Date } = {}) {
  const c = await consents.create('tpp-alpha', {
    permissions: p as never,
    ...(extra.from ? { transactionFromDateTime: extra.from } : {}),
    ...(extra.to ? { transactionToDateTime: extra.to } : {}),
    ...(extra.expires ? { expirationDateTime: extra.expires } : {}),
  });
  await consents.authorise(c.id, { customerId: extra.customerId ?? 'psu-demo', accountIds, grantId: `grant-${c.id}` });
  return c.id;
}

test('a consent gives its accounts and permissions only', async () => {
  const id = await authorised(['ReadAccountsBasic', 'ReadTransactionsBasic', 'ReadTransactionsDebits'], ['acc-demo-current']);
  const accounts = await api.call(`${BASE}/accounts`, { headers: psu(id) });
  assert.equal(accounts.status, 200);
  assert.deepEqual(accounts.body.Data.Account.map((a: { AccountId: string }) => a.AccountId), ['acc-demo-current']);
  assert.equal(accounts.body.Data.Account[0].Account, undefined);
  const tx = await api.call(`${BASE}/transactions`, { headers: psu(id) });
  assert.equal(tx.status, 200);
  assert.ok(tx.body.Data.Transaction.length > 0);
  assert.ok(tx.body.Data.Transaction.every((t: { CreditDebitIndicator: string; AccountId: string }) => t.CreditDebitIndicator === 'Debit' && t.AccountId === 'acc-demo-current'));
  for (const path of [`${BASE}/accounts/acc-demo-savings`, `${BASE}/accounts/acc-alice-current/transactions`, `${BASE}/balances`]) {
    const r = await api.call(path, { headers: psu(id) });
    assert.equal(r.status, 403, path);
    assert.equal(obieError(r.body).Errors[0]!.ErrorCode, 'UK.OBIE.Resource.ConsentMismatch', path);
  }
});

test('TransactionFromDateTime / ToDateTime bound the transactions a consent shows', async () => {
  const all = await api.call(`${BASE}/accounts/acc-demo-current/transactions`);
  const times: string[] = all.body.Data.Transaction.map((t: { BookingDateTime: string }) => t.BookingDateTime);
  const newest = new Date(times[0]!);
  const from = new Date(newest.getTime() - 10 * 86_400_000);
  const to = new Date(newest.getTime() - 3 * 86_400_000);
  const id = await authorised(['ReadTransactionsBasic', 'ReadTransactionsCredits', 'ReadTransactionsDebits'], ['acc-demo-current'], { from, to });
  const r = await api.call(`${BASE}/accounts/acc-demo-current/transactions`, { headers: psu(id) });
  assert.equal(r.status, 200);
  const shown: string[] = r.body.Data.Transaction.map((t: { BookingDateTime: string }) => t.BookingDateTime);
  assert.ok(shown.length > 0);
  assert.ok(shown.every((t) => new Date(t) >= from && new Date(t) <= to), 'every transaction inside the window');
  assert.ok(new Date(r.body.Meta.LastAvailableDateTime) <= to);
});

test('a consent that is not Authorised, expired, another client\'s or another customer\'s gives nothing', async () => {
  const awaiting = (await consents.create('tpp-alpha', { permissions: ['ReadAccountsBasic'] })).id;
  const revoked = await authorised(['ReadAccountsBasic'], ['acc-demo-current']);
  await consents.revoke(revoked);
  const expired = await authorised(['ReadAccountsBasic'], ['acc-demo-current'], { expires: new Date(Date.now() + 60_000) });
  await api.db.prisma.accountAccessConsent.update({ where: { id: expired }, data: { expirationDateTime: new Date(Date.now() - 1000) } });
  const good = await authorised(['ReadAccountsBasic'], ['acc-demo-current']);
  const cases: [string, Record<string, string>, RegExp][] = [
    ['awaiting', psu(awaiting), /AwaitingAuthorisation/],
    ['revoked', psu(revoked), /Revoked/],
    ['expired', psu(expired), /expired at/],
    ['another client', psu(good, 'psu-demo', 'tpp-beta'), /unknown/],
    ['another customer', psu(good, 'psu-alice'), /not authorised by the customer/],
    ['customer token without consent', { 'x-sandbox-subject': 'psu-demo' }, /names no consent/],
  ];
  for (const [label, headers, message] of cases) {
    const r = await api.call(`${BASE}/accounts`, { headers });
    assert.equal(r.status, 403, label);
    const e = obieError(r.body).Errors[0]!;
    assert.equal(e.ErrorCode, 'UK.OBIE.Resource.InvalidConsentStatus', label);
    assert.match(e.Message, message, label);
  }
  assert.equal((await api.call(`${BASE}/accounts`, { headers: psu(good) })).status, 200);
});

test('a consent is authorised once: authorise, reject or revoke in the wrong status is refused', async () => {
  const c = await consents.create('tpp-alpha', { permissions: ['ReadAccountsBasic'] });
  await consents.authorise(c.id, { customerId: 'psu-demo', accountIds: ['acc-demo-current'], grantId: `g-${c.id}` });
  await assert.rejects(consents.authorise(c.id, { customerId: 'psu-alice', accountIds: ['acc-alice-current'], grantId: `g2-${c.id}` }), /is Authorised; it cannot become Authorised/);
  await assert.rejects(consents.reject(c.id), /cannot become Rejected/);
  assert.equal((await consents.findByGrant(`g-${c.id}`))?.customerId, 'psu-demo');
  const rejected = await consents.create('tpp-alpha', { permissions: ['ReadAccountsBasic'] });
  await consents.reject(rejected.id);
  assert.equal((await consents.revoke(rejected.id))?.status, 'Rejected', 'a rejected consent stays Rejected');
});
