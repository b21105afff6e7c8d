// A/B of two builds of the sandbox side by side in one run: both started at once, their gateway
// loads alternated round by round (A then B, then B then A...), so a busy machine slows both alike.
//   node scripts/bench/ab.mjs --snapshot DIR      copy this checkout's build (bin/, dist/...) to DIR
//   node scripts/bench/ab.mjs --a DIR [--b .] [--workers 0] [--rounds 4] [--seconds 3] [--loads mtls,dpop,handshake]
//     [--a-node N|PATH] [--b-node N|PATH]   each side under its own Node: a major (22, 24: fetched from the npm
//     registry with better-sqlite3 built for it, scripts/runtimes/node.mjs) or a node binary; --a and --b may then
//     be the same build (e.g. --a . --a-node 20 --b-node 22)
// Prints the median req/s, p99 and server CPU per request of each side and B / A.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { startSandbox } from '../sandbox.mjs';
import { cannon, clientTls, handshakes, median } from './load.mjs';
import { proofPool, tokens } from './clients.mjs';
import { ensureRuntime, runtimeEnv } from '../runtimes/node.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { values: a } = parseArgs({
  options: {
    snapshot: { type: 'string' }, a: { type: 'string' }, b: { type: 'string', default: ROOT },
    workers: { type: 'string', default: '0' }, rounds: { type: 'string', default: '4' }, seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' }, loads: { type: 'string', default: 'mtls,dpop' },
    'a-node': { type: 'string' }, 'b-node': { type: 'string' },
  },
});

if (a.snapshot) {
  const dir = path.resolve(a.snapshot);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const part of ['bin', 'dist', 'package.json', 'prisma', 'scenarios', 'openapi', 'schemas', 'examples']) cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  for (const link of ['node_modules', 'certs']) symlinkSync(path.join(ROOT, link), path.join(dir, link));
  console.log(`snapshot of this build in ${dir}`);
  process.exit(0);
}
if (!a.a) {
  console.error('usage: node scripts/bench/ab.mjs --snapshot DIR | --a DIR [--b DIR] [--a-node N|PATH] [--b-node N|PATH] [--workers N] [--rounds N] [--seconds N] [--loads mtls,dpop]');
  process.exit(2);
}
const OB_PATH = '/open-banking/v3.1/aisp/accounts';
const CERTS = path.join(ROOT, 'certs');
const workers = Number(a.workers);
const seconds = Number(a.seconds);
const connections = Number(a.connections);
const loads = a.loads.split(',');
const log = (m) => console.error(`[ab] ${m}`);

/** The Node a side runs under: this one, a major from the npm registry, or a binary; with its environment. */
function runtime(spec) {
  if (!spec || spec === process.versions.node.split('.')[0]) return { node: process.execPath, version: process.versions.node, env: {} };
  if (/^\d+$/.test(spec)) {
    const rt = ensureRuntime(Number(spec), log);
    return { node: rt.node, version: rt.version, env: runtimeEnv(rt) };
  }
  const [version, abi] = execFileSync(spec, ['-p', 'process.versions.node + " " + process.versions.modules'], { encoding: 'utf8' }).trim().split(' ');
  if (abi !== process.versions.modules) throw new Error(`${spec} is Node ${version} (another ABI than node_modules' better-sqlite3): give its major instead`);
  return { node: path.resolve(spec), version, env: {} };
}

async function side(label, root, rt) {
  const stack = await startSandbox({ root, node: rt.node, label: `ab-${label}`, env: { ...rt.env, FAPI_BUNDLED_GATEWAY_KEY: randomUUID(), FAPI_GATEWAY_WORKERS: String(workers), FAPI_CERTS_DIR: CERTS } });
  const t = await tokens(ROOT, stack);
  const url = `${stack.urls.gateway}${OB_PATH}`;
  const alpha = clientTls(CERTS, 'tpp-alpha');
  const gamma = clientTls(CERTS, 'tpp-gamma');
  let lastDpopRate = 0;
  const run = {
    // New mTLS connections (full handshake + one request each, 4 loops): p99 not measured.
    handshake: async () => {
      const r = await handshakes({ host: '127.0.0.1', port: stack.ports.gateway, tlsOptions: alpha, path: OB_PATH, headers: { authorization: `Bearer ${t.mtls}`, accept: 'application/json' }, seconds, concurrency: 4, cpuPids: [stack.pid] });
      return { requestsPerSecond: r.perSecond, p99: null, serverCpuUsPerRequest: r.serverCpuUsPerConnection, non2xx: r.failed, errors: 0 };
    },
    mtls: () => cannon({ url, tlsOptions: alpha, headers: { authorization: `Bearer ${t.mtls}`, accept: 'application/json' }, seconds, connections, cpuPids: [stack.pid] }),
    dpop: async () => {
      // Proofs signed ahead for 1.5 times the last round's rate (the rest are signed as needed, counted in the result).
      const pool = proofPool(t.dpopKey, url, t.dpop, Math.ceil(Math.max(2_000, lastDpopRate * 1.5) * seconds));
      const r = await cannon({ url, tlsOptions: gamma, headers: { authorization: `DPoP ${t.dpop}`, accept: 'application/json' }, seconds, connections, cpuPids: [stack.pid], nextProof: pool.next });
      lastDpopRate = r.requestsPerSecond;
      return { ...r, proofs: pool.stats() };
    },
  };
  return { label, root, node: rt.version, stack, run };
}

const sides = [await side('A', path.resolve(a.a), runtime(a['a-node'])), await side('B', path.resolve(a.b), runtime(a['b-node']))];
const results = { A: {}, B: {} };
const load0 = os.loadavg()[0];
try {
  for (const s of sides) for (const l of loads) await s.run[l](); // warm-up
  for (let round = 0; round < Number(a.rounds); round++) {
    for (const l of loads) {
      for (const s of round % 2 ? [...sides].reverse() : sides) {
        const r = await s.run[l]();
        (results[s.label][l] ??= []).push(r);
        log(`round ${round + 1} ${l} ${s.label}: ${r.requestsPerSecond}/s, p99 ${r.p99} ms, ${r.serverCpuUsPerRequest} µs CPU/req${r.non2xx + r.errors ? `, ${r.non2xx + r.errors} FAILED` : ''}`);
      }
    }
  }
} finally {
  for (const s of sides) await s.stack.stop();
}
const rows = [`| load | A req/s | B req/s | B/A | A p99 ms | B p99 ms | A µs CPU/req | B µs CPU/req | B/A CPU |`, '|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
for (const l of loads) {
  const m = (side, f) => median(results[side][l].map((r) => r[f]));
  const r2 = (x) => (x === null ? '-' : Math.round(x * 100) / 100);
  rows.push(`| ${l} | ${m('A', 'requestsPerSecond')} | ${m('B', 'requestsPerSecond')} | ${r2(m('B', 'requestsPerSecond') / m('A', 'requestsPerSecond'))} | ${r2(m('A', 'p99'))} | ${r2(m('B', 'p99'))} | ${m('A', 'serverCpuUsPerRequest')} | ${m('B', 'serverCpuUsPerRequest')} | ${r2(m('B', 'serverCpuUsPerRequest') / m('A', 'serverCpuUsPerRequest'))} |`);
}
console.log(`${rows.join('\n')}\n\nA = ${sides[0].root} on Node ${sides[0].node}, B = ${sides[1].root} on Node ${sides[1].node}; workers ${workers}, ${a.rounds} rounds of ${seconds} s alternated, ${connections} connections; medians. Load average ${load0.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after.`);
const failed = Object.values(results).flatMap((x) => Object.values(x).flat()).reduce((n, r) => n + r.non2xx + r.errors, 0);
process.exit(failed ? 1 : 0);
