// Retention of the stored history: the newest `keepRuns` runs no older than `keepDays` days are kept
// (FAPI_KEEP_RUNS, FAPI_KEEP_DAYS; 0 turns a bound off) with their scenarios, steps and events; a run
// still running is never pruned. Decision rows older than keepDays go too, and at most
// MAX_DECISION_ROWS stay. SQLite reuses the freed pages, so the file stops growing (PostgreSQL's autovacuum
// does the same for its tables).
import type { Db } from './client.ts';

export interface Retention {
  keepRuns: number;
  keepDays: number;
}

const MAX_DECISION_ROWS = 100_000;
/** Runs deleted per transaction: one turn of the event loop stays short. */
const BATCH = 50;

export async function pruneHistory(db: Db, retention: Retention, now = Date.now()): Promise<{ runs: number; decisions: number }> {
  const p = db.prisma;
  const cutoff = new Date(now - retention.keepDays * 86_400_000);
  const finished = { status: { not: 'running' } };
  const byAge = retention.keepDays ? await p.run.findMany({ where: { ...finished, createdAt: { lt: cutoff } }, select: { id: true } }) : [];
  const byCount = retention.keepRuns
    ? await p.run.findMany({ where: finished, orderBy: { createdAt: 'desc' }, skip: retention.keepRuns, select: { id: true } })
    : [];
  const ids = [...new Set([...byAge, ...byCount].map((r) => r.id))];
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    await p.$transaction([
      p.event.deleteMany({ where: { runId: { in: batch } } }),
      p.step.deleteMany({ where: { scenarioRun: { runId: { in: batch } } } }),
      p.scenarioRun.deleteMany({ where: { runId: { in: batch } } }),
      p.run.deleteMany({ where: { id: { in: batch } } }),
    ]);
  }
  let decisions = 0;
  if (retention.keepDays) decisions += (await p.decision.deleteMany({ where: { at: { lt: cutoff } } })).count;
  const newest = (await p.decision.aggregate({ _max: { id: true } }))._max.id;
  if (newest !== null && newest > MAX_DECISION_ROWS) decisions += (await p.decision.deleteMany({ where: { id: { lte: newest - MAX_DECISION_ROWS } } })).count;
  return { runs: ids.length, decisions };
}
