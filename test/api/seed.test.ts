// Mock OB API seed data and building blocks: seedBank idempotent and fast, buildSeed deterministic
// and consistent, OBIE amount / date helpers, the constant-time gateway key comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb } from '../../server/db/client.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { buildSeed, seedBank } from '../../server/api/seed.ts';
import { formatPence, isoDateTime, pageLinks, signedAmount } from '../../server/api/obie.ts';
import { parseBookingDateTime, parsePage } from '../../server/api/query.ts';
import { gatewayKeyMatches } from '../../server/api/access.ts';
import { ObieError } from '../../server/api/obie.ts';
import { tempDataDir } from '../helpers/paths.ts';

test('seedBank seeds once; a second call (or a concurrent one) creates nothing', async () => {
  const data = tempDataDir('api-seed');
  const db = await openDb(data.dir, ROOT_DIR);
  try {
    // Its speed is part of the start-up figure in `npm run bench`, not a timed assertion here.
    const first = await seedBank(db.prisma);
    assert.deepEqual(first, { created: true });
    const counts = async () => [await db.prisma.customer.count(), await db.prisma.account.count(), await db.prisma.transaction.count(), await db.prisma.balance.count()];
    const before = await counts();
    assert.deepEqual(before.slice(0, 2), [3, 6]);
    assert.equal(before[3], 12);
    assert.deepEqual(await seedBank(db.prisma), { created: false });
    assert.deepEqual(await counts(), before);
    const customers = await db.prisma.customer.findMany({ orderBy: { id: 'asc' } });
    assert.deepEqual(customers.map((c) => [c.id, c.username, c.name]), [
      ['psu-alice', 'alice', 'Alice Smith'], ['psu-bob', 'bob', 'Bob Jones'], ['psu-demo', 'demo', 'Ada Lovelace'],
    ]);
  } finally {
    await db.close();
    data.remove();
  }
  const fresh = tempDataDir('api-seed-race');
  const db2 = await openDb(fresh.dir, ROOT_DIR);
  try {
    const results = await Promise.all([seedBank(db2.prisma), seedBank(db2.prisma)]);
    assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
    assert.equal(await db2.prisma.customer.count(), 3);
  } finally {
    await db2.close();
    fresh.remove();
  }
});

test('buildSeed is deterministic for a seeding time and consistent with itself', () => {
  const now = new Date('2025-03-18T10:15:00Z');
  const a = buildSeed(now);
  assert.deepEqual(buildSeed(now), a);
  assert.notDeepEqual(buildSeed(new Date('2025-03-19T10:15:00Z')).transactions.map((t) => t.bookingDateTime), a.transactions.map((t) => t.bookingDateTime));
  assert.equal(new Set(a.transactions.map((t) => t.id)).size, a.transactions.length);
  const start = now.getTime() - 91 * 86_400_000;
  for (const acc of a.accounts) {
    assert.match(acc.identification, /^404004\d{8}$/);
    const txs = a.transactions.filter((t) => t.accountId === acc.id);
    if (acc.accountSubType === 'CurrentAccount') assert.ok(txs.length >= 60 && txs.length <= 90, `${acc.id}: ${txs.length}`);
    else assert.ok(txs.length >= 3 && txs.length <= 8, `${acc.id}: ${txs.length}`);
    for (const t of txs) {
      const when = new Date(t.bookingDateTime).getTime();
      assert.ok(when < now.getTime() && when > start, `${t.id} within the 90 days before seeding`);
    }
    const pence = (v: string) => Math.round(Number(v) * 100);
    const bal = (type: string) => {
      const b = a.balances.find((x) => x.accountId === acc.id && x.type === type)!;
      return pence(b.amount) * (b.creditDebit === 'Debit' ? -1 : 1);
    };
    const booked = txs.filter((t) => t.status === 'Booked');
    assert.equal(pence(booked.at(-1)!.balanceAmount), bal('InterimBooked'), acc.id);
    const pendingSum = txs.filter((t) => t.status === 'Pending').reduce((s, t) => s + pence(t.amount) * (t.creditDebit === 'Debit' ? -1 : 1), 0);
    assert.equal(bal('InterimAvailable'), bal('InterimBooked') + pendingSum, acc.id);
  }
  const demo = a.transactions.filter((t) => t.accountId === 'acc-demo-current');
  for (const merchant of ['Tesco', "Sainsbury's", 'Transport for London', 'Pret A Manger']) assert.ok(demo.some((t) => t.merchantName === merchant), merchant);
  for (const word of ['SALARY', 'RENT', 'DD']) assert.ok(demo.some((t) => t.information.includes(word)), word);
});

test('OBIE amounts and date-times', () => {
  assert.equal(formatPence(123456), '1234.56');
  assert.equal(formatPence(-5), '0.05');
  assert.equal(formatPence(100), '1.00');
  assert.throws(() => formatPence(1.5));
  assert.deepEqual(signedAmount('-12.30'), { Amount: '12.30', CreditDebitIndicator: 'Debit' });
  assert.deepEqual(signedAmount('0.00'), { Amount: '0.00', CreditDebitIndicator: 'Credit' });
  assert.equal(isoDateTime(new Date('2017-04-05T10:43:07.123Z')), '2017-04-05T10:43:07+00:00');
});

test('booking date parsing follows OBIE: date alone is midnight, the timezone is ignored', () => {
  const iso = (v: string) => parseBookingDateTime(v, 'fromBookingDateTime').toISOString();
  assert.equal(iso('2024-01-31'), '2024-01-31T00:00:00.000Z');
  assert.equal(iso('2024-01-31T09:30'), '2024-01-31T09:30:00.000Z');
  assert.equal(iso('2024-01-31T09:30:15.5'), '2024-01-31T09:30:15.500Z');
  assert.equal(iso('2024-01-31T09:30:15-08:00'), '2024-01-31T09:30:15.000Z');
  assert.equal(iso('0099-01-01'), '0099-01-01T00:00:00.000Z');
  for (const bad of ['2023-02-29', '2024-1-31', '2024-01-31T9:30', '2024-01-31 09:30', '2024-01-31T09:60', 'T09:30', '2024-01-31Z+01:00']) {
    assert.throws(() => parseBookingDateTime(bad, 'fromBookingDateTime'), (e: unknown) => e instanceof ObieError && e.status === 400 && e.errors[0]!.ErrorCode === 'UK.OBIE.Field.InvalidDate', bad);
  }
  assert.equal(parsePage(new URLSearchParams('')), 1);
  assert.equal(parsePage(new URLSearchParams('page=7')), 7);
});

test('page links keep the other query parameters', () => {
  const url = new URL('http://x/open-banking/v3.1/aisp/transactions?fromBookingDateTime=2024-01-01&page=2');
  assert.deepEqual(pageLinks('https://gw:9443/mtls', url, 2, 3), {
    Self: 'https://gw:9443/mtls/open-banking/v3.1/aisp/transactions?fromBookingDateTime=2024-01-01&page=2',
    First: 'https://gw:9443/mtls/open-banking/v3.1/aisp/transactions?fromBookingDateTime=2024-01-01&page=1',
    Prev: 'https://gw:9443/mtls/open-banking/v3.1/aisp/transactions?fromBookingDateTime=2024-01-01&page=1',
    Next: 'https://gw:9443/mtls/open-banking/v3.1/aisp/transactions?fromBookingDateTime=2024-01-01&page=3',
    Last: 'https://gw:9443/mtls/open-banking/v3.1/aisp/transactions?fromBookingDateTime=2024-01-01&page=3',
  });
});

test('gateway key comparison: only the exact key matches', () => {
  const secret = 'k'.repeat(43);
  assert.equal(gatewayKeyMatches(secret, secret), true);
  for (const other of ['k'.repeat(42), `${secret}k`, 'K'.repeat(43), '', undefined, [secret, secret]]) {
    assert.equal(gatewayKeyMatches(other, secret), false, String(other));
  }
});
