// `npm run bench -- --profile`: the gateway under the benchmark's load with `node --cpu-prof` (every
// sandbox process writes its own profile), and `perf record` of the sandbox and nginx processes when
// Linux perf is installed. Each load (gateway mTLS, gateway DPoP, nginx mTLS) is a time window; the
// profiles' samples inside it, divided by its answers, give µs per request by stage (profile.mjs).
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { startSandbox, tempDir } from '../sandbox.mjs';
import { startNginx } from './nginx.mjs';
import { cannon, clientTls } from './load.mjs';
import { proofPool, tokens } from './clients.mjs';
import { childrenOf, cpuSecondsEach } from './proc.mjs';
import { cpuprofileStages, perfStages, perRequest, stageTable, sumStages } from './profile.mjs';

const OB_PATH = '/open-banking/v3.1/aisp/accounts';
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const hasPerf = () => spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;

/** `perf record` of `pids` (all their threads) until `stop()`; resolves the data file's path, or null. */
function perfRecord(pids, file) {
  const child = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '1999', '-p', pids.join(','), '-o', file, '--quiet'], { stdio: 'ignore' });
  const done = new Promise((resolve) => child.on('exit', () => resolve(existsSync(file) ? file : null)).on('error', () => resolve(null)));
  return { stop: () => { child.kill('SIGINT'); return done; } };
}

/**
 * One set-up (`workers` gateway processes, 0 = in-process): each load measured once in its own window.
 * Returns the stage tables (Markdown) and the raw figures.
 */
export async function profileGateway({ root, nginxBin, workers, connections, seconds, log }) {
  const certs = path.join(root, 'certs');
  const dir = tempDir('bench-profile');
  const upstreamKey = randomUUID() + randomUUID();
  const stack = await startSandbox({
    env: { FAPI_BUNDLED_GATEWAY_KEY: upstreamKey, FAPI_GATEWAY_WORKERS: String(workers) }, label: 'bench-profile',
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'],
  });
  let nginx = null;
  const windows = [];
  const perf = hasPerf();
  try {
    const t = await tokens(root, stack);
    const gwUrl = `${stack.urls.gateway}${OB_PATH}`;
    const alpha = clientTls(certs, 'tpp-alpha');
    const gamma = clientTls(certs, 'tpp-gamma');
    const mtlsHeaders = { authorization: `Bearer ${t.mtls}`, accept: 'application/json' };
    const dpopHeaders = { authorization: `DPoP ${t.dpop}`, accept: 'application/json' };
    if (nginxBin) nginx = await startNginx({ bin: nginxBin, certsDir: certs, upstreamPort: stack.ports.api, upstreamKey, workers: Math.max(1, workers) });
    const gwWorkers = workers ? childrenOf(stack.pid) : [];
    const gatewayPids = workers ? gwWorkers : [stack.pid];
    const nginxPids = nginx ? [nginx.pid, ...childrenOf(nginx.pid)] : [];
    const dpopLoad = (s, expected) => {
      const pool = proofPool(t.dpopKey, gwUrl, t.dpop, Math.ceil(expected * s * 1.3) + 500);
      return cannon({ url: gwUrl, tlsOptions: gamma, headers: dpopHeaders, seconds: s, connections, nextProof: pool.next });
    };
    log(`profile warm-up (workers ${workers})`);
    const warm = await cannon({ url: gwUrl, tlsOptions: alpha, headers: mtlsHeaders, seconds: 2, connections });
    await dpopLoad(2, Math.max(warm.requestsPerSecond, 1000));
    if (nginx) await cannon({ url: `${nginx.url}${OB_PATH}`, tlsOptions: alpha, headers: mtlsHeaders, seconds: 1, connections });

    const loads = [
      { id: 'gatewayMtls', title: 'gateway mTLS', pids: gatewayPids, run: () => cannon({ url: gwUrl, tlsOptions: alpha, headers: mtlsHeaders, seconds, connections }) },
      { id: 'gatewayDpop', title: 'gateway DPoP', pids: gatewayPids, run: () => dpopLoad(seconds, Math.max(warm.requestsPerSecond, 1000)) },
      ...(nginx ? [{ id: 'nginxMtls', title: 'nginx mTLS', pids: nginxPids, run: () => cannon({ url: `${nginx.url}${OB_PATH}`, tlsOptions: alpha, headers: mtlsHeaders, seconds, connections }) }] : []),
    ];
    for (const load of loads) {
      const api = [stack.pid];
      const cpu0 = [cpuSecondsEach(load.pids), cpuSecondsEach(api)];
      const recorder = perf ? perfRecord(load.pids, path.join(dir, `${load.id}.perf.data`)) : null;
      const from = nowUs();
      const r = await load.run();
      const to = nowUs();
      const perfFile = recorder ? await recorder.stop() : null;
      const sum = (xs) => xs.reduce((a, b) => a + b, 0);
      const own = sum(cpuSecondsEach(load.pids)) - sum(cpu0[0]);
      const main = sum(cpuSecondsEach(api)) - sum(cpu0[1]);
      const answers = r.ok + r.non2xx;
      windows.push({ ...load, from, to, answers, requestsPerSecond: r.requestsPerSecond, failed: r.non2xx + r.errors, perfFile,
        // The gateway's own processes (workers, or the one process with the API in it) and, apart, the sandbox's main process.
        ownCpuUs: (own * 1e6) / answers, mainCpuUs: workers || load.id === 'nginxMtls' ? (main * 1e6) / answers : null });
      log(`profile ${load.title}: ${r.requestsPerSecond}/s, ${Math.round((own * 1e6) / answers)} µs CPU/req in its own processes`);
    }
  } finally {
    await nginx?.stop();
    await stack.stop(); // the profiles are written as the processes exit
  }
  const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => {
    const pid = Number(/^CPU\.\d+\.\d+\.(\d+)\./.exec(f)?.[1]);
    return { pid, main: pid === stack.pid, profile: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) };
  });
  const gw = windows.filter((w) => w.id !== 'nginxMtls');
  // cpuprofile: the gateway's processes (in-process: the one process, API included), then the main process in worker mode.
  const jsColumns = gw.flatMap((w) => {
    const own = profiles.filter((p) => (workers ? !p.main : p.main));
    const fns = {};
    const cols = [{ title: `${w.title}${workers ? ` (${workers} workers)` : ' (in-process)'}`, rows: perRequest(sumStages(own.map((p) => cpuprofileStages(p.profile, w, fns))), w.answers), serverCpu: w.ownCpuUs }];
    w.topFunctions = perRequest(fns, w.answers).slice(0, 40).map(([k, v]) => `${v.toFixed(1)} µs  ${k}`);
    if (workers) cols.push({ title: `${w.title}: main process (API, claims, decisions)`, rows: perRequest(sumStages(profiles.filter((p) => p.main).map((p) => cpuprofileStages(p.profile, w))), w.answers), serverCpu: w.mainCpuUs });
    return cols;
  });
  // perf: all threads and the kernel of the gateway's processes and of nginx's, scaled by their CPU from /proc.
  const perfColumns = windows.filter((w) => w.perfFile).map((w) => {
    // The profiler thread's share of /proc CPU is measurement overhead: left out.
    const { shares, overhead } = perfStages(w.perfFile) ?? { shares: {}, overhead: 0 };
    return { title: w.title, rows: Object.entries(shares).map(([k, v]) => [k, v * w.ownCpuUs * (1 - overhead)]).sort((a, b) => b[1] - a[1]), serverCpu: w.ownCpuUs };
  });
  if (process.env.FAPI_BENCH_KEEP_PROFILES) log(`profiles and perf data kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return {
    workers,
    windows: windows.map(({ pids: _p, run: _r, perfFile: _f, ...w }) => w),
    jsTable: stageTable(jsColumns),
    perfTable: perfColumns.length ? stageTable(perfColumns) : null,
    jsColumns, perfColumns,
  };
}
