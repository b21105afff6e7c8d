// `npm run bench:replay`: DPoP replay-claim latency (RFC 9449 §11.1, server/gateway/dpop/replay-store.ts)
// on SQLite (the default: a WAL file, synchronous=NORMAL, as the sandbox opens it) and on PostgreSQL (a
// throw-away cluster with PostgreSQL's durable defaults on a loopback port, or --url / FAPI_TEST_DATABASE_URL),
// through the sandbox's own openDb / openPostgres and replay stores, each alone and group-committed
// (GroupCommitReplay, what the gateway uses). Prints p50 / p99 per mode as JSON.
// Usage: npm run bench:replay [-- --claims 5000] [-- --url postgresql://...]
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDb, openPostgres } from '../server/db/client.ts';
import { ReplayStore, PostgresReplayStore, type ReplayCache } from '../server/gateway/dpop/replay-store.ts';
import { GroupCommitReplay } from '../server/gateway/dpop/group-commit.ts';
import { ROOT_DIR } from '../server/config.ts';
// @ts-expect-error a plain ES module of scripts/ without types
import { startPostgres, withDatabase } from './postgres-cluster.mjs';
import pg from 'pg';

const { values } = parseArgs({ options: { claims: { type: 'string', default: '5000' }, url: { type: 'string' } } });
const N = Number(values.claims);
const CONCURRENT = 16;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const summary = (ms: number[], wallMs: number) => {
  const s = [...ms].sort((a, b) => a - b);
  return { claims: s.length, p50Us: Math.round(pct(s, 50) * 1000), p99Us: Math.round(pct(s, 99) * 1000), claimsPerSecond: Math.round((s.length / wallMs) * 1000) };
};

/**
 * Fresh claims one after another, then (PostgreSQL, or group-committed: claims are asynchronous)
 * CONCURRENT at a time, then replays (all refused). SQLite's own claims are synchronous, one at a time by
 * construction.
 */
async function measure(store: ReplayCache, concurrently: boolean) {
  const exp = Math.floor(Date.now() / 1000) + 300;
  const jkt = randomUUID();
  for (let i = 0; i < 200; i++) await store.claim(jkt, `warm-${i}`, exp);
  const one = async (jti: string, want: boolean, out: number[]) => {
    const t0 = performance.now();
    const fresh = await store.claim(jkt, jti, exp);
    out.push(performance.now() - t0);
    if (fresh !== want) throw new Error(`claim ${jti}: ${fresh}, expected ${want}`);
  };
  const sequential: number[] = [];
  let t0 = performance.now();
  for (let i = 0; i < N; i++) await one(`seq-${i}`, true, sequential);
  const seqWall = performance.now() - t0;
  const concurrent: number[] = [];
  t0 = performance.now();
  let next = 0;
  if (concurrently) {
    await Promise.all(Array.from({ length: CONCURRENT }, async () => {
      while (next < N) await one(`par-${next++}`, true, concurrent);
    }));
  }
  const parWall = performance.now() - t0;
  const replays: number[] = [];
  t0 = performance.now();
  for (let i = 0; i < Math.min(N, 1000); i++) await one(`seq-${i}`, false, replays);
  return {
    sequential: summary(sequential, seqWall),
    ...(concurrently ? { [`concurrent${CONCURRENT}`]: summary(concurrent, parWall) } : {}),
    replayRefused: summary(replays, performance.now() - t0),
  };
}

const results: Record<string, unknown> = { claims: N, node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((l) => l.toFixed(2)).join(' ') };

const dir = mkdtempSync(path.join(os.tmpdir(), 'fapi-bench-replay-'));
try {
  const db = await openDb(dir, ROOT_DIR);
  const store = new ReplayStore(db.sqlite);
  results.sqlite = await measure(store, false);
  store.close();
  const grouped = new GroupCommitReplay(new ReplayStore(db.sqlite));
  results.sqliteGroupCommit = await measure(grouped, true);
  grouped.close();
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const server = values.url ?? process.env.FAPI_TEST_DATABASE_URL ? null : await startPostgres({ durable: true });
try {
  const admin = values.url ?? process.env.FAPI_TEST_DATABASE_URL ?? server.url;
  const name = `fapi_bench_${Date.now()}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  try {
    const db = await openPostgres(withDatabase(admin, name), ROOT_DIR);
    const store = new PostgresReplayStore(db.pool);
    results.postgresql = { server: server ? 'throw-away cluster, PostgreSQL defaults (fsync on, synchronous_commit on), 127.0.0.1' : 'given URL', ...(await measure(store, true)) };
    store.close();
    const grouped = new GroupCommitReplay(new PostgresReplayStore(db.pool));
    results.postgresqlGroupCommit = await measure(grouped, true);
    grouped.close();
    await db.close();
  } finally {
    await client.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await client.end();
  }
} finally {
  server?.stop();
}
console.log(JSON.stringify(results, null, 2));
