// `fapi-sandbox run [id|tag ...]`: starts the bundled stack in-process on free ports, runs the
// selected scenarios, reports (pretty / json / junit), stops. `list` prints the catalogue.
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatScenarioError } from '../../lib/scenario/parse.ts';
import { ROOT_DIR } from '../config.ts';
import { loadCatalogue, select, type LoadedScenario } from '../engine/catalogue.ts';
import { runScenarios, type RunResult } from '../engine/runner.ts';
import { bundledTarget, type Target } from '../engine/target.ts';
import { unmet } from '../engine/requirements.ts';
import { startStack, type Stack } from '../stack.ts';
import { TargetError } from '../targets/load.ts';
import { DiscoveryError } from '../targets/discovery.ts';
import type { OpenTarget } from '../targets/open.ts';
import { prettyProgress, prettySummary, bold, dim, green, red, yellow } from './reporters/pretty.ts';
import { jsonReport } from './reporters/json.ts';
import { junitReport } from './reporters/junit.ts';

import { UsageError } from './usage.ts';

const REPORTERS = ['pretty', 'json', 'junit'] as const;
type ReporterName = (typeof REPORTERS)[number];

interface ReporterTarget {
  name: ReporterName;
  file: string | null;
}

/** --reporter junit=out.xml, or --reporter junit --out out.xml (one file reporter), or stdout. */
export function planReporters(specs: string[], out: string | undefined): ReporterTarget[] {
  const plan = (specs.length ? specs : ['pretty']).map((spec) => {
    const [name, file] = spec.split('=', 2) as [string, string | undefined];
    if (!(REPORTERS as readonly string[]).includes(name)) throw new UsageError(`unknown reporter "${name}" (use ${REPORTERS.join(', ')})`);
    return { name: name as ReporterName, file: file || null };
  });
  const fileless = plan.filter((r) => r.name !== 'pretty' && !r.file);
  if (out) {
    if (fileless.length !== 1) throw new UsageError('--out needs exactly one json or junit reporter without its own =FILE');
    fileless[0]!.file = out;
  }
  const onStdout = plan.filter((r) => r.name === 'pretty' || !r.file);
  if (onStdout.length > 1) throw new UsageError('only one reporter can write to stdout: give the others a file (--reporter junit=results.xml)');
  return plan;
}

/** Fails before the run, not after it, when a report file cannot be written (parent folders are created). */
function ensureWritable(reporters: ReporterTarget[]): void {
  for (const r of reporters) {
    if (!r.file) continue;
    try {
      mkdirSync(path.dirname(path.resolve(r.file)), { recursive: true });
      accessSync(path.dirname(path.resolve(r.file)), constants.W_OK);
      if (statSync(r.file, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a directory');
    } catch (err) {
      throw new UsageError(`cannot write the ${r.name} report to ${r.file}: ${(err as Error).message}`);
    }
  }
}

const OPTIONS = {
  target: { type: 'string', short: 't' },
  reporter: { type: 'string', multiple: true, short: 'r' },
  out: { type: 'string', short: 'o' },
  bail: { type: 'boolean' },
  list: { type: 'boolean' },
  concurrency: { type: 'string', short: 'c' },
  scenarios: { type: 'string', multiple: true },
} as const;

function loadScenarios(dirs: string[] | undefined): LoadedScenario[] {
  const catalogue = loadCatalogue(dirs?.length ? dirs.map((d) => path.resolve(d)) : [path.join(ROOT_DIR, 'scenarios')]);
  if (catalogue.errors.length) throw new UsageError(`scenario files have errors:\n${catalogue.errors.map((e) => `  ${formatScenarioError(e)}`).join('\n')}`);
  return catalogue.scenarios;
}

/** Opens --target FILE (UsageError for a bad file or an unreachable authorization server). */
async function openTarget(file: string, opts: { anyPorts?: boolean } = {}): Promise<OpenTarget> {
  const { openTargetFile } = await import('../targets/open.ts');
  try {
    return await openTargetFile(file, opts);
  } catch (err) {
    if (err instanceof TargetError) throw new UsageError(`target file has errors:\n${err.errors.map((e) => `  ${formatScenarioError(e)}`).join('\n')}`);
    if (err instanceof DiscoveryError) throw new UsageError(`target ${file}: the authorization server: ${err.message}`);
    throw err;
  }
}

export async function listCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { scenarios: OPTIONS.scenarios, target: OPTIONS.target }, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const { selected, unknown } = select(loadScenarios(values.scenarios), positionals);
  if (unknown.length) throw new UsageError(`no scenario or tag named ${unknown.join(', ')}`);
  const opened = values.target ? await openTarget(values.target, { anyPorts: true }) : null;
  try {
    const width = Math.max(...selected.map((s) => s.scenario.id.length));
    let skipped = 0;
    for (const { scenario } of selected) {
      const missing = opened ? unmet(opened.target, scenario) : [];
      if (missing.length) skipped++;
      const mark = opened ? (missing.length ? `${yellow('-')} ` : `${green('✓')} `) : '';
      console.log(`${mark}${scenario.id.padEnd(width)}  ${dim(`[${scenario.tags.join(', ')}]`)}  ${scenario.title}${missing.length ? yellow(`  skipped: the target lacks ${missing.join(', ')}`) : ''}`);
    }
    console.log(dim(opened ? `${selected.length - skipped} would run, ${skipped} would be skipped against target ${opened.target.name} (capabilities: ${[...opened.target.capabilities].join(', ')})` : `${selected.length} scenarios`));
  } finally {
    await opened?.stop();
  }
  return 0;
}

/** `fapi-sandbox check --target FILE`: can we reach it, does the TLS chain verify, can we get a token. */
export async function checkCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { target: OPTIONS.target }, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!parsed.values.target) throw new UsageError('check needs --target FILE');
  const opened = await openTarget(parsed.values.target);
  try {
    const { checkTarget } = await import('../targets/check.ts');
    const report = await checkTarget(opened.target);
    console.log(`${bold('fapi-sandbox')} checking target ${opened.target.name}`);
    for (const c of report.checks) console.log(`  ${c.status === 'ok' ? green('✓') : c.status === 'skipped' ? yellow('-') : red('✗')} ${c.title}${dim(`  ${c.detail}`)}`);
    return report.ok ? 0 : 1;
  } finally {
    await opened.stop();
  }
}

/** "the bundled stack (started in 340 ms)", or "target nginx (gateway https://..., authorization server bundled)". */
function describeTarget(target: Target, stack: Stack | null): string {
  if (target.name === 'bundled') return `the bundled stack ${dim(`(started in ${stack?.startupMs} ms)`)}`;
  const gatewayBundled = target.capabilities.has('gateway-checks');
  const asBundled = target.capabilities.has('idp-checks');
  const part = (bundled: boolean, url: string) => (bundled ? `bundled, ${url}` : url);
  return `target ${bold(target.name)} ${dim(`(gateway ${part(gatewayBundled, target.endpoints.gateway)}; authorization server ${part(asBundled, target.endpoints.issuer)}${stack ? `; bundled stack started in ${stack.startupMs} ms` : ''})`)}`;
}

export async function runCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.list) return listCommand([...positionals, ...(values.scenarios ?? []).flatMap((s) => ['--scenarios', s]), ...(values.target ? ['--target', values.target] : [])]);
  const reporters = planReporters(values.reporter ?? [], values.out);
  ensureWritable(reporters);
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency takes an integer 1..64');
  const { selected, unknown } = select(loadScenarios(values.scenarios), positionals);
  if (unknown.length) throw new UsageError(`no scenario or tag named ${unknown.join(', ')} (fapi-sandbox list shows them)`);
  if (!selected.length) throw new UsageError('no scenarios selected');

  const pretty = reporters.some((r) => r.name === 'pretty');
  const log = (line: string) => console.log(line);
  let opened: { target: Target; stack: Stack | null; stop(): Promise<void> };
  if (values.target) opened = await openTarget(values.target);
  else {
    const stack = await startStack({ ui: false, quiet: true, ports: { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0 } });
    opened = { target: bundledTarget(stack), stack, stop: () => stack.stop() };
  }
  const { target, stack } = opened;
  const startupMs = stack?.startupMs ?? null;
  let result: RunResult;
  try {
    if (pretty) log(`${bold('fapi-sandbox')} running ${selected.length} scenario${selected.length === 1 ? '' : 's'} against ${describeTarget(target, stack)}`);
    result = await runScenarios({
      scenarios: selected, target, trigger: 'cli', selection: positionals, concurrency, bail: !!values.bail,
      prisma: stack?.db.prisma ?? null, ...(pretty ? { onEvent: prettyProgress(log) } : {}),
    });
  } finally {
    await opened.stop();
  }
  for (const r of reporters) {
    const text = r.name === 'pretty' ? prettySummary(result, startupMs) : r.name === 'json' ? jsonReport(result, startupMs) : junitReport(result);
    if (r.file) {
      writeFileSync(r.file, text.endsWith('\n') ? text : `${text}\n`);
      if (pretty) log(dim(`${r.name} report written to ${r.file}`));
    } else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  return result.status === 'passed' ? 0 : 1;
}
