// Measures the built sandbox as a user starts it: time from spawning `fapi-sandbox start` to the first
// GET /api/health 200, with and without the web UI, the resident memory at rest, and Ctrl-C to exit.
// Every port is free (0), the data directory is fresh each run; certs/ is reused except in the
// "fresh certs" run. A measurement script, not a test: node scripts/measure-start.mjs [runs]
// (the UI runs need `npm run build:ui` first; they are skipped when .next/BUILD_ID is missing).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.argv[2] ?? 3);
const PORTS = ['FAPI_UI_PORT', 'FAPI_IDP_PORT', 'FAPI_IDP_MTLS_PORT', 'FAPI_GATEWAY_PORT', 'FAPI_GATEWAY_STRICT_PORT', 'FAPI_API_PORT'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function health(url) {
  return new Promise((resolve) => {
    http.get(`${url}/api/health`, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', () => resolve(0));
  });
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function once({ ui, freshCerts }) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fapi-measure-'));
  const ready = path.join(tmp, 'ready.json');
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', FAPI_DATA_DIR: path.join(tmp, 'data'), FAPI_READY_FILE: ready, ...Object.fromEntries(PORTS.map((p) => [p, '0'])) };
  if (freshCerts) env.FAPI_CERTS_DIR = path.join(tmp, 'certs');
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'fapi-sandbox.js'), 'start', ...(ui ? [] : ['--no-ui'])], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('exit', () => r(performance.now())));
  try {
    while (!existsSync(ready)) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr}`);
      await sleep(10);
    }
    const { urls, startupMs } = JSON.parse(readFileSync(ready, 'utf8'));
    while ((await health(urls.ui)) !== 200) await sleep(10);
    const healthyMs = performance.now() - t0;
    await sleep(3000);
    const rss = rssMb(child.pid);
    const s0 = performance.now();
    child.kill('SIGINT');
    const stopMs = (await exited) - s0;
    return { healthyMs, startupMs, rss, stopMs };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const modes = [
  { label: 'no UI (--no-ui)', ui: false, freshCerts: false, runs: RUNS },
  { label: 'no UI, fresh certs/ (PKI generated)', ui: false, freshCerts: true, runs: 1 },
  { label: 'with the web UI (Next.js)', ui: true, freshCerts: false, runs: RUNS, needs: path.join(ROOT, '.next', 'BUILD_ID') },
];
if (!existsSync(path.join(ROOT, 'dist', 'server', 'cli', 'main.js'))) {
  console.error('build the server first: npm run build:server');
  process.exit(2);
}
console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; median of runs\n`);
console.log('mode'.padEnd(40), 'spawn→health 200', 'stack start', 'RSS at rest', 'SIGINT→exit');
for (const mode of modes) {
  if (mode.needs && !existsSync(mode.needs)) {
    console.log(mode.label.padEnd(40), 'skipped: run `npm run build:ui` first');
    continue;
  }
  const results = [];
  for (let i = 0; i < mode.runs; i++) results.push(await once(mode));
  const m = (k) => median(results.map((r) => r[k]));
  console.log(mode.label.padEnd(40), `${Math.round(m('healthyMs'))} ms`.padEnd(16), `${Math.round(m('startupMs'))} ms`.padEnd(11), `${m('rss').toFixed(0)} MB`.padEnd(11), `${Math.round(m('stopMs'))} ms`);
}
