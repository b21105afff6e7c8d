// Mock OB API transactions (OBIE v3.1 Account and Transaction API "Transactions"): newest first,
// pages of 25 with Links at the gateway URL, booking date filters and their validation, bulk listing.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, obieError, BASE, type ApiHarness } from './harness.ts';

let api: ApiHarness;
before(async () => {
  api = await startApi('api-transactions');
});
after(() => api.close());

const TX = `${BASE}/accounts/acc-demo-current/transactions`;
const PHANTOM = { 'x-forwarded-host': 'bank.example:8443', 'x-forwarded-prefix': '/phantom' };
const PUBLIC = `https://bank.example:8443/phantom${TX}`;

interface Tx {
  AccountId: string;
  TransactionId: string;
  Status: string;
  BookingDateTime: string;
  CreditDebitIndicator: 'Credit' | 'Debit';
  Amount: { Amount: string; Currency: string };
  Balance?: { Amount: { Amount: string }; CreditDebitIndicator: string; Type: string };
  [k: string]: unknown;
}

/** Follows Links.Next from `first`, turning each public link back into an API path. */
async function allPages(first: string, headers: Record<string, string> = {}): Promise<{ pages: { body: { Data: { Transaction: Tx[] }; Links: Record<string, string>; Meta: Record<string, unknown> } }[]; all: Tx[] }> {
  const pages = [];
  let path: string | undefined = first;
  while (path) {
    const r = await api.call(path, { headers });
    assert.equal(r.status, 200, path);
    pages.push(r);
    const next: string | undefined = r.body.Links.Next;
    path = next ? next.replace(/^https?:\/\/[^/]+(\/phantom)?/, '') : undefined;
    assert.ok(pages.length < 20, 'pagination terminates');
  }
  return { pages, all: pages.flatMap((p) => p.body.Data.Transaction) };
}

const signed = (amount: string, indicator: string) => Math.round(Number(amount) * 100) * (indicator === 'Debit' ? -1 : 1);

test('transactions of an account: every seeded one, newest first, 25 a page, as OBTransaction6', async () => {
  const seeded = await api.db.prisma.transaction.count({ where: { accountId: 'acc-demo-current' } });
  assert.ok(seeded >= 60 && seeded <= 90, `60-90 seeded, got ${seeded}`);
  const { pages, all } = await allPages(TX);
  assert.equal(pages.length, Math.ceil(seeded / 25));
  assert.equal(all.length, seeded);
  assert.deepEqual(pages.map((p) => p.body.Data.Transaction.length).slice(0, -1), Array(pages.length - 1).fill(25));
  assert.equal(new Set(all.map((t) => t.TransactionId)).size, seeded);
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.BookingDateTime >= all[i]!.BookingDateTime, `newest first at ${i}`);
  for (const p of pages) {
    assert.equal(p.body.Meta.TotalPages, pages.length);
    assert.match(String(p.body.Meta.FirstAvailableDateTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    assert.equal(p.body.Meta.FirstAvailableDateTime, all.at(-1)!.BookingDateTime);
    assert.equal(p.body.Meta.LastAvailableDateTime, all[0]!.BookingDateTime);
  }
  const t = all.find((x) => x.MerchantDetails !== undefined && x.Status === 'Booked')!;
  assert.equal(t.AccountId, 'acc-demo-current');
  assert.match(t.Amount.Amount, /^\d+\.\d{2}$/);
  assert.equal(t.Amount.Currency, 'GBP');
  assert.equal(t.CreditDebitIndicator, 'Debit');
  assert.deepEqual(t.BankTransactionCode, { Code: 'CCRD', SubCode: 'POSD' });
  assert.equal(typeof t.TransactionInformation, 'string');
  assert.equal(t.Balance!.Type, 'InterimBooked');
  assert.equal(t.ValueDateTime, t.BookingDateTime);
  const merchants = new Set(all.map((x) => (x.MerchantDetails as { MerchantName?: string } | undefined)?.MerchantName));
  for (const m of ['Tesco', 'Transport for London']) assert.ok(merchants.has(m), m);
  assert.ok(all.some((x) => x.CreditDebitIndicator === 'Credit' && String(x.TransactionInformation).includes('SALARY')));
  assert.ok(all.filter((x) => x.Status === 'Pending').every((x) => x.Balance === undefined));
});

test('running balances: each booked Balance is the previous one plus its amount', async () => {
  const { all } = await allPages(TX);
  const booked = all.filter((t) => t.Status === 'Booked').reverse();
  for (let i = 1; i < booked.length; i++) {
    const prev = signed(booked[i - 1]!.Balance!.Amount.Amount, booked[i - 1]!.Balance!.CreditDebitIndicator);
    const now = signed(booked[i]!.Balance!.Amount.Amount, booked[i]!.Balance!.CreditDebitIndicator);
    assert.equal(now - prev, signed(booked[i]!.Amount.Amount, booked[i]!.CreditDebitIndicator), booked[i]!.TransactionId);
  }
});

test('pagination Links point at the gateway URL the client used and exist only where they apply', async () => {
  const first = await api.call(TX, { headers: PHANTOM });
  const total = first.body.Meta.TotalPages as number;
  assert.ok(total >= 3);
  assert.deepEqual(first.body.Links, { Self: PUBLIC, First: `${PUBLIC}?page=1`, Next: `${PUBLIC}?page=2`, Last: `${PUBLIC}?page=${total}` });
  const middle = await api.call(`${TX}?page=2`, { headers: PHANTOM });
  assert.deepEqual(middle.body.Links, { Self: `${PUBLIC}?page=2`, First: `${PUBLIC}?page=1`, Prev: `${PUBLIC}?page=1`, Next: `${PUBLIC}?page=3`, Last: `${PUBLIC}?page=${total}` });
  const last = await api.call(`${TX}?page=${total}`, { headers: PHANTOM });
  assert.equal(last.body.Links.Next, undefined);
  assert.equal(last.body.Links.Prev, `${PUBLIC}?page=${total - 1}`);
  assert.notEqual(first.body.Data.Transaction[0].TransactionId, middle.body.Data.Transaction[0].TransactionId);
  // A one-page answer has Self only.
  const savings = await api.call(`${BASE}/accounts/acc-demo-savings/transactions`, { headers: PHANTOM });
  assert.deepEqual(savings.body.Links, { Self: `https://bank.example:8443/phantom${BASE}/accounts/acc-demo-savings/transactions` });
  assert.equal(savings.body.Meta.TotalPages, 1);
});

test('booking date filters: inclusive, kept in the page links, timezone ignored as OBIE says', async () => {
  const { all } = await allPages(TX);
  const from = all[40]!.BookingDateTime.slice(0, 19);
  const to = all[10]!.BookingDateTime.slice(0, 19);
  const expected = all.filter((t) => t.BookingDateTime.slice(0, 19) >= from && t.BookingDateTime.slice(0, 19) <= to);
  assert.ok(expected.length >= 31, 'both ends inclusive');
  const q = `fromBookingDateTime=${from}&toBookingDateTime=${to}`;
  const filtered = await allPages(`${TX}?${q}`, PHANTOM);
  assert.deepEqual(filtered.all.map((t) => t.TransactionId), expected.map((t) => t.TransactionId));
  assert.equal(filtered.pages[0]!.body.Links.Next, `${PUBLIC}?fromBookingDateTime=${encodeURIComponent(from)}&toBookingDateTime=${encodeURIComponent(to)}&page=2`);
  // Meta First/LastAvailableDateTime describe the account, not the filter.
  assert.equal(filtered.pages[0]!.body.Meta.LastAvailableDateTime, all[0]!.BookingDateTime);

  const withZone = await allPages(`${TX}?fromBookingDateTime=${encodeURIComponent(`${from}+05:00`)}&toBookingDateTime=${to}Z`);
  assert.deepEqual(withZone.all.map((t) => t.TransactionId), expected.map((t) => t.TransactionId));

  const day = all[20]!.BookingDateTime.slice(0, 10);
  const sameDay = await allPages(`${TX}?fromBookingDateTime=${day}`);
  assert.ok(sameDay.all.length > 0);
  assert.ok(sameDay.all.every((t) => t.BookingDateTime.slice(0, 10) >= day));
  assert.ok(sameDay.all.some((t) => t.BookingDateTime.slice(0, 10) === day), 'a date alone is midnight: that day is in');

  const future = await api.call(`${TX}?fromBookingDateTime=2999-01-01`);
  assert.equal(future.status, 200);
  assert.deepEqual(future.body.Data.Transaction, []);
  assert.equal(future.body.Meta.TotalPages, 1);
});

test('invalid booking dates are 400 UK.OBIE.Field.InvalidDate naming the parameter', async () => {
  const cases: [string, string][] = [
    ['fromBookingDateTime=yesterday', 'fromBookingDateTime'],
    ['fromBookingDateTime=', 'fromBookingDateTime'],
    ['toBookingDateTime=2024-02-30', 'toBookingDateTime'],
    ['toBookingDateTime=2024-13-01T00:00:00', 'toBookingDateTime'],
    ['fromBookingDateTime=2024-01-01T24:00:00', 'fromBookingDateTime'],
    ['fromBookingDateTime=2024-01-01T10:00:00+99:00', 'fromBookingDateTime'],
    ['fromBookingDateTime=1706745600', 'fromBookingDateTime'],
    ['fromBookingDateTime=2024-02-01&toBookingDateTime=2024-01-01', 'toBookingDateTime'],
  ];
  for (const [query, path] of cases) {
    for (const route of [TX, `${BASE}/transactions`]) {
      const r = await api.call(`${route}?${query}`);
      assert.equal(r.status, 400, query);
      const e = obieError(r.body);
      assert.equal(e.Code, '400 BadRequest');
      assert.equal(e.Errors[0]!.ErrorCode, 'UK.OBIE.Field.InvalidDate', query);
      assert.equal(e.Errors[0]!.Path, path, query);
    }
  }
  assert.equal((await api.call(`${TX}?fromBookingDateTime=2024-02-29&toBookingDateTime=2024-03-01T23:59:59.999`)).status, 200);
});

test('a bad page is 400 UK.OBIE.Field.Invalid with Path page', async () => {
  const total = (await api.call(TX)).body.Meta.TotalPages as number;
  for (const page of ['0', '-1', 'abc', '1.5', '', '01', String(total + 1), '99999999999', 'page=1&page=2']) {
    const query = page.startsWith('page=') ? page : `page=${page}`;
    const r = await api.call(`${TX}?${query}`);
    assert.equal(r.status, 400, query);
    const e = obieError(r.body);
    assert.equal(e.Errors[0]!.ErrorCode, 'UK.OBIE.Field.Invalid', query);
    assert.equal(e.Errors[0]!.Path, 'page', query);
  }
  assert.equal((await api.call(`${TX}?page=${total}`)).status, 200);
  // A filter that leaves one page makes page 2 invalid.
  assert.equal((await api.call(`${TX}?fromBookingDateTime=2999-01-01&page=2`)).status, 400);
});

test('GET /transactions (bulk) merges the permitted accounts, newest first, paginated', async () => {
  const seeded = await api.db.prisma.transaction.count({ where: { account: { customerId: 'psu-demo' } } });
  const { pages, all } = await allPages(`${BASE}/transactions`);
  assert.equal(all.length, seeded);
  assert.equal(pages[0]!.body.Meta.TotalPages, Math.ceil(seeded / 25));
  assert.deepEqual([...new Set(all.map((t) => t.AccountId))].sort(), ['acc-demo-current', 'acc-demo-savings']);
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.BookingDateTime >= all[i]!.BookingDateTime);
  assert.equal(pages[0]!.body.Links.Next, `https://localhost:9443${BASE}/transactions?page=2`);
});
