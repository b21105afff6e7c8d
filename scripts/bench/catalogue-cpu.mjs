// CPU per scenario: the built sandbox and the scenario engine in this one process (what
// `fapi-sandbox run` does), so process.cpuUsage() counts both sides of every exchange. First the whole
// catalogue as the CLI runs it (4 at a time), then each scenario alone, one after another, after a
// warm-up run of the first. Prints a JSON object on stdout (the bench reads it).
//   node scripts/bench/catalogue-cpu.mjs [--repeat N] [--alone-only] [--root BUILD] [ids...]
// `alone.fromUs` / `toUs` bound the per-scenario phase on the clock of `--cpu-prof` profiles.
// Two builds side by side (a snapshot from `node scripts/bench/ab.mjs --snapshot DIR` against this one):
//   node scripts/bench/catalogue-cpu.mjs --ab DIR [--b BUILD] [--rounds N] [ids...]
// starts one process per build, each with its stack, and runs every scenario in both, alternating which
// goes first round by round, so a busy machine slows both alike; prints the median CPU ms of each side
// and B / A per scenario, and the sum over the scenarios. `--ab .` (A = B) is the control.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const HERE = path.resolve(import.meta.dirname, '../..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    repeat: { type: 'string', default: '1' }, root: { type: 'string', default: HERE }, 'alone-only': { type: 'boolean', default: false },
    ab: { type: 'string' }, b: { type: 'string', default: HERE }, rounds: { type: 'string', default: '5' }, serve: { type: 'boolean', default: false },
  },
});
const ROOT = path.resolve(values.root);
const cpuMs = (u) => (u.user + u.system) / 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (values.ab) await sideBySide();
else await inProcess();

async function loadBuild() {
  const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
  const { startStack } = await dist('server/stack.js');
  const { loadCatalogue } = await dist('server/engine/catalogue.js');
  const { runScenarios } = await dist('server/engine/runner.js');
  const { bundledTarget } = await dist('server/engine/target.js');
  const catalogue = loadCatalogue([path.join(ROOT, 'scenarios')]);
  if (catalogue.errors.length) throw new Error(`scenario files have errors: ${JSON.stringify(catalogue.errors)}`);
  const chosen = positionals.length ? catalogue.scenarios.filter((s) => positionals.includes(s.scenario.id)) : catalogue.scenarios;
  const unknown = positionals.filter((id) => !chosen.some((s) => s.scenario.id === id));
  if (unknown.length) throw new Error(`no such scenario: ${unknown.join(', ')}`);
  return { startStack, runScenarios, bundledTarget, chosen };
}

async function measured(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  return { result, wallMs: Math.round(performance.now() - t0), cpuMs: Math.round(cpuMs(process.cpuUsage(c0))) };
}

async function inProcess() {
  const { startStack, runScenarios, bundledTarget, chosen } = await loadBuild();
  const started = await measured(() => startStack({ ui: false, quiet: true, ports: { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0 } }));
  const stack = started.result;
  const target = bundledTarget(stack);
  const run = (scenarios, concurrency) => runScenarios({ scenarios, target, trigger: 'cli', concurrency, prisma: stack.db.prisma });
  try {
    if (values.serve) return await serve(chosen, run);
    let whole = null;
    if (!values['alone-only']) {
      whole = await measured(() => run(chosen, 4));
      if (whole.result.status !== 'passed') throw new Error(`the catalogue did not pass: ${JSON.stringify(whole.result.counts)}`);
    }
    await run(chosen.slice(0, 1), 1); // warm-up
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const perScenario = [];
    for (const entry of chosen) {
      const runs = [];
      for (let i = 0; i < Number(values.repeat); i++) {
        const m = await measured(() => run([entry], 1));
        runs.push({ wallMs: m.wallMs, cpuMs: m.cpuMs, status: m.result.status });
      }
      const mid = (f) => median(runs.map((r) => r[f]));
      perScenario.push({ id: entry.scenario.id, wallMs: mid('wallMs'), cpuMs: mid('cpuMs'), status: runs[0].status });
    }
    const toUs = Number(process.hrtime.bigint() / 1000n);
    perScenario.sort((a, b) => b.cpuMs - a.cpuMs);
    console.log(JSON.stringify({
      stackStart: { wallMs: started.wallMs, cpuMs: started.cpuMs },
      wholeCatalogue: whole && { scenarios: chosen.length, concurrency: 4, wallMs: whole.wallMs, cpuMs: whole.cpuMs },
      aloneTotal: { wallMs: perScenario.reduce((s, r) => s + r.wallMs, 0), cpuMs: perScenario.reduce((s, r) => s + r.cpuMs, 0) },
      alone: { fromUs, toUs, repeat: Number(values.repeat) },
      perScenario,
    }, null, 2));
  } finally {
    await stack.stop();
  }
}

/** The child of --ab: runs the scenario its parent names, answers with its CPU and wall ms. */
function serve(chosen, run) {
  const byId = new Map(chosen.map((s) => [s.scenario.id, s]));
  process.send({ ready: chosen.map((s) => s.scenario.id) });
  return new Promise((resolve) => {
    process.on('message', async (msg) => {
      if (msg.stop) return resolve();
      const m = await measured(() => run([byId.get(msg.run)], 1));
      process.send({ id: msg.run, cpuMs: m.cpuMs, wallMs: m.wallMs, status: m.result.status });
    });
  });
}

async function sideBySide() {
  const log = (m) => console.error(`[catalogue-cpu ab] ${m}`);
  const sides = ['A', 'B'].map((label) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `catalogue-cpu-${label}-`));
    const root = path.resolve(label === 'A' ? values.ab : values.b);
    const child = fork(import.meta.filename, ['--serve', '--root', root, ...positionals], {
      env: { ...process.env, FAPI_DATA_DIR: path.join(dir, 'data'), FAPI_CERTS_DIR: process.env.FAPI_CERTS_DIR ?? path.join(HERE, 'certs') },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let waiting = null;
    const ready = new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`side ${label} exited ${code}`)));
      child.on('message', (msg) => (msg.ready ? resolve(msg.ready) : waiting?.(msg)));
    });
    const run = (id) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`side ${label}: ${id} took over 120 s`)), 120_000);
      waiting = (msg) => resolve(msg, clearTimeout(timer));
      child.send({ run: id });
    });
    return { label, root, dir, child, ready, run };
  });
  const load0 = os.loadavg()[0];
  try {
    const [ids] = await Promise.all(sides.map((s) => s.ready));
    log(`both sides ready: ${ids.length} scenarios`);
    for (const s of sides) await s.run(ids[0]); // warm-up
    const cpu = { A: {}, B: {} };
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const id of ids) {
        for (const s of round % 2 ? [...sides].reverse() : sides) {
          const r = await s.run(id);
          if (process.env.CATALOGUE_CPU_VERBOSE) log(`${s.label} ${id}: ${r.cpuMs} ms`);
          if (r.status !== 'passed') throw new Error(`${id} ${r.status} on side ${s.label}`);
          (cpu[s.label][id] ??= []).push(r.cpuMs);
        }
      }
      log(`round ${round + 1}/${values.rounds} done (load ${os.loadavg()[0].toFixed(2)})`);
    }
    const perScenario = ids.map((id) => {
      const a = median(cpu.A[id]);
      const b = median(cpu.B[id]);
      return { id, aCpuMs: a, bCpuMs: b, ratio: Number((b / a).toFixed(2)) };
    }).sort((x, y) => y.aCpuMs - x.aCpuMs);
    const sum = (f) => perScenario.reduce((s, r) => s + r[f], 0);
    const total = { aCpuMs: sum('aCpuMs'), bCpuMs: sum('bCpuMs'), ratio: Number((sum('bCpuMs') / sum('aCpuMs')).toFixed(3)) };
    console.log(JSON.stringify({ a: sides[0].root, b: sides[1].root, rounds: Number(values.rounds), load: [load0, os.loadavg()[0]].map((l) => Number(l.toFixed(2))), total, perScenario }, null, 2));
  } finally {
    for (const s of sides) {
      if (s.child.exitCode === null) {
        s.child.send({ stop: true });
        const killer = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
        await new Promise((resolve) => s.child.once('exit', resolve));
        clearTimeout(killer);
      }
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
}
