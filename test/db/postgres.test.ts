// Every store on PostgreSQL (FAPI_DATABASE_URL=postgresql://...), on a throw-away cluster or
// FAPI_TEST_DATABASE_URL's server (test/helpers/postgres.ts): migrations applied by two instances at
// once, DPoP replay claims atomic across two connection pools (and from gateway workers, whose batch is
// one statement; a database error fails the claim closed; group-committed as the gateway claims them), decision history, the bank's seed (raw
// multi-row INSERTs), trace events (raw INSERT) and retention read back through Prisma.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgres } from '../../server/db/client.ts';
import { PostgresReplayStore } from '../../server/gateway/dpop/replay-store.ts';
import { GroupCommitReplay } from '../../server/gateway/dpop/group-commit.ts';
import { DecisionStore, postgresDecisionRows } from '../../server/decisions/store.ts';
import { seedBank } from '../../server/api/seed.ts';
import { RunRecorder } from '../../server/engine/trace.ts';
import { pruneHistory } from '../../server/db/retention.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { freshDatabaseUrl, postgresSkip, withPostgresDb } from '../helpers/postgres.ts';
import { RemoteReplay, serveWorker, type FromWorker } from '../../server/gateway/ipc.ts';
import type { Decision } from '../../lib/trace/decision.ts';

const skip = postgresSkip;

test('two instances starting at once on one empty database: the migrations are applied once, both open it', { skip }, async () => {
  const url = await freshDatabaseUrl('migrate_twice');
  const [one, two] = await Promise.all([openPostgres(url, ROOT_DIR), openPostgres(url, ROOT_DIR)]);
  try {
    const applied = [one.migrations.applied, two.migrations.applied].sort((a, b) => b.length - a.length);
    assert.equal(applied[0]!.length, one.migrations.total, 'the first applies every migration');
    assert.deepEqual(applied[1], [], 'the second, waiting on the lock, finds them applied');
    const history = await one.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM "_prisma_migrations"');
    assert.equal(history.rows[0]!.n, one.migrations.total, 'each recorded once');
    const again = await openPostgres(url, ROOT_DIR);
    assert.deepEqual(again.migrations.applied, [], 'a restart applies nothing');
    await again.close();
  } finally {
    await one.close();
    await two.close();
  }
});

test('replay claims are atomic in the database: of two concurrent claims of one proof, on two connection pools, exactly one wins', { skip }, async () => {
  const url = await freshDatabaseUrl('replay');
  const [one, two] = await Promise.all([openPostgres(url, ROOT_DIR), openPostgres(url, ROOT_DIR)]);
  const a = new PostgresReplayStore(one.pool);
  const b = new PostgresReplayStore(two.pool);
  try {
    const exp = Math.floor(Date.now() / 1000) + 60;
    for (let i = 0; i < 20; i++) {
      const answers = await Promise.all([a.claim('jkt', `race-${i}`, exp), b.claim('jkt', `race-${i}`, exp)]);
      assert.deepEqual(answers.sort(), [false, true], `race ${i}: one claim wins`);
    }
    assert.deepEqual(await a.claimMany([['k', 'x', exp], ['k', 'y', exp], ['k', 'x', exp], ['other', 'x', exp]]), [true, true, false, true], 'a batch, a repeat within it included');
    assert.deepEqual(await b.claimMany([['k', 'y', exp], ['k', 'z', exp]]), [false, true], 'the other instance sees the batch');
    const batches = await Promise.all([a.claimMany([['m', '1', exp], ['m', '2', exp]]), b.claimMany([['m', '2', exp], ['m', '1', exp]])]);
    assert.deepEqual([batches[0]![0]! !== batches[1]![1]!, batches[0]![1]! !== batches[1]![0]!], [true, true], 'concurrent batches: each proof claimed once');
  } finally {
    a.close();
    b.close();
    await one.close();
    await two.close();
  }
});

test('group-committed claims (the gateway\'s): two instances racing whole batches of the same proofs, each proof claimed once; a lost connection refuses the batch', { skip }, async () => {
  const url = await freshDatabaseUrl('replay_group');
  const [one, two] = await Promise.all([openPostgres(url, ROOT_DIR), openPostgres(url, ROOT_DIR)]);
  const a = new GroupCommitReplay(new PostgresReplayStore(one.pool));
  const b = new GroupCommitReplay(new PostgresReplayStore(two.pool));
  try {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const jtis = Array.from({ length: 40 }, (_, i) => `race-${i}`);
    const [fromA, fromB] = await Promise.all([Promise.all(jtis.map((j) => a.claim('jkt', j, exp))), Promise.all([...jtis, ...jtis].map((j) => b.claim('jkt', j, exp)))]);
    jtis.forEach((j, i) => assert.equal([fromA[i], fromB[i], fromB[i + 40]].filter(Boolean).length, 1, `${j}: exactly one claim wins`));
    assert.deepEqual(fromB.slice(40), jtis.map(() => false), 'a repeat within a batch is refused');
    const rows = await one.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM "DpopProofSeen"');
    assert.equal(rows.rows[0]!.n, 40);
    await two.pool.end();
    const lost = await Promise.allSettled([b.claim('jkt', 'after-1', exp), b.claim('jkt', 'after-2', exp)]);
    assert.deepEqual(lost.map((o) => o.status), ['rejected', 'rejected'], 'never "fresh" without the database');
    assert.equal(await a.claim('jkt', 'after-1', exp), true, 'and nothing was claimed');
  } finally {
    a.close();
    b.close();
    await one.close();
    await two.prisma.$disconnect();
  }
});

test('gateway workers: a worker batch is answered from PostgreSQL, a repeat within it refused; a database error fails the claim closed', { skip }, async () => {
  const db = await openPostgres(await freshDatabaseUrl('replay_workers'), ROOT_DIR);
  const store = new PostgresReplayStore(db.pool);
  let replay: RemoteReplay;
  const send = (m: FromWorker) => setImmediate(() => void serveWorker(m, (answer) => {
    if (answer.t === 'claimed') replay.answered(answer.results);
  }, { replay: store, decisions: new DecisionStore(null) }));
  replay = new RemoteReplay(send);
  const exp = Math.floor(Date.now() / 1000) + 60;
  try {
    const answers = await Promise.all([replay.claim('k1', 'j1', exp), replay.claim('k1', 'j1', exp), replay.claim('k2', 'j1', exp)]);
    assert.deepEqual(answers, [true, false, true], 'the second use of (k1, j1) is a replay, even within one batch');
    assert.equal(await store.claim('k2', 'j1', exp), false, 'stored in PostgreSQL');
  } finally {
    store.close();
    await db.close();
  }
  await assert.rejects(replay.claim('k3', 'j1', exp), /replay cache in the main process/, 'the pool is closed: refused, never "fresh"');
  replay.close();
});

test('the replay purge deletes every expired row in steps and keeps the live ones', { skip }, () =>
  withPostgresDb('replay_purge', async (db) => {
    const store = new PostgresReplayStore(db.pool);
    try {
      const now = Math.floor(Date.now() / 1000);
      await store.claimMany(Array.from({ length: 600 }, (_, i) => ['k', `old-${i}`, now - 10] as const));
      await store.claimMany(Array.from({ length: 30 }, (_, i) => ['k', `live-${i}`, now + 60] as const));
      await store.purge(now);
      assert.equal((await db.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM "DpopProofSeen"')).rows[0]!.n, 30);
      assert.equal(await store.claim('k', 'live-0', now + 60), false, 'live claims still count');
      assert.equal(await store.claim('k', 'old-0', now + 60), true, 'an expired claim is forgotten');
    } finally {
      store.close();
    }
  }));

const decision = (interactionId: string, status: number, at = new Date()): Decision => ({
  interactionId, source: 'gateway', at: at.toISOString(), request: { method: 'GET', url: '/x', route: 'ob' }, tls: null, checks: [], response: { status }, durationMs: 1,
});

test('decision history: written in batches, read back by another store, and readable by Prisma', { skip }, () =>
  withPostgresDb('decisions', async (db) => {
    const store = new DecisionStore(postgresDecisionRows(db.pool), { busy: () => false, perIdLimit: 3 });
    const at = new Date(Date.now() - 1_000);
    for (let i = 0; i < 5; i++) store.record(decision('id-1', 400 + i, at));
    store.record(decision('id-2', 200, at));
    await store.close();
    assert.equal(store.stats().persisted, 6);
    const later = new DecisionStore(postgresDecisionRows(db.pool), { perIdLimit: 3 });
    const history = await later.history('id-1');
    assert.deepEqual(history.decisions.map((d) => d.response.status), [402, 403, 404], 'the newest perIdLimit, oldest first');
    assert.equal(history.omitted, 2);
    const rows = await db.prisma.decision.findMany({ where: { interactionId: 'id-2' } });
    assert.equal(rows[0]!.at.getTime(), at.getTime(), 'the time, to the millisecond, in UTC');
  }));

test('the bank is seeded once (raw multi-row INSERTs), twice at once included, and Prisma reads it', { skip }, () =>
  withPostgresDb('seed', async (db) => {
    const now = new Date('2026-11-30T12:00:00.000Z');
    const results = await Promise.all([seedBank(db.prisma, now), seedBank(db.prisma, now)]);
    assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
    assert.deepEqual(await seedBank(db.prisma, now), { created: false });
    const customers = await db.prisma.customer.findMany({ include: { accounts: { include: { balances: true, transactions: { take: 1 } } } } });
    assert.ok(customers.length > 0 && customers.every((c) => c.accounts.length > 0));
    const balance = customers[0]!.accounts[0]!.balances[0]!;
    assert.equal(balance.dateTime.getTime(), now.getTime(), 'DateTime columns hold the UTC instant');
  }));

test('a recorded run and its events read back through Prisma; retention prunes runs and decisions', { skip }, () =>
  withPostgresDb('trace', async (db) => {
    const recorder = new RunRecorder('run_pg', db.prisma);
    const sr = 'run_pg-0';
    recorder.emit({ type: 'run.started', target: 'bundled', scenarios: [{ id: 's', title: 'S', scenarioRunId: sr }] });
    await recorder.createRun({ trigger: 'test', target: 'bundled', selection: ['s'], scenarios: [{ id: sr, scenarioId: 's', title: 'S', position: 0 }] });
    recorder.emit({ type: 'scenario.started', scenarioId: 's', title: 'S' }, { scenarioRunId: sr, stepId: null });
    await recorder.scenarioStarted(sr);
    recorder.emit({ type: 'scenario.finished', scenarioId: 's', status: 'passed', durationMs: 3 }, { scenarioRunId: sr, stepId: null });
    await recorder.scenarioFinished(sr, 'passed', 3, null);
    recorder.emit({ type: 'run.finished', status: 'passed', durationMs: 4, counts: { passed: 1, failed: 0, error: 0, skipped: 0 } });
    await recorder.runFinished('passed', { passed: 1 });
    const events = await db.prisma.event.findMany({ where: { runId: 'run_pg' }, orderBy: { seq: 'asc' } });
    assert.deepEqual(events.map((e) => e.at.toISOString()), recorder.events.map((e) => e.at), 'every event at its time');
    assert.equal((await db.prisma.run.findUniqueOrThrow({ where: { id: 'run_pg' } })).status, 'passed');

    const old = new Date(Date.now() - 40 * 86_400_000);
    await db.prisma.run.update({ where: { id: 'run_pg' }, data: { createdAt: old } });
    await db.prisma.decision.createMany({ data: [{ interactionId: 'a', source: 'gateway', at: old, status: 401, payload: '{}' }, { interactionId: 'b', source: 'gateway', at: new Date(), status: 401, payload: '{}' }] });
    assert.deepEqual(await pruneHistory(db, { keepRuns: 10, keepDays: 30 }), { runs: 1, decisions: 1 });
    assert.equal(await db.prisma.event.count(), 0, 'the run went with its events');
  }));
