// The decision store: every decision in memory at once (the engine's join, GET /api/decisions/<id>),
// history in SQLite in batches readable by Prisma too, memory bounded, and a bounded write rate under
// a flood (refusals kept first, the rest counted as memory-only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DecisionStore, sqliteDecisionRows } from '../../server/decisions/store.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import { withTempDb } from '../helpers/db.ts';

function decision(status: number, interactionId: string = randomUUID()): Decision {
  return {
    interactionId, source: 'gateway', at: new Date().toISOString(),
    request: { method: 'GET', url: 'https://localhost:9443/open-banking/v3.1/aisp/accounts', route: 'ob-api', binding: 'mtls' },
    tls: null,
    checks: [{ id: 'mtls.cnf-thumbprint-match', outcome: status === 200 ? 'pass' : 'fail', reason: 'r' }],
    response: { status }, durationMs: 0.1,
  };
}

test('decision store: recorded decisions are in memory at once and in SQLite after a flush, readable by Prisma', async () => {
  await withTempDb('decisions', async (db) => {
    const store = new DecisionStore(sqliteDecisionRows(db.sqlite), { busy: () => false });
    const d = decision(401);
    store.record(d);
    store.record({ ...d, source: 'idp' });
    assert.equal(store.peek(d.interactionId).length, 2, 'both, before any write');
    await store.flush();
    const rows = await db.prisma.decision.findMany({ where: { interactionId: d.interactionId }, orderBy: { id: 'asc' } });
    assert.deepEqual(rows.map((r) => [r.source, r.status, r.at.toISOString()]), [['gateway', 401, d.at], ['idp', 401, d.at]]);
    // A fresh store (a restart) answers from SQLite.
    const later = new DecisionStore(sqliteDecisionRows(db.sqlite));
    assert.deepEqual(later.peek(d.interactionId), []);
    assert.deepEqual((await later.get(d.interactionId)).map((x) => x.source), ['gateway', 'idp']);
    assert.deepEqual(await later.get(randomUUID()), []);
  });
});

test('decision store: memory is bounded; evicted decisions are still found on disk; latest() is newest first', async () => {
  await withTempDb('decisions-memory', async (db) => {
    const store = new DecisionStore(sqliteDecisionRows(db.sqlite), { memoryLimit: 3, busy: () => false });
    const all = Array.from({ length: 5 }, () => decision(200));
    for (const d of all) store.record(d);
    assert.deepEqual(store.peek(all[0]!.interactionId), [], 'evicted from memory');
    assert.equal(store.peek(all[4]!.interactionId).length, 1);
    await store.flush();
    assert.equal((await store.get(all[0]!.interactionId)).length, 1, 'from SQLite');
    assert.deepEqual(store.latest(2).map((d) => d.interactionId), [all[4]!.interactionId, all[3]!.interactionId]);
    assert.equal(store.latest(50).length, 5);
  });
});

test('decision store: under a flood at most persistPerSecond rows are written, refusals first; the rest are counted', async () => {
  await withTempDb('decisions-flood', async (db) => {
    const logged: string[] = [];
    const store = new DecisionStore(sqliteDecisionRows(db.sqlite), { persistPerSecond: 10, burst: 10, busy: () => false, log: (m) => logged.push(m) });
    const refusals = Array.from({ length: 4 }, () => decision(401));
    const successes = Array.from({ length: 26 }, () => decision(200));
    for (const [i, d] of successes.entries()) {
      store.record(d);
      if (i % 6 === 0 && refusals.length) store.record(refusals.pop()!);
    }
    await store.flush();
    const rows = db.sqlite.prepare('SELECT status FROM Decision').all() as { status: number }[];
    assert.equal(rows.length, 10);
    assert.equal(rows.filter((r) => r.status === 401).length, 4, 'every refusal is on disk');
    assert.deepEqual(store.stats(), { recorded: 30, persisted: 10, memoryOnly: 20, notForwarded: 0 });
    assert.match(logged.join('\n'), /20 decisions kept in memory only/);
    assert.equal(store.peek(successes[25]!.interactionId).length, 1, 'still in memory for the engine and the UI');
  });
});

test('decision store: while the process is busy only refusals are written; successes stay in memory', async () => {
  await withTempDb('decisions-busy', async (db) => {
    let busy = true;
    const store = new DecisionStore(sqliteDecisionRows(db.sqlite), { busy: () => busy, log: () => {} });
    const ok = decision(200);
    const refused = decision(401);
    store.record(ok);
    store.record(refused);
    await store.flush();
    assert.deepEqual((db.sqlite.prepare('SELECT status FROM Decision').all() as { status: number }[]).map((r) => r.status), [401]);
    assert.equal(store.peek(ok.interactionId).length, 1);
    busy = false;
    const later = decision(200);
    store.record(later);
    await store.flush();
    assert.equal((await new DecisionStore(sqliteDecisionRows(db.sqlite)).get(later.interactionId)).length, 1, 'written once the process has time');
    assert.deepEqual(store.stats(), { recorded: 3, persisted: 2, memoryOnly: 1, notForwarded: 0 });
  });
});

test('decision store: without a database it keeps memory only', async () => {
  const store = new DecisionStore(null);
  const d = decision(200);
  store.record(d);
  await store.flush();
  assert.equal((await store.get(d.interactionId)).length, 1);
  assert.deepEqual(store.stats(), { recorded: 1, persisted: 0, memoryOnly: 0, notForwarded: 0 });
});

test('decision store, shared database (two instances on one SQLite file): a decision one records is joined by the other at once; an id no one chose waits for the batch; nothing is stored twice', async () => {
  await withTempDb('decisions-shared', async (db) => {
    const Database = (await import('better-sqlite3')).default;
    const second = new Database(db.file, { timeout: 10_000 });
    try {
      const a = new DecisionStore(sqliteDecisionRows(db.sqlite), { busy: () => false, shared: true });
      const b = new DecisionStore(sqliteDecisionRows(second), { busy: () => false, shared: true });
      const unshared = new DecisionStore(sqliteDecisionRows(second), { busy: () => false });
      const gw = decision(401);
      await a.record(gw, true);
      await b.record({ ...gw, source: 'idp', at: new Date(Date.parse(gw.at) + 1).toISOString() });
      assert.deepEqual((await b.lookup(gw.interactionId)).map((d) => d.source), ['gateway', 'idp'], 'B sees A\'s decision before any flush, in time order');
      assert.deepEqual((await a.lookup(gw.interactionId)).map((d) => d.source), ['gateway', 'idp']);
      assert.deepEqual((await a.history(gw.interactionId)).decisions.map((d) => d.source), ['gateway', 'idp']);
      assert.deepEqual(await unshared.lookup(gw.interactionId), [], 'without shared, a lookup is this instance\'s memory only (as before)');
      const anonymous = decision(200);
      await a.record(anonymous, false);
      assert.deepEqual(await b.lookup(anonymous.interactionId), [], 'not written through');
      await a.flush();
      assert.equal((await b.lookup(anonymous.interactionId)).length, 1, 'after the batch');
      await a.flush();
      await b.flush();
      assert.equal(await db.prisma.decision.count(), 3, 'each decision stored once');
    } finally {
      second.close();
    }
  });
});

test('decision store: recording stays as cheap once memory is full and evicting as before (no cost growing with what was evicted)', () => {
  const store = new DecisionStore(null, { memoryLimit: 20_000, totalLimit: 20_000 });
  let first: Decision | undefined;
  let last: Decision | undefined;
  const cpuPerRecord = (n: number) => {
    const batch = Array.from({ length: n }, () => decision(200));
    first ??= batch[0];
    last = batch.at(-1);
    const c0 = process.cpuUsage();
    for (const d of batch) store.record(d, false);
    const u = process.cpuUsage(c0);
    return (u.user + u.system) / n;
  };
  const filling = Math.min(cpuPerRecord(10_000), cpuPerRecord(10_000));
  for (let i = 0; i < 3; i++) cpuPerRecord(10_000); // full: every record evicts the oldest id
  const full = Math.min(cpuPerRecord(10_000), cpuPerRecord(10_000));
  assert.ok(full < Math.max(filling, 2) * 4, `µs CPU per record: ${filling.toFixed(2)} while filling, ${full.toFixed(2)} when full`);
  assert.deepEqual(store.peek(first!.interactionId), [], 'the oldest id was evicted');
  assert.deepEqual(store.peek(last!.interactionId), [last], 'the newest is kept');
});
