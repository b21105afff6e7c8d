// Seed data of the mock bank: three customers with a current and a savings account each, 90 days of
// UK transactions with running balances, and the OBIE v3.1 balances (InterimBooked / InterimAvailable)
// that agree with them. Deterministic: one seeded PRNG per customer, days counted from the seeding day.
import { providerOf, type PrismaClient } from '../db/client.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { formatPence } from './obie.ts';

const SORT_CODE = '404004';
const DAYS = 90;
const DAY_MS = 86_400_000;

interface Bill { info: string; reference: string; pence: number; day: number }

interface Profile {
  key: string;
  username: string;
  name: string;
  seed: number;
  /** lowestPence: the lowest running balance over the 90 days (the opening balance is derived from it). */
  current: { number: string; nickname: string; opened: string; lowestPence: number };
  savings: { number: string; nickname: string; opened: string; openingPence: number; aerPct: number };
  salary: { payer: string; pence: number };
  rent: { payee: string; reference: string; pence: number };
  /** Direct debits, collected on `day` of each month. */
  bills: Bill[];
  /** Standing order from current to savings the day after payday. */
  toSavingsPence: number;
}

/** The customers. Amounts in pence. */
const PROFILES: Profile[] = [
  {
    key: 'demo', username: 'demo', name: 'Ada Lovelace', seed: 1815,
    current: { number: '12345678', nickname: 'Everyday', opened: '2016-03-14', lowestPence: 412_35 },
    savings: { number: '87654321', nickname: 'Rainy Day', opened: '2018-11-02', openingPence: 8_420_00, aerPct: 4.1 },
    salary: { payer: 'ANALYTICAL ENGINES LTD', pence: 3_250_00 },
    rent: { payee: 'FOXTONS LETTINGS', reference: 'FLAT 3 12 DORSET ST', pence: 1_450_00 },
    bills: [
      { info: 'OCTOPUS ENERGY', reference: 'A-3F9C21D7', pence: 96_00, day: 12 },
      { info: 'THAMES WATER', reference: '900118834211', pence: 38_50, day: 20 },
      { info: 'WESTMINSTER CC CTAX', reference: '61203944', pence: 142_00, day: 1 },
      { info: 'EE LIMITED', reference: 'B81122047763', pence: 24_00, day: 15 },
      { info: 'NETFLIX.COM', reference: 'NFX 4417 2231', pence: 10_99, day: 5 },
    ],
    toSavingsPence: 300_00,
  },
  {
    key: 'alice', username: 'alice', name: 'Alice Smith', seed: 2024,
    current: { number: '23456789', nickname: 'Main account', opened: '2012-07-30', lowestPence: 128_90 },
    savings: { number: '98765432', nickname: 'House deposit', opened: '2020-01-06', openingPence: 15_250_00, aerPct: 4.35 },
    salary: { payer: 'NHS BUSINESS SERVICES', pence: 2_810_40 },
    rent: { payee: 'GREYSTAR UK', reference: 'APT 1204 ALICE SMITH', pence: 1_200_00 },
    bills: [
      { info: 'BRITISH GAS', reference: '850031227745', pence: 84_00, day: 8 },
      { info: 'LAMBETH COUNCIL TAX', reference: '40129388', pence: 131_00, day: 1 },
      { info: 'VODAFONE LTD', reference: '7741093321', pence: 18_00, day: 18 },
      { info: 'SPOTIFY UK', reference: 'SPOT 5512 0093', pence: 11_99, day: 9 },
      { info: 'PUREGYM LTD', reference: 'PG-00441923', pence: 24_99, day: 3 },
    ],
    toSavingsPence: 450_00,
  },
  {
    key: 'bob', username: 'bob', name: 'Bob Jones', seed: 1966,
    current: { number: '34567890', nickname: 'Current', opened: '2009-05-18', lowestPence: 57_20 },
    savings: { number: '09876543', nickname: 'Holiday fund', opened: '2021-09-21', openingPence: 2_105_00, aerPct: 3.9 },
    salary: { payer: 'JONES JOINERY LTD', pence: 2_450_00 },
    rent: { payee: 'BARNET HOMES LTD', reference: 'TENANCY 118204', pence: 980_00 },
    bills: [
      { info: 'EDF ENERGY', reference: '671120394', pence: 102_00, day: 14 },
      { info: 'AFFINITY WATER', reference: '300219887', pence: 31_20, day: 22 },
      { info: 'LB BARNET CTAX', reference: '50318877', pence: 158_00, day: 1 },
      { info: 'SKY DIGITAL', reference: '62281930022', pence: 47_00, day: 11 },
    ],
    toSavingsPence: 150_00,
  },
];

/** Card spending: chance per weekday / weekend day, amount (a pence range or fixed fares), hour range. */
const CARD_SPEND: { merchant: string; info: string; p: [number, number]; pence: { range: [number, number] } | { fares: number[] }; hours: [number, number] }[] = [
  { merchant: 'Tesco', info: 'TESCO STORES 2841', p: [0.12, 0.25], pence: { range: [9_40, 78_00] }, hours: [17, 20] },
  { merchant: "Sainsbury's", info: "SAINSBURY'S S/MKT", p: [0.08, 0.25], pence: { range: [6_10, 64_00] }, hours: [12, 19] },
  { merchant: 'Transport for London', info: 'TFL TRAVEL CH TFL.GOV.UK/CP', p: [0.25, 0.1], pence: { fares: [2_80, 5_60, 8_10] }, hours: [7, 9] },
  { merchant: 'Pret A Manger', info: 'PRET A MANGER', p: [0.12, 0.05], pence: { range: [3_95, 8_50] }, hours: [8, 13] },
  { merchant: 'Amazon', info: 'AMAZON.CO.UK MARKETPLACE', p: [0.04, 0.06], pence: { range: [7_99, 59_99] }, hours: [19, 22] },
];

/** Mulberry32: a small deterministic PRNG in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Kind = 'salary' | 'rent' | 'bill' | 'card' | 'transfer-out' | 'transfer-in' | 'interest';

interface Entry {
  account: 'current' | 'savings';
  kind: Kind;
  at: Date;
  /** Signed: credit > 0, debit < 0; interest is computed from the running balance. */
  pence: number;
  info: string;
  reference?: string;
  merchant?: string;
  code: [string, string];
}

/** ISO 20022 bank transaction codes (family, sub-family), as OBIE BankTransactionCode Code / SubCode. */
const CODES: Record<Kind, [string, string]> = {
  salary: ['RCDT', 'DMCT'], // received credit transfer, domestic
  rent: ['ICDT', 'STDO'], // issued credit transfer, standing order
  bill: ['IDDT', 'PMDD'], // issued direct debit
  card: ['CCRD', 'POSD'], // customer card, point-of-sale debit
  'transfer-out': ['ICDT', 'BOOK'], // internal book transfer
  'transfer-in': ['RCDT', 'BOOK'],
  interest: ['MCOP', 'INTR'], // miscellaneous credit operation, interest
};

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

const at = (day: Date, hour: number, minute = 0) => new Date(day.getTime() + (hour * 60 + minute) * 60_000);
const isWeekend = (d: Date) => d.getUTCDay() === 0 || d.getUTCDay() === 6;

/** Payday: the 25th, or the Friday before when the 25th is a weekend. */
function isPayday(d: Date): boolean {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  let pay = new Date(Date.UTC(y, m, 25));
  while (isWeekend(pay)) pay = new Date(pay.getTime() - DAY_MS);
  return pay.getTime() === d.getTime();
}

function entriesFor(p: Profile, start: Date): Entry[] {
  const rnd = prng(p.seed);
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const out: Entry[] = [];
  let paidToSavings = false;
  for (let i = 0; i < DAYS; i++) {
    const day = new Date(start.getTime() + i * DAY_MS);
    const dom = day.getUTCDate();
    const mon = MONTHS[day.getUTCMonth()]!;
    if (isPayday(day)) {
      out.push({ account: 'current', kind: 'salary', at: at(day, 6), pence: p.salary.pence, info: `${p.salary.payer} SALARY`, reference: `SALARY ${mon}`, code: CODES.salary });
      paidToSavings = false;
    } else if (!paidToSavings && dom > 25 && !isWeekend(day)) {
      const ref = `SAVINGS ${mon}`;
      out.push({ account: 'current', kind: 'transfer-out', at: at(day, 7), pence: -p.toSavingsPence, info: `TO ${p.savings.nickname.toUpperCase()} ${p.savings.number}`, reference: ref, code: CODES['transfer-out'] });
      out.push({ account: 'savings', kind: 'transfer-in', at: at(day, 7), pence: p.toSavingsPence, info: `FROM ${p.current.nickname.toUpperCase()} ${p.current.number}`, reference: ref, code: CODES['transfer-in'] });
      paidToSavings = true;
    }
    if (dom === 1) {
      out.push({ account: 'current', kind: 'rent', at: at(day, 6, 30), pence: -p.rent.pence, info: `${p.rent.payee} RENT`, reference: p.rent.reference, code: CODES.rent });
      out.push({ account: 'savings', kind: 'interest', at: at(day, 2), pence: 0, info: 'GROSS INTEREST', reference: `INTEREST ${mon}`, code: CODES.interest });
    }
    for (const bill of p.bills) {
      if (dom === bill.day) out.push({ account: 'current', kind: 'bill', at: at(day, 5), pence: -bill.pence, info: `${bill.info} DD`, reference: bill.reference, code: CODES.bill });
    }
    for (const spend of CARD_SPEND) {
      if (rnd() >= spend.p[isWeekend(day) ? 1 : 0]) continue;
      const pence = 'range' in spend.pence ? between(...spend.pence.range) : spend.pence.fares[between(0, spend.pence.fares.length - 1)]!;
      out.push({
        account: 'current', kind: 'card', at: at(day, between(spend.hours[0], spend.hours[1]), between(0, 59)), pence: -pence,
        info: `${spend.info} ${day.toISOString().slice(8, 10)}${mon}`, merchant: spend.merchant, code: CODES.card,
      });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The opening balance that makes the lowest booked running balance (opening included) `lowest`. */
function openingFor(lowest: number, entries: Entry[], pending: Set<Entry>): number {
  let sum = 0;
  let min = 0;
  for (const e of entries) {
    if (pending.has(e)) continue;
    sum += e.pence;
    min = Math.min(min, sum);
  }
  return lowest - min;
}

export interface SeedData {
  customers: Prisma.CustomerCreateManyInput[];
  accounts: Prisma.AccountCreateManyInput[];
  balances: Prisma.BalanceCreateManyInput[];
  transactions: Prisma.TransactionCreateManyInput[];
}

/**
 * Builds the seed for a given moment (the seeding time). Transactions cover the 90 days before that
 * day (UTC); the last two card payments of each current account are still Pending. A transaction's
 * balanceAmount is the signed running booked balance after it ("-12.30" = overdrawn).
 */
export function buildSeed(now: Date): SeedData {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(today.getTime() - DAYS * DAY_MS);
  const data: SeedData = { customers: [], accounts: [], balances: [], transactions: [] };
  for (const p of PROFILES) {
    const customerId = `psu-${p.key}`;
    data.customers.push({ id: customerId, username: p.username, name: p.name });
    const entries = entriesFor(p, start);
    const pending = new Set(entries.filter((e) => e.kind === 'card').slice(-2));
    for (const which of ['current', 'savings'] as const) {
      const spec = p[which];
      const accountId = `acc-${p.key}-${which}`;
      data.accounts.push({
        id: accountId, customerId, currency: 'GBP', accountType: 'Personal',
        accountSubType: which === 'current' ? 'CurrentAccount' : 'Savings', nickname: spec.nickname,
        openingDate: new Date(`${spec.opened}T00:00:00Z`), schemeName: 'UK.OBIE.SortCodeAccountNumber',
        identification: `${SORT_CODE}${spec.number}`, name: p.name,
      });
      const own = entries.filter((x) => x.account === which);
      let booked = which === 'savings' ? p.savings.openingPence : openingFor(p.current.lowestPence, own, pending);
      let pendingSum = 0;
      let n = 0;
      for (const e of own) {
        const pence = e.kind === 'interest' ? Math.round((booked * p.savings.aerPct) / 100 / 12) : e.pence;
        const isPending = pending.has(e);
        if (isPending) pendingSum += pence;
        else booked += pence;
        n += 1;
        data.transactions.push({
          id: `txn-${p.key}-${which}-${String(n).padStart(4, '0')}`, accountId,
          reference: e.reference ?? null, amount: formatPence(pence), currency: 'GBP',
          creditDebit: pence >= 0 ? 'Credit' : 'Debit', status: isPending ? 'Pending' : 'Booked',
          bookingDateTime: e.at, valueDateTime: e.at, information: e.info, merchantName: e.merchant ?? null,
          bankTxCode: e.code[0], bankTxSubCode: e.code[1], balanceAmount: `${booked < 0 ? '-' : ''}${formatPence(booked)}`,
        });
      }
      for (const [type, pence] of [['InterimAvailable', booked + pendingSum], ['InterimBooked', booked]] as const) {
        data.balances.push({ accountId, type, amount: formatPence(pence), currency: 'GBP', creditDebit: pence >= 0 ? 'Credit' : 'Debit', dateTime: now });
      }
    }
  }
  return data;
}

/** DateTime as Prisma stores it in SQLite (text), so Prisma reads and compares these rows like its own. */
const sqliteDateTime = (d: Date) => d.toISOString().replace(/Z$/, '+00:00');
/** Prisma stores DateTime in PostgreSQL as `timestamp(3)` in UTC: the same text without a zone. */
const postgresDateTime = (d: Date) => d.toISOString().replace(/Z$/, '');

/**
 * Multi-row INSERTs for one table. Prisma 7's createMany spends about a millisecond a row on a cold
 * start (its query compiler), ~500 ms for this seed; one parameterised INSERT per 1,000 rows takes ~30 ms.
 */
function insertRows(prisma: PrismaClient, table: string, rows: readonly object[]) {
  const postgres = providerOf(prisma) === 'postgresql';
  const dateTime = postgres ? postgresDateTime : sqliteDateTime;
  const columns = Object.keys(rows[0] ?? {});
  const perStatement = Math.max(1, Math.floor(30_000 / Math.max(1, columns.length)));
  const statements = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values: unknown[] = [];
    for (const row of chunk) {
      for (const c of columns) {
        const v: unknown = (row as Record<string, unknown>)[c];
        values.push(v instanceof Date ? dateTime(v) : (v ?? null));
      }
    }
    // PostgreSQL numbers its parameters ($1, $2...) and types the text of a timestamp from its column.
    let n = 0;
    const tuple = () => `(${columns.map(() => (postgres ? `$${++n}` : '?')).join(', ')})`;
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${chunk.map(tuple).join(', ')}`;
    statements.push(prisma.$executeRawUnsafe(sql, ...values));
  }
  return statements;
}

const hasCustomers = async (prisma: PrismaClient) =>
  (await prisma.$queryRawUnsafe<{ n: number | bigint }[]>('SELECT COUNT(*) AS n FROM "Customer"'))[0]!.n > 0;

/**
 * Seeds the bank once: only when there are no customers. All rows go in one database transaction; a
 * concurrent seeder that wins makes this one fail on the customers' keys, which reads as "already seeded".
 */
export async function seedBank(prisma: PrismaClient, now: Date = new Date()): Promise<{ created: boolean }> {
  if (await hasCustomers(prisma)) return { created: false };
  const data = buildSeed(now);
  try {
    await prisma.$transaction([
      ...insertRows(prisma, 'Customer', data.customers),
      ...insertRows(prisma, 'Account', data.accounts),
      ...insertRows(prisma, 'Transaction', data.transactions),
      ...insertRows(prisma, 'Balance', data.balances),
    ]);
  } catch (err) {
    if (await hasCustomers(prisma)) return { created: false };
    throw err;
  }
  return { created: true };
}
