// Durability of runs: kill -9 in the middle of a scenario run loses no completed step (nor its events)
// and no earlier run; the next start marks the orphaned run interrupted; the database is in WAL mode;
// twenty runs at once through the control API keep their traces apart.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startStack, type Stack } from '../../server/stack.ts';
import { BOOT_ID, recoverRuns } from '../../server/engine/recovery.ts';
import { runChild } from '../helpers/child.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const scenario = (id: string, steps: string) => `id: ${id}
title: Durability probe ${id}
summary: A scenario the durability test runs and kills.
tags: [mtls]
references: [RFC 8705 §3]
teaches: Nothing; it exercises the trace recorder.
gatewayShould: Serve the bound token.
actors:
  alpha: { certificate: tpp-alpha, client: tpp-alpha }
steps:
  - name: token
    token: { actor: alpha, save: tok }
  - name: first call
    call: { actor: alpha, path: /open-banking/v3.1/aisp/accounts, token: tok }
${steps}`;

const SLOW = `  - name: second call
    call: { actor: alpha, path: /open-banking/v3.1/aisp/balances, token: tok }
  - name: a long wait (killed here)
    wait: { seconds: 30 }
  - name: never reached
    call: { actor: alpha, path: /open-banking/v3.1/aisp/accounts, token: tok }
`;

let data: ReturnType<typeof tempDataDir>;
let scenarios: string;
before(() => {
  data = tempDataDir('durability');
  scenarios = mkdtempSync(path.join(os.tmpdir(), 'fapi-durability-scenarios-'));
  writeFileSync(path.join(scenarios, 'durability-quick.yaml'), scenario('durability-quick', ''));
  writeFileSync(path.join(scenarios, 'durability-slow.yaml'), scenario('durability-slow', SLOW));
});
after(() => {
  data.remove();
  rmSync(scenarios, { recursive: true, force: true });
});

interface EventRow { runId: string; seq: number; type: string; scenarioRunId: string | null; stepId: string | null; payload: string }

/** Events of one run are numbered 0..n-1 without a gap, and each payload agrees with its row. */
function assertContiguous(events: EventRow[], runId: string): void {
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i), `seq of ${runId} is contiguous from 0`);
  for (const e of events) {
    const p = JSON.parse(e.payload) as { runId: string; seq: number; type: string; scenarioRunId: string | null };
    assert.equal(e.runId, runId);
    assert.equal(p.runId, runId);
    assert.equal(p.seq, e.seq);
    assert.equal(p.type, e.type);
    assert.equal(p.scenarioRunId, e.scenarioRunId);
    if (e.scenarioRunId) assert.ok(e.scenarioRunId.startsWith(`${runId}-`), `event ${e.seq} of ${runId} belongs to ${e.scenarioRunId}`);
  }
}

test('kill -9 during a run: completed steps, their events and earlier runs survive; the next start marks it interrupted', async () => {
  const earlier = runChild(['run', 'durability-quick', '--scenarios', scenarios, '--reporter', 'json'], data.dir);
  assert.equal(await earlier.exited, 0, earlier.output());

  const slow = runChild(['run', 'durability-slow', '--scenarios', scenarios], data.dir);
  const file = path.join(data.dir, 'sandbox.db');
  const deadline = Date.now() + 30_000;
  let completed = 0;
  while (completed < 3) {
    assert.ok(Date.now() < deadline, `the slow run did not complete 3 steps in time:\n${slow.output()}`);
    await new Promise((r) => setTimeout(r, 50));
    try {
      const peek = new Database(file, { readonly: true, fileMustExist: true });
      completed = (peek.prepare(`SELECT count(*) AS n FROM Step s JOIN ScenarioRun r ON r.id = s.scenarioRunId WHERE r.scenarioId = 'durability-slow'`).get() as { n: number }).n;
      peek.close();
    } catch {
      // the database or its tables are not there yet
    }
  }
  assert.equal(await slow.kill('SIGKILL'), 'SIGKILL', 'killed in the middle of the wait step');

  const raw = new Database(file, { readonly: true });
  const before = raw.prepare(`SELECT id, status FROM Run ORDER BY createdAt`).all() as { id: string; status: string }[];
  raw.close();
  assert.deepEqual(before.map((r) => r.status), ['passed', 'running'], 'as the killed process left them');
  const [earlierId, slowId] = before.map((r) => r.id) as [string, string];

  const stack: Stack = await startStack({ ui: false, quiet: true, dataDir: data.dir, certsDir: certsDir(), ports: { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0 } });
  try {
    const p = stack.db.prisma;
    assert.ok(stack.db.provider === 'sqlite' && stack.db.sqlite.pragma('journal_mode', { simple: true }) === 'wal', 'SQLite in WAL mode');
    const runs = await p.run.findMany({ orderBy: { createdAt: 'asc' }, include: { scenarios: { include: { steps: { orderBy: { position: 'asc' } } } } } });
    // The earlier run, untouched.
    assert.equal(runs[0]!.id, earlierId);
    assert.equal(runs[0]!.status, 'passed');
    assert.deepEqual(runs[0]!.scenarios[0]!.steps.map((s) => [s.name, s.status]), [['token', 'passed'], ['first call', 'passed']]);
    const earlierEvents = await p.event.findMany({ where: { runId: earlierId }, orderBy: { seq: 'asc' } });
    assertContiguous(earlierEvents, earlierId);
    assert.equal(earlierEvents.at(-1)!.type, 'run.finished');
    // The killed run: interrupted, with every step it completed and their events.
    const killed = runs[1]!;
    assert.equal(killed.id, slowId);
    assert.equal(killed.status, 'interrupted');
    assert.ok(killed.finishedAt);
    assert.equal(killed.scenarios[0]!.status, 'interrupted');
    assert.deepEqual(killed.scenarios[0]!.steps.map((s) => [s.position, s.name, s.status]), [[0, 'token', 'passed'], [1, 'first call', 'passed'], [2, 'second call', 'passed']]);
    const events = await p.event.findMany({ where: { runId: slowId }, orderBy: { seq: 'asc' } });
    assertContiguous(events, slowId);
    const finished = events.filter((e) => e.type === 'step.finished').map((e) => (JSON.parse(e.payload) as { index: number }).index);
    assert.deepEqual(finished, [0, 1, 2]);
    for (const index of [0, 1, 2]) {
      const types = events.filter((e) => e.stepId === `${slowId}-0-${index}`).map((e) => e.type);
      assert.equal(types[0], 'step.started');
      assert.equal(types.at(-1), 'step.finished');
      if (index > 0) assert.ok(types.includes('http.exchange'), `step ${index} keeps its HTTP exchange`);
    }
  } finally {
    await stack.stop();
  }
});

test('recovery leaves the runs of live processes alone and marks those of dead ones (or of unknown ones)', async () => {
  const t = await startTestStack('recovery');
  try {
    const p = t.stack.db.prisma;
    const make = (id: string, pid: number | null, bootId: string | null = null) => p.run.create({
      data: { id, status: 'running', pid, bootId, trigger: 'test', target: 'bundled', selection: '[]', scenarios: { create: [{ id: `${id}-0`, scenarioId: 's', title: 's', position: 0, status: 'running' }] } },
    });
    await make('run_live', 111);
    await make('run_dead', 222);
    await make('run_unknown', null);
    await make('run_mine', process.pid, BOOT_ID);
    const recovered = await recoverRuns(p, (pid) => pid === 111);
    assert.deepEqual(recovered.sort(), ['run_dead', 'run_unknown']);
    const status = Object.fromEntries((await p.run.findMany({ select: { id: true, status: true } })).map((r) => [r.id, r.status]));
    assert.deepEqual(status, { run_live: 'running', run_dead: 'interrupted', run_unknown: 'interrupted', run_mine: 'running' });
    assert.equal((await p.scenarioRun.findUnique({ where: { id: 'run_dead-0' } }))!.status, 'interrupted');
    assert.equal((await p.scenarioRun.findUnique({ where: { id: 'run_live-0' } }))!.status, 'running');
  } finally {
    await t.stop();
  }
});

test('twenty runs started at once through the control API keep their traces apart', async () => {
  const t: TestStack = await startTestStack('concurrent-runs');
  try {
    const selection = ['mtls-client-credentials', 'dpop-replayed-proof'];
    const started = await Promise.all(Array.from({ length: 20 }, async () => {
      const res = await fetch(`${t.stack.urls.ui}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarios: selection }) });
      assert.equal(res.status, 202);
      return ((await res.json()) as { runId: string }).runId;
    }));
    assert.equal(new Set(started).size, 20);
    const p = t.stack.db.prisma;
    const deadline = Date.now() + 60_000;
    while ((await p.run.count({ where: { id: { in: started }, status: 'running' } })) > 0) {
      assert.ok(Date.now() < deadline, 'the runs did not finish within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const runs = await p.run.findMany({ where: { id: { in: started } }, include: { scenarios: { include: { steps: true } } } });
    assert.equal(runs.length, 20);
    for (const run of runs) {
      assert.equal(run.status, 'passed', `${run.id}: ${run.summary}`);
      assert.deepEqual(run.scenarios.map((s) => s.scenarioId).sort(), [...selection].sort());
      for (const s of run.scenarios) {
        assert.ok(s.id.startsWith(`${run.id}-`));
        for (const step of s.steps) assert.ok(step.id.startsWith(`${s.id}-`), `step ${step.id} of ${s.id}`);
      }
      const events = await p.event.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
      assertContiguous(events, run.id);
      assert.equal(events[0]!.type, 'run.started');
      assert.equal(events.at(-1)!.type, 'run.finished');
      const stepsFinished = events.filter((e) => e.type === 'step.finished').length;
      assert.equal(stepsFinished, run.scenarios.reduce((n, s) => n + s.steps.length, 0));
    }
  } finally {
    await t.stop();
  }
});
