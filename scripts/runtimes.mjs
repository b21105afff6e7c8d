// This checkout under other Node majors (npm run test:runtimes): each runtime fetched from the npm registry
// with better-sqlite3 compiled for it (scripts/runtimes/node.mjs, cached), then under each one the whole
// catalogue through the CLI (fresh data folder, free ports), `start` + GET /api/health, and a smoke subset of
// the tests. Anything a runtime prints on stderr that the control (this Node) does not fails it too.
//   node scripts/runtimes.mjs [--runtimes 22,24] [--tests cli/,gateway/dpop,...] [--no-tests]
//   node scripts/runtimes.mjs exec 24 -- scripts/bench/catalogue-cpu.mjs   any node command under Node 24
// A runtime equal to this Node's major runs with this Node (the control); the build in dist/ is used as is.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildIfStale } from './build-if-stale.mjs';
import { ensureRuntime, runtimeEnv } from './runtimes/node.mjs';
import { startSandbox, tempDir } from './sandbox.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const SMOKE = ['test/unit/runtimes', 'test/start/start', 'test/idp/binding', 'test/idp/client-auth', 'test/gateway/dpop', 'test/gateway/tls-and-mtls', 'test/gateway/workers', 'test/hardening/durability', 'test/engine/crypto'];
const log = (m) => console.error(`[runtimes] ${m}`);
const THIS = Number(process.versions.node.split('.')[0]);
/** Node `major`: this one, or one from the npm registry; with the environment that runs this checkout under it. */
const runtime = (major) => {
  if (major === THIS) return { version: process.versions.node, node: process.execPath, env: process.env };
  const rt = ensureRuntime(major, log);
  return { ...rt, env: runtimeEnv(rt) };
};

if (process.argv[2] === 'exec') {
  const [major, sep, ...args] = process.argv.slice(3);
  if (!/^\d+$/.test(major) || sep !== '--') {
    console.error('usage: node scripts/runtimes.mjs exec MAJOR -- ARGS...');
    process.exit(2);
  }
  const rt = runtime(Number(major));
  const r = spawnSync(rt.node, args, { stdio: 'inherit', env: rt.env });
  process.exit(r.status ?? 1);
}

const { values: a } = parseArgs({
  options: {
    runtimes: { type: 'string', default: '22,24' }, tests: { type: 'string', default: SMOKE.join(',') },
    'no-tests': { type: 'boolean', default: false },
  },
});

/** `start --no-ui` on free ports until ready, then GET /api/health; anything that looks like a warning fails. */
async function startAndHealth(major, rt, env, row) {
  const t1 = performance.now();
  let stack;
  try {
    stack = await startSandbox({ label: `runtimes-${major}`, node: rt.node, env });
  } catch (err) {
    row.start = 'failed';
    row.failures.push(`start: ${err.message}`);
    return;
  }
  row.start = `${((performance.now() - t1) / 1000).toFixed(2)} s`;
  try {
    const res = await fetch(`${stack.urls.ui}/api/health`);
    const body = await res.text();
    row.health = `${res.status}`;
    if (res.status !== 200 || !/"status":"ok"/.test(body)) row.failures.push(`/api/health answered ${res.status}: ${body.slice(0, 300)}`);
  } catch (err) {
    row.health = 'error';
    row.failures.push(`/api/health: ${err.message}`);
  } finally {
    await stack.stop();
  }
  const printed = stack.output().split('\n').filter((l) => /warn|deprecat|error/i.test(l));
  if (printed.length) row.failures.push(`start printed:\n${printed.join('\n')}`);
}

buildIfStale({ ui: false });
const majors = a.runtimes.split(',').map(Number);
// Fetched and compiled side by side (each compile is mostly one single-threaded C file, SQLite's amalgamation).
const prepared = await Promise.all(majors.filter((m) => m !== THIS).map((m) => new Promise((resolve) => {
  spawn(process.execPath, [import.meta.filename, 'exec', String(m), '--', '-e', '0'], { stdio: 'inherit' }).once('exit', resolve);
})));
if (prepared.some((code) => code !== 0)) process.exit(1);
const results = [];
for (const major of majors) {
  const rt = runtime(major);
  const env = rt.env;
  const row = { runtime: rt.version, failures: [] };
  log(`Node ${rt.version}: the catalogue`);
  const data = tempDir(`runtimes-${major}`);
  const t0 = performance.now();
  const cat = spawnSync(rt.node, [path.join(ROOT, 'bin', 'fapi-sandbox.js'), 'run'], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env: { ...env, FAPI_DATA_DIR: path.join(data, 'data'), NEXT_TELEMETRY_DISABLED: '1' },
  });
  rmSync(data, { recursive: true, force: true });
  const summary = cat.stdout.trim().split('\n').findLast((l) => /passed|failed/.test(l)) ?? '?';
  row.catalogue = `${summary.replace(/\s+run run_\w+$/, '')}; ${((performance.now() - t0) / 1000).toFixed(1)} s in all`;
  if (cat.status !== 0) row.failures.push(`the catalogue exited ${cat.status}:\n${cat.stdout.slice(-3000)}${cat.stderr.slice(-2000)}`);
  if (cat.stderr.trim()) row.failures.push(`the catalogue printed on stderr:\n${cat.stderr.trim().slice(-2000)}`);

  log(`Node ${rt.version}: start + /api/health`);
  await startAndHealth(major, rt, env, row);

  if (!a['no-tests']) {
    log(`Node ${rt.version}: tests ${a.tests}`);
    const tests = spawnSync(rt.node, [path.join(ROOT, 'scripts', 'test.mjs'), ...a.tests.split(',')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env });
    row.tests = tests.status === 0 ? 'passed' : `FAILED (${tests.status})`;
    if (tests.status !== 0) row.failures.push(`the tests failed (${a.tests})`);
  }
  results.push(row);
}
console.log(['| Node | catalogue (CLI, wall) | start --no-ui to ready | /api/health | tests | result |', '|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.runtime} | ${r.catalogue} | ${r.start ?? '-'} | ${r.health ?? '-'} | ${r.tests ?? '-'} | ${r.failures.length ? 'FAILED' : 'ok'} |`)].join('\n'));
for (const r of results) for (const f of r.failures) console.error(`\nNode ${r.runtime}: ${f}`);
process.exit(results.some((r) => r.failures.length) ? 1 : 0);
