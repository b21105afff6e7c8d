// The decision history per client-chosen x-fapi-interaction-id is bounded: the last 100 per id (memory
// and GET /api/decisions/<id>, which says how many older ones it left out) and 20,000 in memory in all.
// No certificate or token is needed to add decisions, so nothing a client sends may grow them unbounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DecisionStore, sqliteDecisionRows } from '../../server/decisions/store.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import { withTempDb } from '../helpers/db.ts';
import { startTestStack, callGateway } from '../helpers/stack.ts';

function decision(interactionId: string, n: number): Decision {
  return {
    interactionId, source: 'gateway', at: new Date().toISOString(),
    request: { method: 'GET', url: `https://localhost:9443/open-banking/v3.1/aisp/accounts?n=${n}`, route: 'ob-api', binding: 'mtls' },
    tls: null, checks: [{ id: 'token.present', outcome: 'fail', reason: 'no access token' }], response: { status: 401 }, durationMs: 0.1,
  };
}

test('25,000 decisions with one interaction id keep the last 100 in memory and on the way out of SQLite', async () => {
  await withTempDb('decision-bounds', async (db) => {
    const store = new DecisionStore(sqliteDecisionRows(db.sqlite), { busy: () => false, burst: 30_000 });
    const id = randomUUID();
    for (let i = 0; i < 25_000; i++) store.record(decision(id, i));
    assert.equal(store.peek(id).length, 100);
    const { decisions, omitted } = await store.history(id);
    assert.equal(decisions.length, 100);
    assert.equal(omitted, 24_900);
    assert.match(decisions.at(-1)!.request.url, /n=24999$/, 'the newest are kept');
    await store.flush();
    // A fresh store (a restart) reads only the last 100 rows of that id from SQLite.
    const later = await new DecisionStore(sqliteDecisionRows(db.sqlite)).history(id);
    assert.equal(later.decisions.length, 100);
    assert.equal(later.omitted, 24_900);
    assert.match(later.decisions.at(-1)!.request.url, /n=24999$/);
  });
});

test('the decisions in memory are bounded in all (oldest interaction ids go first)', () => {
  const store = new DecisionStore(null, { totalLimit: 1_000 });
  const ids = Array.from({ length: 50 }, () => randomUUID());
  for (const id of ids) for (let i = 0; i < 100; i++) store.record(decision(id, i));
  const kept = ids.reduce((n, id) => n + store.peek(id).length, 0);
  assert.ok(kept <= 1_000, `${kept} decisions in memory`);
  assert.equal(store.peek(ids[0]!).length, 0);
  assert.equal(store.peek(ids.at(-1)!).length, 100);
});

test('GET /api/decisions/<id> after 150 refusals with one id: the last 100 and how many were left out', { timeout: 120_000 }, async () => {
  const t = await startTestStack('decision-bounds-api');
  try {
    const id = randomUUID();
    for (let i = 0; i < 150; i++) {
      const r = await callGateway(t.stack, '/open-banking/v3.1/aisp/accounts', { cert: 'tpp-alpha', headers: { 'x-fapi-interaction-id': id } });
      assert.equal(r.response?.status, 401);
    }
    const res = await fetch(`${t.stack.urls.ui}/api/decisions/${id}`);
    const body = (await res.json()) as { decisions: unknown[]; omitted: number };
    assert.equal(res.status, 200);
    assert.equal(body.decisions.length, 100);
    assert.equal(body.omitted, 50);
  } finally {
    await t.stop();
  }
});
