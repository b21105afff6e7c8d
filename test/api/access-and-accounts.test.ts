// Mock OB API (OBIE v3.1 Account and Transaction API): the gateway-only upstream (gateway key),
// scope and consent access, accounts and balances, OBIE error bodies, interaction ids.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startApi, obieError, BASE, type ApiHarness } from './harness.ts';
import { ALL_PERMISSIONS } from '../../server/api/access.ts';
import { createBankApi } from '../../server/api/index.ts';

let api: ApiHarness;
before(async () => {
  api = await startApi('api-access');
});
after(() => api.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const AMOUNT = /^\d{1,13}\.\d{2}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

function assertObieError(body: unknown, code: string, errorCode: string, path?: string) {
  const e = obieError(body);
  assert.equal(e.Code, code);
  assert.match(e.Id, UUID);
  assert.equal(typeof e.Message, 'string');
  assert.equal(e.Errors.length, 1);
  assert.equal(e.Errors[0]!.ErrorCode, errorCode);
  if (path !== undefined) assert.equal(e.Errors[0]!.Path, path);
  assert.equal((body as { Data?: unknown }).Data, undefined);
}

test('without the gateway key the API refuses with 403 UK.OBIE.Header.Missing, whatever the path', async () => {
  for (const path of [`${BASE}/accounts`, `${BASE}/no-such-thing`, '/']) {
    const r = await api.call(path, { headers: { 'x-sandbox-gateway-key': null } });
    assert.equal(r.status, 403, path);
    assertObieError(r.body, '403 Forbidden', 'UK.OBIE.Header.Missing', 'x-sandbox-gateway-key');
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  }
});

test('a wrong gateway key (same length, other length, empty, the key with a suffix) is 403 UK.OBIE.Header.Invalid', async () => {
  const wrong = [api.secret.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), 'short', '', `${api.secret}x`];
  for (const key of wrong) {
    const r = await api.call(`${BASE}/accounts`, { headers: { 'x-sandbox-gateway-key': key } });
    assert.equal(r.status, 403, key);
    assertObieError(r.body, '403 Forbidden', 'UK.OBIE.Header.Invalid', 'x-sandbox-gateway-key');
  }
});

test('createBankApi refuses an empty or short gateway secret', () => {
  assert.throws(() => createBankApi({ prisma: api.db.prisma, gatewaySecret: '', directory: api.directory }), /gatewaySecret/);
  assert.throws(() => createBankApi({ prisma: api.db.prisma, gatewaySecret: 'abc', directory: api.directory }), /gatewaySecret/);
});

test('every route needs the accounts scope: missing, other scopes or a look-alike are 403', async () => {
  const routes = ['/accounts', '/accounts/acc-demo-current', '/accounts/acc-demo-current/balances', '/accounts/acc-demo-current/transactions', '/balances', '/transactions'];
  for (const route of routes) {
    for (const scope of [null, '', 'openid payments', 'accountsx read:accounts']) {
      const r = await api.call(`${BASE}${route}`, { headers: { 'x-sandbox-scope': scope } });
      assert.equal(r.status, 403, `${route} with ${scope}`);
      assertObieError(r.body, '403 Forbidden', 'UK.OBIE.Resource.ConsentMismatch', 'scope');
    }
    const ok = await api.call(`${BASE}${route}`, { headers: { 'x-sandbox-scope': 'accounts' } });
    assert.equal(ok.status, 200, route);
  }
});

test('GET /accounts lists the demo customer\'s two accounts as OBAccount6, with Links.Self at the gateway URL', async () => {
  const r = await api.call(`${BASE}/accounts`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  const accounts = r.body.Data.Account;
  assert.deepEqual(accounts.map((a: { AccountId: string }) => a.AccountId), ['acc-demo-current', 'acc-demo-savings']);
  const [current, savings] = accounts;
  assert.equal(current.Status, 'Enabled');
  assert.equal(current.Currency, 'GBP');
  assert.equal(current.AccountType, 'Personal');
  assert.equal(current.AccountSubType, 'CurrentAccount');
  assert.equal(savings.AccountSubType, 'Savings');
  assert.equal(current.Nickname, 'Everyday');
  assert.match(current.OpeningDate, ISO);
  assert.match(current.StatusUpdateDateTime, ISO);
  assert.deepEqual(current.Account, [{ SchemeName: 'UK.OBIE.SortCodeAccountNumber', Identification: '40400412345678', Name: 'Ada Lovelace' }]);
  assert.equal(r.body.Links.Self, `https://localhost:9443${BASE}/accounts`);
  assert.deepEqual(r.body.Meta, { TotalPages: 1 });
});

test('Links follow x-forwarded-host / -prefix / -proto; junk in them falls back safely', async () => {
  const phantom = await api.call(`${BASE}/accounts?x=1`, { headers: { 'x-forwarded-host': 'bank.example:8443', 'x-forwarded-prefix': '/phantom' } });
  assert.equal(phantom.body.Links.Self, `https://bank.example:8443/phantom${BASE}/accounts?x=1`);
  const junk = await api.call(`${BASE}/accounts`, { headers: { 'x-forwarded-host': 'evil.example/"><x', 'x-forwarded-prefix': '/../"x', 'x-forwarded-proto': 'javascript' } });
  assert.equal(junk.status, 200);
  assert.equal(junk.body.Links.Self, `${api.url}${BASE}/accounts`);
});

test('GET /accounts/{AccountId} returns that one account', async () => {
  const r = await api.call(`${BASE}/accounts/acc-demo-savings`);
  assert.equal(r.status, 200);
  assert.equal(r.body.Data.Account.length, 1);
  assert.equal(r.body.Data.Account[0].AccountId, 'acc-demo-savings');
  assert.equal(r.body.Data.Account[0].Account[0].Identification, '40400487654321');
  assert.equal(r.body.Links.Self, `https://localhost:9443${BASE}/accounts/acc-demo-savings`);
});

test('an unknown account and another customer\'s account get the same 403 ConsentMismatch; a malformed id is 400', async () => {
  for (const id of ['acc-nope', 'acc-alice-current', 'acc-bob-savings']) {
    for (const suffix of ['', '/balances', '/transactions']) {
      const r = await api.call(`${BASE}/accounts/${id}${suffix}`);
      assert.equal(r.status, 403, `${id}${suffix}`);
      assertObieError(r.body, '403 Forbidden', 'UK.OBIE.Resource.ConsentMismatch', 'AccountId');
      assert.doesNotMatch(JSON.stringify(r.body), /alice|bob|Alice|Bob/);
    }
  }
  for (const id of ['a'.repeat(41), 'acc%20demo', '%E0%A4%A']) {
    const r = await api.call(`${BASE}/accounts/${id}`);
    assert.equal(r.status, 400, id);
    assertObieError(r.body, '400 BadRequest', 'UK.OBIE.Field.Invalid', 'AccountId');
  }
});

test('GET /accounts/{AccountId}/balances: InterimAvailable and InterimBooked as OBCashBalance1', async () => {
  const r = await api.call(`${BASE}/accounts/acc-demo-current/balances`);
  assert.equal(r.status, 200);
  const balances = r.body.Data.Balance;
  assert.deepEqual(balances.map((b: { Type: string }) => b.Type).sort(), ['InterimAvailable', 'InterimBooked']);
  for (const b of balances) {
    assert.equal(b.AccountId, 'acc-demo-current');
    assert.match(b.Amount.Amount, AMOUNT);
    assert.equal(b.Amount.Currency, 'GBP');
    assert.ok(['Credit', 'Debit'].includes(b.CreditDebitIndicator));
    assert.match(b.DateTime, ISO);
  }
  assert.equal(r.body.Links.Self, `https://localhost:9443${BASE}/accounts/acc-demo-current/balances`);
});

test('GET /balances (bulk) covers exactly the permitted accounts', async () => {
  const r = await api.call(`${BASE}/balances`);
  assert.equal(r.status, 200);
  const ids = r.body.Data.Balance.map((b: { AccountId: string }) => b.AccountId);
  assert.equal(ids.length, 4);
  assert.deepEqual([...new Set(ids)].sort(), ['acc-demo-current', 'acc-demo-savings']);
});

test('balances agree with the transactions: InterimBooked = newest booked running balance; Available adds the pending ones', async () => {
  const balances = (await api.call(`${BASE}/accounts/acc-demo-current/balances`)).body.Data.Balance as { Type: string; Amount: { Amount: string }; CreditDebitIndicator: string }[];
  const pence = (b: { Amount: { Amount: string } | string; CreditDebitIndicator: string }) =>
    Math.round(Number(typeof b.Amount === 'string' ? b.Amount : b.Amount.Amount) * 100) * (b.CreditDebitIndicator === 'Debit' ? -1 : 1);
  const booked = pence(balances.find((b) => b.Type === 'InterimBooked')!);
  const available = pence(balances.find((b) => b.Type === 'InterimAvailable')!);
  const page1 = (await api.call(`${BASE}/accounts/acc-demo-current/transactions`)).body.Data.Transaction;
  const newestBooked = page1.find((t: { Status: string }) => t.Status === 'Booked');
  assert.equal(pence({ Amount: newestBooked.Balance.Amount.Amount, CreditDebitIndicator: newestBooked.Balance.CreditDebitIndicator }), booked);
  const pending = page1.filter((t: { Status: string }) => t.Status === 'Pending');
  assert.ok(pending.length >= 1, 'the seed has pending card payments');
  const pendingSum = pending.reduce((s: number, t: { Amount: { Amount: string }; CreditDebitIndicator: string }) => s + pence(t), 0);
  assert.equal(available, booked + pendingSum);
  assert.ok(available < booked);
});

test('x-fapi-interaction-id: a UUID is echoed; absent or not a UUID, a fresh one is generated (errors too)', async () => {
  const id = randomUUID();
  assert.equal((await api.call(`${BASE}/accounts`, { headers: { 'x-fapi-interaction-id': id } })).headers.get('x-fapi-interaction-id'), id);
  assert.equal((await api.call(`${BASE}/accounts/acc-nope`, { headers: { 'x-fapi-interaction-id': id } })).headers.get('x-fapi-interaction-id'), id);
  const a = (await api.call(`${BASE}/accounts`)).headers.get('x-fapi-interaction-id');
  const b = (await api.call(`${BASE}/accounts`, { headers: { 'x-sandbox-gateway-key': null } })).headers.get('x-fapi-interaction-id');
  const c = (await api.call(`${BASE}/accounts`, { headers: { 'x-fapi-interaction-id': 'not-a-uuid' } })).headers.get('x-fapi-interaction-id');
  for (const generated of [a, b, c]) assert.match(String(generated), UUID);
  assert.equal(new Set([a, b, c, id]).size, 4);
});

test('unknown paths are 404 and other methods 405 with Allow, as OBIE errors', async () => {
  for (const path of [`${BASE}/statements`, `${BASE}/accounts/acc-demo-current/beneficiaries`, '/open-banking/v3.1/pisp/international-payments', `${BASE}/accounts/`, '/']) {
    const r = await api.call(path);
    assert.equal(r.status, 404, path);
    assertObieError(r.body, '404 NotFound', 'UK.OBIE.Resource.NotFound');
  }
  for (const method of ['POST', 'DELETE', 'PUT']) {
    const r = await api.call(`${BASE}/accounts`, { method });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.get('allow'), 'GET');
    assertObieError(r.body, '405 MethodNotAllowed', 'UK.OBIE.Field.Invalid');
  }
});

test('an unknown consent id is refused (fail closed), not served the demo customer', async () => {
  const r = await api.call(`${BASE}/accounts`, { headers: { 'x-sandbox-consent-id': 'urn:consent:123' } });
  assert.equal(r.status, 403);
  assertObieError(r.body, '403 Forbidden', 'UK.OBIE.Resource.InvalidConsentStatus');
});

test('a narrower access (one account, Basic permissions, credits only) narrows every answer', async () => {
  const narrow = await api.withOptions({
    resolveAccess: async () => ({
      customerId: 'psu-alice',
      accountIds: ['acc-alice-current'],
      permissions: new Set(['ReadAccountsBasic', 'ReadTransactionsBasic', 'ReadTransactionsCredits'] as const),
    }),
  });
  try {
    const accounts = await narrow.call(`${BASE}/accounts`);
    assert.equal(accounts.status, 200);
    assert.deepEqual(accounts.body.Data.Account.map((a: { AccountId: string }) => a.AccountId), ['acc-alice-current']);
    assert.equal(accounts.body.Data.Account[0].Account, undefined, 'Basic: no identification');
    assert.equal((await narrow.call(`${BASE}/accounts/acc-alice-savings`)).status, 403);
    assert.equal((await narrow.call(`${BASE}/accounts/acc-demo-current`)).status, 403);
    const balances = await narrow.call(`${BASE}/balances`);
    assert.equal(balances.status, 403, 'no ReadBalances');
    const tx = await narrow.call(`${BASE}/transactions`);
    assert.equal(tx.status, 200);
    assert.ok(tx.body.Data.Transaction.length > 0);
    for (const t of tx.body.Data.Transaction) {
      assert.equal(t.AccountId, 'acc-alice-current');
      assert.equal(t.CreditDebitIndicator, 'Credit');
      assert.equal(t.TransactionInformation, undefined);
      assert.equal(t.Balance, undefined);
    }
  } finally {
    await narrow.close();
  }
  const full = await api.withOptions({ resolveAccess: async () => ({ customerId: 'psu-demo', accountIds: null, permissions: new Set(ALL_PERMISSIONS) }) });
  try {
    assert.equal((await full.call(`${BASE}/balances`)).status, 200);
  } finally {
    await full.close();
  }
});

test('a crash inside a handler is a logged 500 OBIE error without internals, and the API keeps serving', async () => {
  const logged: string[] = [];
  const broken = await api.withOptions({
    resolveAccess: async () => {
      throw new Error('database is on fire at /secret/path');
    },
    log: (message, err) => logged.push(`${message} ${String(err)}`),
  });
  try {
    const id = randomUUID();
    const r = await broken.call(`${BASE}/accounts`, { headers: { 'x-fapi-interaction-id': id } });
    assert.equal(r.status, 500);
    assertObieError(r.body, '500 InternalServerError', 'UK.OBIE.UnexpectedError');
    assert.doesNotMatch(JSON.stringify(r.body), /fire|secret/);
    assert.equal(r.headers.get('x-fapi-interaction-id'), id);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, new RegExp(`${id}.*${r.body.Id}.*on fire`));
  } finally {
    await broken.close();
  }
  assert.equal((await api.call(`${BASE}/accounts`)).status, 200);
});
