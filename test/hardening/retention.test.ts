// Stored history is pruned: the newest FAPI_KEEP_RUNS runs (200) no older than FAPI_KEEP_DAYS (30) are
// kept with their scenarios, steps and events; running runs are never touched; decision rows age out too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTempDb } from '../helpers/db.ts';
import { pruneHistory } from '../../server/db/retention.ts';
import { loadConfig } from '../../server/config.ts';

const DAY = 86_400_000;

test('the defaults and the environment', () => {
  assert.deepEqual(loadConfig({}, {}).retention, { keepRuns: 200, keepDays: 30 });
  assert.deepEqual(loadConfig({}, { FAPI_KEEP_RUNS: '0', FAPI_KEEP_DAYS: '7' }).retention, { keepRuns: 0, keepDays: 7 });
});

test('runs past the count or the age go with their scenarios, steps and events; running ones stay', async () => {
  await withTempDb('retention', async (db) => {
    const p = db.prisma;
    const now = Date.now();
    const make = (id: string, ageDays: number, status = 'passed') => p.run.create({
      data: {
        id, createdAt: new Date(now - ageDays * DAY), status, trigger: 'test', target: 'bundled', selection: '[]',
        scenarios: { create: [{ id: `${id}-0`, scenarioId: 's', title: 's', position: 0, status: 'passed', steps: { create: [{ id: `${id}-0-0`, position: 0, name: 'n', kind: 'call', status: 'passed' }] } }] },
        events: { create: [{ seq: 0, type: 'run.started', at: new Date(now - ageDays * DAY), payload: '{}' }] },
      },
    });
    for (let i = 0; i < 6; i++) await make(`run_recent_${i}`, i * 0.1);
    await make('run_old', 40);
    await make('run_old_running', 40, 'running');
    await db.sqlite.prepare("INSERT INTO Decision (interactionId, source, at, status, payload) VALUES ('a', 'gateway', ?, 401, '{}'), ('b', 'gateway', ?, 401, '{}')")
      .run(new Date(now - 40 * DAY).toISOString().replace(/Z$/, '+00:00'), new Date(now).toISOString().replace(/Z$/, '+00:00'));
    const pruned = await pruneHistory(db, { keepRuns: 4, keepDays: 30 });
    assert.deepEqual(pruned, { runs: 3, decisions: 1 });
    const left = (await p.run.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id);
    assert.deepEqual(left, ['run_old_running', 'run_recent_0', 'run_recent_1', 'run_recent_2', 'run_recent_3']);
    assert.equal(await p.event.count({ where: { runId: { in: ['run_old', 'run_recent_4', 'run_recent_5'] } } }), 0);
    assert.equal(await p.scenarioRun.count({ where: { runId: 'run_old' } }), 0);
    assert.equal(await p.step.count({ where: { scenarioRunId: 'run_old-0' } }), 0);
    assert.deepEqual((await p.decision.findMany()).map((d) => d.interactionId), ['b']);
    // 0 turns a bound off.
    assert.deepEqual(await pruneHistory(db, { keepRuns: 0, keepDays: 0 }), { runs: 0, decisions: 0 });
  });
});
