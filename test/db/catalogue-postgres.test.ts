// The whole catalogue in-process against a bundled stack whose every store is PostgreSQL
// (FAPI_DATABASE_URL), on a throw-away cluster or FAPI_TEST_DATABASE_URL's server: every scenario passes
// and the stored trace is the live stream, as test/engine/runner.test.ts shows for SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { loadCatalogue } from '../../server/engine/catalogue.ts';
import { runScenarios } from '../../server/engine/runner.ts';
import { bundledTarget } from '../../server/engine/target.ts';
import type { TraceEvent } from '../../lib/trace/events.ts';
import { startTestStack } from '../helpers/stack.ts';
import { freshDatabaseUrl, postgresSkip } from '../helpers/postgres.ts';

test('the whole catalogue passes in-process against a stack on PostgreSQL (concurrency 8), its trace stored event for event', { skip: postgresSkip }, async (ctx) => {
  const t = await startTestStack('catalogue-pg', { databaseUrl: await freshDatabaseUrl('catalogue') });
  try {
    assert.equal(t.stack.db.provider, 'postgresql');
    const { scenarios, errors } = loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR);
    assert.deepEqual(errors, []);
    const live: TraceEvent[] = [];
    const t0 = performance.now();
    const result = await runScenarios({ scenarios, target: bundledTarget(t.stack), trigger: 'test', prisma: t.stack.db.prisma, concurrency: 8, onEvent: (e) => live.push(e) });
    ctx.diagnostic(`${scenarios.length} scenarios in ${Math.round(performance.now() - t0)} ms on PostgreSQL (concurrency 8)`);
    assert.deepEqual(result.scenarios.filter((s) => s.status !== 'passed').map((s) => `${s.scenarioId}: ${s.reason}`), []);
    const rows = await t.stack.db.prisma.event.findMany({ where: { runId: result.runId }, orderBy: { seq: 'asc' } });
    assert.deepEqual(rows.map((r) => JSON.parse(r.payload) as TraceEvent), JSON.parse(JSON.stringify(live)) as TraceEvent[]);
    const seen = await t.stack.db.prisma.dpopProofSeen.count();
    assert.ok(seen > 0, `the DPoP scenarios' proofs are claimed in PostgreSQL (${seen} rows)`);
  } finally {
    await t.stop();
  }
});
