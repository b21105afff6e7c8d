// Runs posted to the control API go through a queue: at most `runs.concurrency` execute at once, up to
// `runs.queue` more wait (announced, running as soon as a slot frees), and past that POST /api/runs is
// 429 with Retry-After (RFC 6585 §4) instead of starting everything at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { loadConfig } from '../../server/config.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('run-queue', { runs: { concurrency: 1, queue: 2 } });
});
after(() => t.stop());

test('the defaults and the environment', () => {
  assert.deepEqual(loadConfig({}, {}).runs, { concurrency: 2, queue: 50 });
  assert.deepEqual(loadConfig({}, { FAPI_RUN_CONCURRENCY: '3', FAPI_RUN_QUEUE: '0' }).runs, { concurrency: 3, queue: 0 });
});

test('six runs posted at once: one executes, two wait, three are 429 with Retry-After; the accepted ones never overlap', { timeout: 120_000 }, async () => {
  const post = () => fetch(`${t.stack.urls.ui}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarios: ['mtls-client-credentials'] }) });
  const answers = await Promise.all(Array.from({ length: 6 }, post));
  const accepted: string[] = [];
  for (const res of answers) {
    const body = (await res.json()) as { runId?: string; error?: string };
    if (res.status === 202) accepted.push(body.runId!);
    else {
      assert.equal(res.status, 429, JSON.stringify(body));
      assert.equal(body.error, 'too_many_runs');
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    }
  }
  assert.equal(accepted.length, 3);
  const p = t.stack.db.prisma;
  const deadline = Date.now() + 90_000;
  while ((await p.run.count({ where: { id: { in: accepted }, status: 'running' } })) > 0) {
    assert.ok(Date.now() < deadline, 'the queued runs did not finish');
    await new Promise((r) => setTimeout(r, 200));
  }
  // One at a time: each run's first scenario starts after the previous run finished.
  const spans = await Promise.all(accepted.map(async (runId) => {
    const events = await p.event.findMany({ where: { runId, type: { in: ['scenario.started', 'run.finished'] } }, orderBy: { seq: 'asc' } });
    const at = (type: string) => new Date((JSON.parse(events.find((e) => e.type === type)!.payload) as { at: string }).at).getTime();
    return { start: at('scenario.started'), end: at('run.finished') };
  }));
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i]!.start >= spans[i - 1]!.end, `run ${i} started before run ${i - 1} finished`);
  // Slots free again: a new run is accepted.
  const again = await post();
  assert.equal(again.status, 202);
  const runId = ((await again.json()) as { runId: string }).runId;
  while ((await p.run.findUnique({ where: { id: runId } }))?.status === 'running') await new Promise((r) => setTimeout(r, 100));
});
