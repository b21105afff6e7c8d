// The DPoP replay claim of two builds (the gateway's `replayStoreFor`), in this one process on SQLite
// files of the same size: k claims arrive per event-loop turn and each is awaited the way the pipeline
// awaits a check; alternated A-B / B-A for 8 rounds. CPU per claim, without the network's noise.
//   node scripts/bench/replay-claims.mjs --a DIR [--b DIR] [--per-turn 1,4,16] [--claims 20000] [--rows 60000]
import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: { a: { type: 'string' }, b: { type: 'string', default: ROOT }, 'per-turn': { type: 'string', default: '1,4,16' }, claims: { type: 'string', default: '20000' }, rows: { type: 'string', default: '60000' } },
});
if (!args.a) {
  console.error('usage: node scripts/bench/replay-claims.mjs --a DIR [--b DIR] [--per-turn 1,4,16] [--claims N] [--rows N]');
  process.exit(2);
}
const N = Number(args.claims);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fapi-replay-claims-'));
async function open(label, dir) {
  const { replayStoreFor } = await import(pathToFileURL(path.join(dir, 'dist/server/gateway/dpop/replay-store.js')).href);
  const { migrate } = await import(pathToFileURL(path.join(dir, 'dist/server/db/migrate.js')).href);
  const sqlite = new Database(path.join(tmp, `${label}.db`), { timeout: 10_000 });
  migrate(sqlite, path.join(dir, 'prisma', 'migrations'));
  sqlite.pragma('synchronous = NORMAL'); // as server/db/client.ts
  const store = replayStoreFor({ provider: 'sqlite', sqlite });
  // Rows of a DPoP load's acceptance window, written the way the gateway writes them.
  const exp = Math.floor(Date.now() / 1000) + 600;
  for (let i = 0; i < Number(args.rows); i += 1000) await Promise.all(Array.from({ length: 1000 }, () => store.claim('jkt', randomUUID(), exp)));
  return { store, sqlite };
}
const sides = { A: await open('A', path.resolve(args.a)), B: await open('B', path.resolve(args.b)) };

async function run(store, perTurn) {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const jtis = Array.from({ length: N }, () => randomUUID());
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i += perTurn) {
    await new Promise((resolve) => setImmediate(async () => {
      await Promise.all(jtis.slice(i, i + perTurn).map(async (jti) => {
        const fresh = store.claim('jkt', jti, exp);
        if (!(typeof fresh === 'boolean' ? fresh : await fresh)) throw new Error('not fresh');
      }));
      resolve();
    }));
  }
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / N;
}
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
console.log(`A = ${args.a}, B = ${args.b}; ${N} claims per round, tables of ${args.rows}+ rows; load average ${os.loadavg()[0].toFixed(2)}`);
try {
  for (const k of args['per-turn'].split(',').map(Number)) {
    const res = { A: [], B: [] };
    for (let r = 0; r < 8; r++) for (const s of r % 2 ? ['B', 'A'] : ['A', 'B']) res[s].push(await run(sides[s].store, k));
    console.log(`${k} claim(s) per turn: µs CPU per claim A ${med(res.A).toFixed(1)} B ${med(res.B).toFixed(1)} (B/A ${(med(res.B) / med(res.A)).toFixed(2)}); rounds A ${res.A.map((x) => x.toFixed(0)).join(' ')} B ${res.B.map((x) => x.toFixed(0)).join(' ')}`);
  }
} finally {
  for (const s of Object.values(sides)) { s.store.close(); s.sqlite.close(); }
  rmSync(tmp, { recursive: true, force: true });
}
