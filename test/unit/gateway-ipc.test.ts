// The worker's ends of the shared services (server/gateway/ipc.ts) wired to the main process's end in
// one process: replay claims answered by the real SQLite store, failures and silence fail closed,
// decisions forwarded and acknowledged, successes beyond the budget counted rather than forwarded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DecisionStore } from '../../server/decisions/store.ts';
import { ReplayStore, type ReplayCache } from '../../server/gateway/dpop/replay-store.ts';
import { DecisionForwarder, RemoteReplay, serveWorker, type FromWorker, type ToWorker } from '../../server/gateway/ipc.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import { withTempDb } from '../helpers/db.ts';

/** A channel: worker messages reach serveWorker after a tick, answers come back after a tick. */
function wire(services: { replay: ReplayCache; decisions: DecisionStore }) {
  const sent: FromWorker[] = [];
  const answers: ToWorker[] = [] as ToWorker[];
  const ends: { replay?: RemoteReplay; forwarder?: DecisionForwarder } = {};
  const deliver = (m: ToWorker) => setImmediate(() => {
    answers.push(m);
    if (m.t === 'claimed') ends.replay!.answered(m.results);
    if (m.t === 'recorded') ends.forwarder!.recorded(m.upTo);
  });
  const send = (m: FromWorker) => {
    sent.push(m);
    setImmediate(() => void serveWorker(m, deliver, services));
  };
  return { send, sent, answers, ends };
}

const decision = (status: number): Decision => ({
  interactionId: randomUUID(), source: 'gateway', at: new Date().toISOString(),
  request: { method: 'GET', url: 'https://localhost/x', route: 'ob-api' }, tls: null, checks: [], response: { status }, durationMs: 0,
});

test('remote replay cache: claims from a worker are answered by the main process store, batched per turn', async () => {
  await withTempDb('ipc', async (db) => {
    const store = new ReplayStore(db.sqlite);
    const w = wire({ replay: store, decisions: new DecisionStore(null) });
    const replay = (w.ends.replay = new RemoteReplay(w.send));
    const exp = Math.floor(Date.now() / 1000) + 60;
    const [a, b, c] = await Promise.all([replay.claim('k1', 'j1', exp), replay.claim('k1', 'j1', exp), replay.claim('k2', 'j1', exp)]);
    assert.deepEqual([a, b, c], [true, false, true], 'the second use of (k1, j1) is a replay, even within one batch');
    assert.equal(w.sent.filter((m) => m.t === 'claim').length, 1, 'one message for the three claims');
    assert.equal(store.claim('k1', 'j1', exp), false, 'recorded in the main process store');
    store.close();
  });
});

test('remote replay cache: an error in the main process, or no answer, fails the claim (never "fresh")', async () => {
  const failing = wire({ replay: { claim: () => { throw new Error('disk I/O error'); }, close() {} }, decisions: new DecisionStore(null) });
  failing.ends.replay = new RemoteReplay(failing.send);
  await assert.rejects(failing.ends.replay.claim('k', 'j', 1), /replay cache in the main process: disk I\/O error/);
  const silent = new RemoteReplay(() => {}, 50);
  await assert.rejects(silent.claim('k', 'j', 1), /did not answer the replay check within 50 ms/);
  const closing = new RemoteReplay(() => {});
  const pending = closing.claim('k', 'j', 1);
  closing.close();
  await assert.rejects(pending, /stopping/);
});

test('decision forwarder: a looked-up decision holds the answer until the main process has it; anonymous successes beyond the budget are counted; refusals always go', async () => {
  const store = new DecisionStore(null);
  const w = wire({ replay: { claim: () => true, close() {} }, decisions: store });
  const forwarder = (w.ends.forwarder = new DecisionForwarder(w.send, 2));
  const first = decision(200);
  const pending = forwarder.record(first, true);
  assert.ok(pending instanceof Promise, 'the client chose the id: the answer waits');
  assert.deepEqual(store.peek(first.interactionId), [], 'not there yet');
  await pending;
  assert.equal(store.peek(first.interactionId).length, 1, 'there once the answer may go');
  const anonymous = [decision(200), decision(200), decision(200)];
  assert.deepEqual(anonymous.map((d) => forwarder.record(d, false)), [undefined, undefined, undefined], 'anonymous: nothing waits');
  const lookedUp = decision(200);
  const refusal = decision(401);
  await Promise.all([forwarder.record(lookedUp, true), forwarder.record(refusal, false)]);
  assert.deepEqual(anonymous.map((d) => store.peek(d.interactionId).length), [1, 1, 0], 'a budget of 2 a second: the third is counted, not forwarded');
  assert.equal(store.peek(lookedUp.interactionId).length, 1, 'looked-up decisions go whatever the budget');
  assert.equal(store.peek(refusal.interactionId).length, 1, 'refusals go whatever the budget');
  assert.deepEqual(store.stats(), { recorded: 5, persisted: 0, memoryOnly: 0, notForwarded: 1 });
});

test('decision forwarder: without a client-chosen interaction id nothing waits, and the decision is still forwarded', async () => {
  const store = new DecisionStore(null);
  const w = wire({ replay: { claim: () => true, close() {} }, decisions: store });
  const forwarder = (w.ends.forwarder = new DecisionForwarder(w.send, 10));
  const d = decision(200);
  assert.equal(forwarder.record(d, false), undefined);
  // Two event-loop hops away; on a busy machine that can take longer than a fixed 20 ms (this test was flaky).
  for (let i = 0; i < 200 && !store.peek(d.interactionId).length; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(store.peek(d.interactionId).length, 1);
  assert.equal(w.answers.length, 0, 'nothing waits, so the main process sends no acknowledgement');
  await forwarder.record(decision(200), true);
  assert.deepEqual(w.answers.map((m) => m.t), ['recorded'], 'a batch with a waiting decision is acknowledged');
});

test('decision forwarder: a silent main process delays the answer by the timeout at most', async () => {
  const forwarder = new DecisionForwarder(() => {}, 10, 30);
  const t0 = performance.now();
  await forwarder.record(decision(401), true);
  assert.ok(performance.now() - t0 < 1_000);
});
