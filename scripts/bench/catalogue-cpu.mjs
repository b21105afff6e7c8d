// CPU per scenario: the built sandbox and the scenario engine in this one process (what
// `fapi-sandbox run` does), so process.cpuUsage() counts both sides of every exchange. First the whole
// catalogue as the CLI runs it (4 at a time), then each scenario alone, one after another, after a
// warm-up run of the first. Prints a JSON object on stdout (the bench reads it).
//   node scripts/bench/catalogue-cpu.mjs [--repeat N] [ids...]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
const { values, positionals } = parseArgs({ allowPositionals: true, options: { repeat: { type: 'string', default: '1' } } });

const { startStack } = await dist('server/stack.js');
const { loadCatalogue } = await dist('server/engine/catalogue.js');
const { runScenarios } = await dist('server/engine/runner.js');
const { bundledTarget } = await dist('server/engine/target.js');

const catalogue = loadCatalogue([path.join(ROOT, 'scenarios')]);
if (catalogue.errors.length) throw new Error(`scenario files have errors: ${JSON.stringify(catalogue.errors)}`);
const chosen = positionals.length ? catalogue.scenarios.filter((s) => positionals.includes(s.scenario.id)) : catalogue.scenarios;

const cpuMs = (u) => (u.user + u.system) / 1000;
async function measured(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  return { result, wallMs: Math.round(performance.now() - t0), cpuMs: Math.round(cpuMs(process.cpuUsage(c0))) };
}

const started = await measured(() => startStack({ ui: false, quiet: true, ports: { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0 } }));
const stack = started.result;
const target = bundledTarget(stack);
const run = (scenarios, concurrency) => runScenarios({ scenarios, target, trigger: 'cli', concurrency, prisma: stack.db.prisma });
try {
  const whole = await measured(() => run(chosen, 4));
  if (whole.result.status !== 'passed') throw new Error(`the catalogue did not pass: ${JSON.stringify(whole.result.counts)}`);
  await run(chosen.slice(0, 1), 1); // warm-up
  const perScenario = [];
  for (const entry of chosen) {
    const runs = [];
    for (let i = 0; i < Number(values.repeat); i++) {
      const m = await measured(() => run([entry], 1));
      runs.push({ wallMs: m.wallMs, cpuMs: m.cpuMs, status: m.result.status });
    }
    const mid = (f) => runs.map((r) => r[f]).sort((a, b) => a - b)[runs.length >> 1];
    perScenario.push({ id: entry.scenario.id, wallMs: mid('wallMs'), cpuMs: mid('cpuMs'), status: runs[0].status });
  }
  perScenario.sort((a, b) => b.cpuMs - a.cpuMs);
  console.log(JSON.stringify({
    stackStart: { wallMs: started.wallMs, cpuMs: started.cpuMs },
    wholeCatalogue: { scenarios: chosen.length, concurrency: 4, wallMs: whole.wallMs, cpuMs: whole.cpuMs },
    aloneTotal: { wallMs: perScenario.reduce((s, r) => s + r.wallMs, 0), cpuMs: perScenario.reduce((s, r) => s + r.cpuMs, 0) },
    perScenario,
  }, null, 2));
} finally {
  await stack.stop();
}
