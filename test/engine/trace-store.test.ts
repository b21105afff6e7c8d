// The trace recorder's storage (server/engine/trace.ts) on a real SQLite file through Prisma: runs,
// scenarios, steps and events read back as written (dates, JSON columns, order, event times); a
// failed write never throws at the run and is retried with the next one, so the stored trace has no
// gap; a write that keeps failing is given up after three attempts and the run's later writes land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunRecorder } from '../../server/engine/trace.ts';
import { withTempDb } from '../helpers/db.ts';

/** Records one finished step of scenario run `sr`, the way the runner does it. */
function step(recorder: RunRecorder, sr: string, index: number): Promise<void> {
  const scope = { scenarioRunId: sr, stepId: `${sr}-${index}` };
  recorder.emit({ type: 'step.started', index, name: `step ${index}`, kind: 'wait' }, scope);
  recorder.emit({ type: 'step.finished', index, status: 'passed', durationMs: 1.5 }, scope);
  return recorder.stepFinished({ id: scope.stepId, scenarioRunId: sr, position: index, name: `step ${index}`, kind: 'wait', status: 'passed', durationMs: 1.5 });
}

async function begin(recorder: RunRecorder, sr: string): Promise<void> {
  recorder.emit({ type: 'run.started', target: 'bundled', scenarios: [{ id: 's', title: 'S', scenarioRunId: sr }] });
  await recorder.createRun({ trigger: 'test', target: 'bundled', selection: ['s', 'mtls'], scenarios: [{ id: sr, scenarioId: 's', title: 'S', position: 0 }] });
  recorder.emit({ type: 'scenario.started', scenarioId: 's', title: 'S' }, { scenarioRunId: sr, stepId: null });
  await recorder.scenarioStarted(sr);
}

test('a recorded run reads back through Prisma: dates, JSON columns, step order and every event at its time', () =>
  withTempDb('trace-store', async (db) => {
    const older = new Date(Date.now() - 60_000);
    await db.prisma.run.create({ data: { id: 'run_older', createdAt: older, finishedAt: older, status: 'passed', trigger: 'test', target: 'bundled', selection: '[]' } });
    const before = Date.now();
    const recorder = new RunRecorder('run_new', db.prisma);
    const sr = 'run_new-0';
    await begin(recorder, sr);
    await step(recorder, sr, 0);
    await step(recorder, sr, 1);
    recorder.emit({ type: 'scenario.finished', scenarioId: 's', status: 'failed', durationMs: 3 }, { scenarioRunId: sr, stepId: null });
    await recorder.scenarioFinished(sr, 'failed', 3.4, { step: 1, explanation: 'why' });
    recorder.emit({ type: 'run.finished', status: 'failed', durationMs: 4, counts: { passed: 0, failed: 1, error: 0, skipped: 0 } });
    await recorder.runFinished('failed', { failed: 1 });

    const runs = await db.prisma.run.findMany({ orderBy: { createdAt: 'desc' }, include: { scenarios: { include: { steps: { orderBy: { position: 'asc' } } } } } });
    assert.deepEqual(runs.map((r) => r.id), ['run_new', 'run_older'], 'newest first');
    const run = runs[0]!;
    assert.ok(run.createdAt.getTime() >= before - 5 && run.createdAt.getTime() <= Date.now());
    assert.ok(run.finishedAt && run.finishedAt.getTime() >= run.createdAt.getTime());
    assert.equal(run.status, 'failed');
    assert.equal(run.pid, process.pid);
    assert.deepEqual(JSON.parse(run.selection), ['s', 'mtls']);
    assert.deepEqual(JSON.parse(run.summary!), { failed: 1 });
    const scenario = run.scenarios[0]!;
    assert.equal(scenario.status, 'failed');
    assert.equal(scenario.durationMs, 3);
    assert.ok(scenario.startedAt && scenario.finishedAt && scenario.finishedAt >= scenario.startedAt);
    assert.deepEqual(JSON.parse(scenario.failure!), { step: 1, explanation: 'why' });
    assert.deepEqual(scenario.steps.map((s) => [s.position, s.status, s.durationMs]), [[0, 'passed', 2], [1, 'passed', 2]]);

    const events = await db.prisma.event.findMany({ where: { runId: 'run_new' }, orderBy: { seq: 'asc' } });
    assert.deepEqual(events.map((e) => e.at.toISOString()), recorder.events.map((e) => e.at), 'every event, read back to the millisecond');
    assert.deepEqual(events.map((e) => [e.seq, e.type, e.scenarioRunId, e.stepId]), recorder.events.map((e) => [e.seq, e.type, e.scenarioRunId, e.stepId]));
    assert.deepEqual(events.map((e) => JSON.parse(e.payload) as unknown), JSON.parse(JSON.stringify(recorder.events)));
  }));

test('a failed write never throws at the run; it is kept and stored with the next one; one that keeps failing is given up after three attempts', () =>
  withTempDb('trace-store-fail', async (db) => {
    // Step inserts fail while the flag is set, as a lock held past the timeout or a full disk would.
    db.sqlite.exec(`CREATE TABLE InjectFailure (on_ INTEGER NOT NULL); INSERT INTO InjectFailure VALUES (1);
      CREATE TRIGGER fail_step BEFORE INSERT ON Step WHEN (SELECT on_ FROM InjectFailure) = 1 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    const failing = (on: boolean) => db.sqlite.prepare('UPDATE InjectFailure SET on_ = ?').run(on ? 1 : 0);
    const logged: string[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    try {
      const recorder = new RunRecorder('run_flaky', db.prisma);
      const sr = 'run_flaky-0';
      await begin(recorder, sr);
      const stored = async () => ({
        steps: (await db.prisma.step.findMany({ where: { scenarioRunId: sr }, orderBy: { position: 'asc' } })).map((s) => s.position),
        events: (await db.prisma.event.findMany({ where: { runId: 'run_flaky' }, orderBy: { seq: 'asc' } })).map((e) => e.seq),
      });

      await assert.doesNotReject(step(recorder, sr, 0));
      assert.equal(logged.length, 1);
      assert.match(logged[0]!, /database write failed for run run_flaky; kept for the next write/);
      assert.deepEqual((await stored()).steps, []);
      assert.deepEqual((await stored()).events, [], 'the events written with the step rolled back with its row');

      failing(false);
      await step(recorder, sr, 1);
      assert.equal(logged.length, 1, 'no new failure');
      assert.deepEqual(await stored(), { steps: [0, 1], events: recorder.events.map((e) => e.seq) }, 'the failed step and its events were stored with the next write, without a gap');

      failing(true);
      await step(recorder, sr, 2);
      await step(recorder, sr, 3);
      await step(recorder, sr, 4);
      assert.equal(logged.length, 4);
      assert.match(logged[3]!, /writes given up after 3 attempts/);
      failing(false);
      await step(recorder, sr, 5);
      assert.equal(logged.length, 4);
      assert.deepEqual((await stored()).steps, [0, 1, 5], 'after giving up, the run\'s later writes land');
    } finally {
      console.error = error;
    }
  }));
