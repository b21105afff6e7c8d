// `npm run bench`: start-up time (with and without the UI, with a fresh PKI), RSS at rest, time to
// stop, the whole scenario catalogue, and gateway throughput / latency (mTLS-bound and DPoP-bound,
// every check on) against nginx with ssl_verify_client on in the same run; new mTLS handshakes per second. Prints a Markdown table, writes bench-results/latest.json.
// Needs: a built sandbox (built here when stale), nginx (Debian: apt-get install -y nginx), Linux /proc.
// --workers lists the gateway set-ups to measure: N worker processes (FAPI_GATEWAY_WORKERS=N, nginx
// with worker_processes N), 0 = the default in-process gateway (nginx with worker_processes 1).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { buildIfStale } from './build-if-stale.mjs';
import { rssMb, treeRssMb } from './bench/proc.mjs';
import { portEnv, sleep, spawnGroup, startSandbox, tempDir, waitForJson } from './sandbox.mjs';
import { findNginx, startNginx } from './bench/nginx.mjs';
import { cannon, clientTls, handshakes, median } from './bench/load.mjs';
import { proofPool, tokens } from './bench/clients.mjs';
import { profileGateway } from './bench/profile-run.mjs';

const USAGE = 'usage: npm run bench [-- --quick] [-- --profile] [-- --only startup,catalogue,gateway] [-- --workers 2,0] [-- --connections 20] [-- --out FILE]';
let parsed;
try {
  parsed = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      only: { type: 'string', default: 'startup,catalogue,gateway' },
      workers: { type: 'string', default: `${os.availableParallelism?.() ?? os.cpus().length},0` },
      connections: { type: 'string', default: '20' },
      out: { type: 'string', default: 'bench-results/latest.json' },
    },
  });
} catch (err) {
  console.error(`bench: ${err.message}\n${USAGE}`);
  process.exit(2);
}
const { values: args } = parsed;
const only = new Set(args.only.split(','));
const unknownParts = [...only].filter((p) => !['startup', 'catalogue', 'gateway'].includes(p));
if (unknownParts.length) {
  console.error(`bench: --only takes startup, catalogue, gateway; got ${unknownParts.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const setups = args.workers.split(',').map(Number);
const connections = Number(args.connections);
if (setups.some((n) => !Number.isInteger(n) || n < 0 || n > 64) || !Number.isInteger(connections) || connections < 1) {
  console.error(`bench: --workers takes integers 0..64 separated by commas, --connections an integer >= 1\n${USAGE}`);
  process.exit(2);
}
const Q = args.quick;
const PLAN = {
  startupRuns: Q ? 2 : 5,
  catalogueRuns: Q ? 1 : 3,
  loadRuns: Q ? 1 : 3,
  loadSeconds: Q ? 3 : 4,
  warmupSeconds: Q ? 2 : 3,
  handshakeSeconds: Q ? 3 : 4,
  handshakeConcurrency: 4,
};
const ROOT = process.cwd();
const CERTS = path.join(ROOT, 'certs');
const OB_PATH = '/open-banking/v3.1/aisp/accounts';
const MODERATE_CONNECTIONS = 2;
const log = (msg) => console.error(`[bench] ${msg}`);

// ---------- what this machine is ----------
function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const nginx = findNginx();
  return {
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    nodeOpenssl: process.versions.openssl,
    nginx: nginx?.version ?? null,
    nginxOpenssl: nginx?.openssl ?? null,
    autocannon: JSON.parse(readFileSync(path.join(ROOT, 'node_modules/autocannon/package.json'), 'utf8')).version,
  };
}

const loadAverage = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

// ---------- 1. cold start to /api/health 200 (npm start with the UI; fapi-sandbox start --no-ui), RSS at rest, SIGTERM to exit ----------
function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/health', agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * One start: `npm start` with the web UI, or `node bin/fapi-sandbox.js start --no-ui` (what npx runs;
 * the sandbox is then this script's own child, so the time from SIGTERM to its exit is measured too),
 * with the shared certs/ or an empty one (the PKI generated first).
 */
async function startupOnce({ ui, freshCerts }) {
  const { ports, env } = await portEnv();
  const dir = tempDir('bench-start');
  const ready = path.join(dir, 'ready.json');
  const t0 = performance.now();
  const [cmd, args] = ui ? ['npm', ['start', '--silent']] : [process.execPath, ['bin/fapi-sandbox.js', 'start', '--no-ui']];
  const proc = spawnGroup(cmd, args, {
    env: { ...env, FAPI_DATA_DIR: path.join(dir, 'data'), FAPI_READY_FILE: ready, ...(freshCerts ? { FAPI_CERTS_DIR: path.join(dir, 'certs') } : {}) },
    log: true,
  });
  try {
    while (!(await healthy(ports.ui))) {
      if (proc.child.exitCode !== null) throw new Error(`${cmd} ${args.join(' ')} exited:\n${proc.output().slice(-2000)}`);
      if (performance.now() - t0 > 60_000) throw new Error('no /api/health 200 within 60 s');
      await sleep(10);
    }
    const coldStartMs = Math.round(performance.now() - t0);
    const info = await waitForJson(ready, proc);
    await sleep(2_000); // at rest: nothing asked of it since it came up
    const rss = Math.round(rssMb(info.pid));
    const s0 = performance.now();
    const { code } = await proc.stop();
    const stopMs = ui ? null : Math.round(performance.now() - s0);
    if (!ui && code !== 0) throw new Error(`SIGTERM: the sandbox exited ${code}:\n${proc.output().slice(-2000)}`);
    return { coldStartMs, startupMs: info.startupMs, rssMb: rss, ...(ui ? {} : { stopMs }) };
  } finally {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startupSeries(label, mode, n) {
  const runs = [];
  for (let i = 0; i < n; i++) {
    runs.push(await startupOnce(mode));
    log(`start ${label} ${i + 1}/${n}: ${JSON.stringify(runs.at(-1))}`);
  }
  return {
    coldStartMs: median(runs.map((r) => r.coldStartMs)),
    inProcessStartupMs: median(runs.map((r) => r.startupMs)),
    rssAtRestMb: median(runs.map((r) => r.rssMb)),
    ...(mode.ui ? {} : { stopMs: median(runs.map((r) => r.stopMs)) }),
    runs,
  };
}

async function benchStartup() {
  return {
    command: 'npm start (built; fresh data folder) until GET /api/health answers 200',
    ...(await startupSeries('with the UI', { ui: true, freshCerts: false }, PLAN.startupRuns)),
    noUi: { command: 'node bin/fapi-sandbox.js start --no-ui until GET /api/health answers 200; then SIGTERM until it exits', ...(await startupSeries('--no-ui', { ui: false, freshCerts: false }, PLAN.startupRuns)) },
    freshCerts: { command: 'the same with an empty FAPI_CERTS_DIR (the PKI generated first)', ...(await startupSeries('--no-ui, fresh certs', { ui: false, freshCerts: true }, 1)) },
  };
}

// ---------- 2. the whole catalogue through the CLI, stack start included ----------
async function benchCatalogue() {
  const runs = [];
  for (let i = 0; i < PLAN.catalogueRuns; i++) {
    const dir = tempDir('bench-catalogue');
    const out = path.join(dir, 'results.json');
    const t0 = performance.now();
    const proc = spawnGroup(process.execPath, ['bin/fapi-sandbox.js', 'run', '--reporter', 'json', '--out', out], { env: { FAPI_DATA_DIR: path.join(dir, 'data') }, log: true });
    const { code } = await proc.exited;
    const wallMs = Math.round(performance.now() - t0);
    if (code !== 0) throw new Error(`fapi-sandbox run exited ${code}:\n${proc.output().slice(-3000)}`);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const scenarios = report.scenarios?.length ?? report.summary?.total ?? null;
    rmSync(dir, { recursive: true, force: true });
    runs.push({ wallMs, scenarios });
    log(`catalogue ${i + 1}/${PLAN.catalogueRuns}: ${wallMs} ms, ${scenarios} scenarios`);
  }
  // CPU per scenario: the stack and the engine in one process (scripts/bench/catalogue-cpu.mjs), each scenario alone.
  const dir = tempDir('bench-catalogue-cpu');
  log('catalogue CPU: the whole catalogue, then each scenario alone (about a minute)');
  const cpu = spawnSync(process.execPath, ['scripts/bench/catalogue-cpu.mjs'], { env: { ...process.env, FAPI_DATA_DIR: path.join(dir, 'data') }, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  rmSync(dir, { recursive: true, force: true });
  if (cpu.status !== 0) throw new Error(`catalogue-cpu.mjs exited ${cpu.status}:\n${cpu.stderr.slice(-3000)}`);
  return { command: 'node bin/fapi-sandbox.js run --reporter json --out FILE (what npx fapi-sandbox run runs)', wallMs: median(runs.map((r) => r.wallMs)), scenarios: runs[0].scenarios, runs, cpu: JSON.parse(cpu.stdout) };
}

// ---------- 3-5. the gateway under load, and nginx beside it ----------
async function sanity(url, tlsOptions, headers, what) {
  const r = await cannon({ url, tlsOptions, headers, seconds: 1, connections: 1, rate: 20 });
  if (!r.ok || r.non2xx || r.errors) throw new Error(`${what}: expected only 200s, got ${JSON.stringify(r.statusCodes)} and ${r.errors} errors`);
}

async function benchGateway(nginxBin, workers) {
  const upstreamKey = randomUUID() + randomUUID();
  const stack = await startSandbox({
    env: { FAPI_BUNDLED_GATEWAY_KEY: upstreamKey, FAPI_GATEWAY_WORKERS: String(workers) }, label: 'bench-gateway',
    nodeArgs: (process.env.FAPI_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });
  let nginx = null;
  try {
    const t = await tokens(ROOT, stack);
    const gwUrl = `${stack.urls.gateway}${OB_PATH}`;
    const alpha = clientTls(CERTS, 'tpp-alpha');
    const gamma = clientTls(CERTS, 'tpp-gamma');
    const mtlsHeaders = { authorization: `Bearer ${t.mtls}`, accept: 'application/json' };
    const dpopHeaders = { authorization: `DPoP ${t.dpop}`, accept: 'application/json' };
    const rssBeforeLoad = Math.round(treeRssMb(stack.pid));

    await sanity(gwUrl, alpha, mtlsHeaders, 'gateway mTLS');
    {
      const pool = proofPool(t.dpopKey, gwUrl, t.dpop, 50);
      const r = await cannon({ url: gwUrl, tlsOptions: gamma, headers: dpopHeaders, seconds: 1, connections: 1, rate: 20, nextProof: pool.next });
      if (!r.ok || r.non2xx || r.errors) throw new Error(`gateway DPoP: expected only 200s, got ${JSON.stringify(r.statusCodes)}`);
    }
    if (nginxBin) {
      nginx = await startNginx({ bin: nginxBin, certsDir: CERTS, upstreamPort: stack.ports.api, upstreamKey, workers: Math.max(1, workers) });
      await sanity(`${nginx.url}${OB_PATH}`, alpha, { accept: 'application/json' }, 'nginx');
    }
    const ngUrl = nginx ? `${nginx.url}${OB_PATH}` : null;

    // CPU per request: the sandbox (gateway + upstream) for ours; nginx and the sandbox (the upstream) for nginx.
    const ours = [stack.pid];
    const theirs = nginx ? [nginx.pid, stack.pid] : [];
    const load = (url, tlsOptions, headers, extra = {}) => cannon({ url, tlsOptions, headers, seconds: PLAN.loadSeconds, connections, cpuPids: url === ngUrl ? theirs : ours, ...extra });
    const dpopRun = async (extra = {}, expected = 10_000) => {
      const pool = proofPool(t.dpopKey, gwUrl, t.dpop, Math.ceil(expected * PLAN.loadSeconds * 1.3) + 500);
      const r = await load(gwUrl, gamma, dpopHeaders, { ...extra, nextProof: pool.next });
      return { ...r, proofs: pool.stats() };
    };

    log(`warm-up (${PLAN.warmupSeconds} s each)`);
    const warm = await cannon({ url: gwUrl, tlsOptions: alpha, headers: mtlsHeaders, seconds: PLAN.warmupSeconds, connections });
    if (ngUrl) await cannon({ url: ngUrl, tlsOptions: alpha, headers: mtlsHeaders, seconds: 1, connections });
    const warmDpop = await (async () => {
      const pool = proofPool(t.dpopKey, gwUrl, t.dpop, Math.ceil(warm.requestsPerSecond * PLAN.warmupSeconds * 1.3) + 500);
      return cannon({ url: gwUrl, tlsOptions: gamma, headers: dpopHeaders, seconds: PLAN.warmupSeconds, connections, nextProof: pool.next });
    })();

    // Interleaved rounds: each round measures the three back to back, so noise hits them alike.
    const rounds = [];
    for (let i = 0; i < PLAN.loadRuns; i++) {
      const round = { gatewayMtls: await load(gwUrl, alpha, mtlsHeaders) };
      if (ngUrl) round.nginxMtls = await load(ngUrl, alpha, mtlsHeaders);
      round.gatewayDpop = await dpopRun({}, Math.max(warmDpop.requestsPerSecond, 1000));
      rounds.push(round);
      log(`round ${i + 1}/${PLAN.loadRuns}: ${Object.entries(round).map(([k, v]) => `${k} ${v.requestsPerSecond}/s p99 ${v.p99} ms`).join(', ')}`);
    }
    const med = (key, field) => median(rounds.map((r) => r[key]?.[field]));
    const summary = (key) => ({
      requestsPerSecond: med(key, 'requestsPerSecond'), p50: med(key, 'p50'), p99: med(key, 'p99'),
      serverCpuUsPerRequest: med(key, 'serverCpuUsPerRequest'), clientCpuUsPerRequest: med(key, 'clientCpuUsPerRequest'),
    });

    // Latency at a moderate, fixed rate: a quarter of what the gateway sustained with mTLS, over
    // MODERATE_CONNECTIONS connections (autocannon's rate limit over many connections sends bursts:
    // at 100 req/s over 10 connections nginx itself shows a 50 ms p99).
    const rate = Math.max(100, Math.round(med('gatewayMtls', 'requestsPerSecond') / 4 / 100) * 100);
    log(`latency at a fixed ${rate} req/s`);
    const fixed = { rate, connections: MODERATE_CONNECTIONS };
    const moderate = {
      rate,
      gatewayMtls: await load(gwUrl, alpha, mtlsHeaders, fixed),
      ...(ngUrl ? { nginxMtls: await load(ngUrl, alpha, mtlsHeaders, fixed) } : {}),
      gatewayDpop: await dpopRun(fixed, rate),
    };

    log(`new mTLS handshakes (${PLAN.handshakeSeconds} s, ${PLAN.handshakeConcurrency} loops)`);
    const hs = (port, headers, cpuPids) => handshakes({ host: '127.0.0.1', port, tlsOptions: alpha, path: OB_PATH, headers, seconds: PLAN.handshakeSeconds, concurrency: PLAN.handshakeConcurrency, cpuPids });
    const newConnections = {
      gateway: await hs(stack.ports.gateway, mtlsHeaders, ours),
      ...(nginx ? { nginx: await hs(nginx.port, {}, theirs) } : {}),
    };
    const rssAfterLoad = Math.round(treeRssMb(stack.pid));

    const failures = [...rounds.flatMap((r) => Object.values(r)), moderate.gatewayMtls, moderate.gatewayDpop, moderate.nginxMtls]
      .filter(Boolean).reduce((n, r) => n + r.non2xx + r.errors + (r.ok ? 0 : 1), 0); // a run with no answer at all counts too
    const gm = med('gatewayMtls', 'requestsPerSecond');
    const nm = med('nginxMtls', 'requestsPerSecond');
    const gd = med('gatewayDpop', 'requestsPerSecond');
    return {
      settings: { connections, seconds: PLAN.loadSeconds, runs: PLAN.loadRuns, warmupSeconds: PLAN.warmupSeconds, gatewayWorkers: workers, nginxWorkerProcesses: nginx ? Math.max(1, workers) : null, path: OB_PATH },
      gatewayMtls: summary('gatewayMtls'),
      nginxMtls: nginx ? summary('nginxMtls') : null,
      gatewayDpop: summary('gatewayDpop'),
      ratios: { oursOverNginxMtls: nm ? round2(gm / nm) : null, dpopOverMtls: round2(gd / gm) },
      moderate: summarizeModerate(moderate),
      newConnections,
      rssMb: { beforeLoad: rssBeforeLoad, afterLoad: rssAfterLoad },
      failedRequests: failures,
      nginxConf: nginx?.conf ?? null,
      rounds,
      warmup: { gatewayMtls: warm.requestsPerSecond, gatewayDpop: warmDpop.requestsPerSecond },
    };
  } finally {
    await nginx?.stop();
    await stack.stop();
  }
}

const round2 = (x) => Math.round(x * 100) / 100;
const cpuRatio = (fast, slow) => (fast?.serverCpuUsPerRequest && slow?.serverCpuUsPerRequest ? round2(fast.serverCpuUsPerRequest / slow.serverCpuUsPerRequest) : null);

function summarizeModerate(m) {
  const pick = (r) => (r ? { requestsPerSecond: r.requestsPerSecond, p50: r.p50, p99: r.p99, failed: r.non2xx + r.errors } : null);
  return { rate: m.rate, connections: MODERATE_CONNECTIONS, gatewayMtls: pick(m.gatewayMtls), nginxMtls: pick(m.nginxMtls), gatewayDpop: pick(m.gatewayDpop) };
}

// ---------- report ----------
const fmt = (x, unit = '') => (x === null || x === undefined ? 'n/a' : `${typeof x === 'number' ? x.toLocaleString('en-GB') : x}${unit}`);
const verdict = (ok) => (ok === null ? '' : ok ? 'met' : '**not met**');

function table(r) {
  const rows = [['measure', 'figure', 'target', '']];
  if (r.startup) {
    rows.push(['cold start, `npm start` (built) to `/api/health` 200', fmt(r.startup.coldStartMs, ' ms'), '< 2,000 ms', verdict(r.startup.coldStartMs < 2000)]);
    rows.push(['  of which the sandbox itself (startStack)', fmt(r.startup.inProcessStartupMs, ' ms'), '', '']);
    rows.push(['RSS at rest', fmt(r.startup.rssAtRestMb, ' MB'), '< 300 MB', verdict(r.startup.rssAtRestMb < 300)]);
    const n = r.startup.noUi;
    rows.push(['cold start without the UI, `fapi-sandbox start --no-ui` (no npm); RSS at rest; SIGTERM to exit', `${fmt(n.coldStartMs, ' ms')}; ${fmt(n.rssAtRestMb, ' MB')}; ${fmt(n.stopMs, ' ms')}`, '', '']);
    rows.push(['  the same with an empty certs/ (the PKI generated first)', fmt(r.startup.freshCerts.coldStartMs, ' ms'), '', '']);
  }
  if (r.catalogue) {
    rows.push([`whole catalogue (${r.catalogue.scenarios} scenarios) through the CLI, stack start included`, fmt(r.catalogue.wallMs, ' ms'), '< 5,000 ms', verdict(r.catalogue.wallMs < 5000)]);
    const c = r.catalogue.cpu;
    rows.push(['  in one process (stack + engine), 4 at a time: wall / CPU', `${fmt(c.wholeCatalogue.wallMs, ' ms')} / ${fmt(c.wholeCatalogue.cpuMs, ' ms')} (stack start ${fmt(c.stackStart.cpuMs, ' ms')} CPU)`, '', '']);
    rows.push(['  each scenario alone, one after another: wall / CPU in all', `${fmt(c.aloneTotal.wallMs, ' ms')} / ${fmt(c.aloneTotal.cpuMs, ' ms')}`, '', '']);
    for (const s of c.perScenario.slice(0, 5)) rows.push([`  CPU of \`${s.id}\` alone (wall)`, `${fmt(s.cpuMs, ' ms')} (${fmt(s.wallMs, ' ms')})`, '', '']);
  }
  for (const g of r.gateway ?? []) {
    const c = g.settings.connections;
    const w = g.settings.gatewayWorkers;
    const setup = w ? `${w} workers` : 'in-process';
    rows.push([`**gateway ${setup}** (FAPI_GATEWAY_WORKERS=${w}) vs nginx worker_processes ${g.settings.nginxWorkerProcesses ?? '-'}`, '', '', '']);
    const load = (x) => `${fmt(x.requestsPerSecond, ' req/s')}, p50 ${fmt(x.p50, ' ms')}, p99 ${fmt(x.p99, ' ms')}; server CPU ${fmt(x.serverCpuUsPerRequest, ' µs')}/req`;
    rows.push([`gateway ${setup}, mTLS-bound JWT, keep-alive (${c} connections)`, load(g.gatewayMtls), '', '']);
    if (g.nginxMtls) rows.push([`nginx ${r.machine.nginx}, \`ssl_verify_client on\`, same upstream (${c} connections)`, load(g.nginxMtls), '', '']);
    rows.push(['ratio ours / nginx (mTLS)', fmt(g.ratios.oursOverNginxMtls), '>= 0.75', verdict(g.ratios.oursOverNginxMtls === null ? null : g.ratios.oursOverNginxMtls >= 0.75)]);
    if (g.nginxMtls) rows.push(['  the same by server CPU per request (nginx µs / ours; steadier on a shared machine)', fmt(cpuRatio(g.nginxMtls, g.gatewayMtls)), '', '']);
    rows.push([`gateway ${setup}, DPoP-bound JWT, fresh ES256 proof per request (${c} connections)`, load(g.gatewayDpop), '', '']);
    rows.push(['ratio DPoP / mTLS', fmt(g.ratios.dpopOverMtls), '>= 0.70', verdict(g.ratios.dpopOverMtls >= 0.7)]);
    rows.push(['  the same by server CPU per request (mTLS µs / DPoP)', fmt(cpuRatio(g.gatewayMtls, g.gatewayDpop)), '', '']);
    const m = g.moderate;
    rows.push([`gateway ${setup} mTLS at a fixed ${fmt(m.rate)} req/s (${m.connections} connections): p50 / p99`, `${fmt(m.gatewayMtls.p50, ' ms')} / ${fmt(m.gatewayMtls.p99, ' ms')}`, 'p99 < 5 ms', verdict(m.gatewayMtls.p99 < 5)]);
    rows.push([`gateway ${setup} DPoP at a fixed ${fmt(m.rate)} req/s: p50 / p99`, `${fmt(m.gatewayDpop.p50, ' ms')} / ${fmt(m.gatewayDpop.p99, ' ms')}`, 'p99 < 5 ms', verdict(m.gatewayDpop.p99 < 5)]);
    if (m.nginxMtls) rows.push([`nginx at a fixed ${fmt(m.rate)} req/s: p50 / p99`, `${fmt(m.nginxMtls.p50, ' ms')} / ${fmt(m.nginxMtls.p99, ' ms')}`, '', '']);
    const conn = (x) => `${fmt(x.perSecond, '/s')}; server CPU ${fmt(x.serverCpuUsPerConnection, ' µs')}/connection`;
    rows.push([`new mTLS connections per second, gateway ${setup} (full handshake + 1 request, ${PLAN.handshakeConcurrency} loops)`, conn(g.newConnections.gateway), '', '']);
    if (g.newConnections.nginx) rows.push(['new mTLS connections per second, nginx', conn(g.newConnections.nginx), '', '']);
    rows.push(['sandbox RSS before / after load (all its processes)', `${fmt(g.rssMb.beforeLoad, ' MB')} / ${fmt(g.rssMb.afterLoad, ' MB')}`, '', '']);
  }
  const width = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(width[i])).join(' | ')} |`;
  return [line(rows[0]), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

// ---------- main ----------
const nginx = findNginx();
if (!existsSync(path.join(ROOT, 'node_modules/autocannon'))) {
  console.error('autocannon is missing: run npm ci (it is a devDependency)');
  process.exit(2);
}
if (only.has('gateway') && !nginx) log('nginx not found: the nginx comparison is skipped (Debian: apt-get install -y nginx)');
buildIfStale({ ui: only.has('startup') });
if (!existsSync(path.join(CERTS, 'index.json'))) {
  log('generating certs/ (first run)');
  spawnSync(process.execPath, ['bin/fapi-sandbox.js', 'certs'], { stdio: 'ignore' });
}

if (args.profile) {
  // --profile: only the gateway loads, under --cpu-prof (and perf when installed): µs per request by stage.
  const when = new Date().toISOString();
  const before = loadAverage();
  const parts = [];
  for (const workers of setups) {
    const p = await profileGateway({ root: ROOT, nginxBin: nginx?.bin ?? null, workers, connections, seconds: PLAN.loadSeconds, log });
    parts.push(p);
  }
  const md = parts.map((p) => [
    `### ${p.workers ? `${p.workers} gateway workers` : 'gateway in-process'}: main-thread JS profile (node --cpu-prof, self time by stage)`, '', p.jsTable, '',
    ...(p.perfTable ? [`### ${p.workers ? `${p.workers} gateway workers` : 'gateway in-process'} and nginx: perf record (all threads and the kernel, by symbol), scaled to /proc CPU`, '', p.perfTable, ''] : []),
    `Loads: ${p.windows.map((w) => `${w.title} ${w.requestsPerSecond} req/s (${w.answers} answers, ${w.failed} failed)`).join('; ')}.`, '',
  ].join('\n')).join('\n');
  const footer = `Load average before ${before.join(' ')}, after ${loadAverage().join(' ')}; \`npm run bench -- ${process.argv.slice(2).join(' ')}\`, ${when}.`;
  mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
  const out = args.out.replace(/latest\.json$/, 'profile.json');
  writeFileSync(out, JSON.stringify({ when, loadAverageBefore: before, machine: machine(), parts }, null, 2) + '\n');
  writeFileSync(out.replace(/\.json$/, '.md'), `${md}\n${footer}\n`);
  console.log(`\n${md}\n${footer}\nJSON: ${out}`);
  process.exit(parts.some((p) => p.windows.some((w) => w.failed)) ? 1 : 0);
}

const started = Date.now();
const result = { when: new Date().toISOString(), mode: Q ? 'quick' : 'full', machine: machine(), loadAverageBefore: loadAverage(), command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}` };
log(`${result.machine.cores} cores, ${result.machine.cpuModel}, Node ${result.machine.node}, nginx ${result.machine.nginx ?? 'absent'}; load average ${result.loadAverageBefore.join(' ')}`);
if (result.loadAverageBefore[0] > 0.5 * result.machine.cores) log('the machine is busy (load average above half the cores): figures will be noisy; the ratios measured in the same run hold up best');
if (only.has('startup')) result.startup = await benchStartup();
if (only.has('catalogue')) result.catalogue = await benchCatalogue();
if (only.has('gateway')) {
  result.gateway = [];
  for (const workers of setups) {
    log(`gateway with ${workers ? `${workers} worker processes` : 'no workers (in-process, the default)'}`);
    result.gateway.push(await benchGateway(nginx?.bin ?? null, workers));
  }
}
result.loadAverageAfter = loadAverage();
result.seconds = Math.round((Date.now() - started) / 1000);
result.table = table(result);

const m = result.machine;
result.summary = [
  `${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}; Node ${m.node} (OpenSSL ${m.nodeOpenssl}), nginx ${m.nginx ?? 'absent'}${m.nginxOpenssl ? ` (OpenSSL ${m.nginxOpenssl})` : ''}, autocannon ${m.autocannon}.`,
  'Load generator, sandbox and nginx on the same cores; each figure the median of the rounds; server CPU = user + system time of the sandbox (all its processes) and nginx, from /proc.',
  `Load average before ${result.loadAverageBefore.join(' ')}, after ${result.loadAverageAfter.join(' ')}; ${result.seconds} s in all; \`${result.command}\`, ${result.when}.`,
  ...(result.gateway ?? []).map((g) => `Ratios, ${g.settings.gatewayWorkers ? `${g.settings.gatewayWorkers} workers` : 'in-process'}: gateway / nginx ${fmt(g.ratios.oursOverNginxMtls)} (target >= 0.75; by CPU ${fmt(cpuRatio(g.nginxMtls, g.gatewayMtls))}), DPoP / mTLS ${fmt(g.ratios.dpopOverMtls)} (target >= 0.70; by CPU ${fmt(cpuRatio(g.gatewayMtls, g.gatewayDpop))}), p99 at ${fmt(g.moderate.rate)} req/s mTLS ${fmt(g.moderate.gatewayMtls.p99, ' ms')} / DPoP ${fmt(g.moderate.gatewayDpop.p99, ' ms')} (target < 5 ms).`),
].join('\n');

mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
writeFileSync(args.out.replace(/\.json$/, '') + '.md', `${result.table}\n\n${result.summary}\n`);
console.log(`\n${result.table}\n\n${result.summary}\nJSON: ${args.out}`);
const failed = (result.gateway ?? []).reduce((n, g) => n + g.failedRequests, 0);
if (failed) {
  console.error(`${failed} requests under load did not get a 2xx: see ${args.out}`);
  process.exit(1);
}
