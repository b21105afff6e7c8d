// `npm run mutants [id ...] [--jobs N] [--out FILE] [--no-write]`: the catalogue against every gateway
// mutant (lib/checks/mutants.ts), judged from outside, a child process per mutant, N at a time (default:
// min(2, cores)). Prints check -> the scenarios that kill it, writes docs/mutants.json, and exits 1 when a
// mutant survives that NOT_OBSERVABLE does not list, or a listed one is killed (the list is stale).
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { MUTANT_IDS, NOT_OBSERVABLE, isMutantId } from '../../lib/checks/mutants.ts';
import { ROOT_DIR } from '../config.ts';
import { runAgainstMutant, type CatalogueVerdict } from './run.ts';

export interface MutantReport {
  generatedAt: string;
  checks: { id: string; observable: boolean; reason?: string; killedBy: string[] }[];
}

type ChildResult = { ok: true; verdict: CatalogueVerdict } | { ok: false; error: string };

/** One run in a child process (its own stack, its own event loop: the runs share only the cores). */
function runChild(disabled: string[]): Promise<CatalogueVerdict> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', disabled.join(',')], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let result: ChildResult | null = null;
    child.on('message', (m: ChildResult) => (result = m));
    child.on('exit', (code) => {
      const r = result as ChildResult | null;
      if (r?.ok) resolve(r.verdict);
      else reject(new Error(`mutant ${disabled.join(',') || '(none)'}: ${r?.error ?? `exit ${code}`}\n${stderr.split('\n').filter((l) => !l.includes('MUTANT GATEWAY')).slice(-10).join('\n')}`));
    });
  });
}

async function pool<T, R>(items: readonly T[], jobs: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

export interface MutantRun {
  report: MutantReport;
  baseline: CatalogueVerdict;
  verdicts: Map<string, CatalogueVerdict>;
  /** Survivors NOT_OBSERVABLE does not list, and listed mutants that were killed. */
  unexpected: { survivors: string[]; killedButListed: string[] };
  wallMs: number;
}

/** Runs the baseline and the mutants, `jobs` at a time, each in its own child process. */
export async function runMutants(ids: readonly string[], jobs: number, log: (line: string) => void = () => {}): Promise<MutantRun> {
  const t0 = performance.now();
  const runs = await pool([null, ...ids], jobs, async (id) => {
    const verdict = await runChild(id ? [id] : []);
    log(`  ${(id ?? 'baseline (intact gateway)').padEnd(36)} ${verdict.failed.length} scenario(s) failed from outside  ${(verdict.durationMs / 1000).toFixed(1)} s`);
    return verdict;
  });
  const [baseline, ...rest] = runs as [CatalogueVerdict, ...CatalogueVerdict[]];
  const brokenAnyway = new Set(baseline.failed.map((k) => k.scenario));
  const verdicts = new Map(ids.map((id, i) => [id, rest[i]!]));
  const checks = ids.map((id) => {
    const killedBy = verdicts.get(id)!.failed.map((k) => k.scenario).filter((s) => !brokenAnyway.has(s)).sort();
    const reason = NOT_OBSERVABLE[id];
    return { id, observable: reason === undefined, ...(reason ? { reason } : {}), killedBy };
  });
  return {
    report: { generatedAt: new Date().toISOString(), checks },
    baseline,
    verdicts,
    unexpected: {
      survivors: checks.filter((c) => c.observable && !c.killedBy.length).map((c) => c.id),
      killedButListed: checks.filter((c) => !c.observable && c.killedBy.length).map((c) => c.id),
    },
    wallMs: Math.round(performance.now() - t0),
  };
}

function table(run: MutantRun): string {
  const width = Math.max(...run.report.checks.map((c) => c.id.length));
  return run.report.checks.map((c) => {
    const evidence = run.verdicts.get(c.id)!.failed.find((k) => c.killedBy.includes(k.scenario));
    const verdict = c.killedBy.length ? `killed by ${c.killedBy.join(', ')}${evidence ? `  (${evidence.scenario}: ${evidence.evidence})` : ''}` : c.observable ? 'SURVIVED' : `not observable: ${c.reason}`;
    return `  ${c.id.padEnd(width)}  ${verdict}`;
  }).join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { jobs: { type: 'string', short: 'j' }, out: { type: 'string', short: 'o' }, 'no-write': { type: 'boolean' }, child: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.child !== undefined) {
    const disabled = values.child.split(',').filter(Boolean);
    try {
      process.send!({ ok: true, verdict: await runAgainstMutant({ disabled }) } satisfies ChildResult);
    } catch (err) {
      process.send!({ ok: false, error: (err as Error).stack ?? String(err) } satisfies ChildResult);
    }
    return 0;
  }
  const unknown = positionals.filter((id) => !isMutantId(id));
  if (unknown.length) {
    console.error(`unknown mutant ${unknown.join(', ')}; one of ${MUTANT_IDS.join(', ')}`);
    return 2;
  }
  const ids = positionals.length ? positionals : MUTANT_IDS;
  const jobs = Math.max(1, Number(values.jobs ?? Math.min(2, availableParallelism())));
  console.log(`fapi-sandbox mutants: the catalogue against ${ids.length} mutant gateway(s), judged from outside, ${jobs} at a time`);
  const run = await runMutants(ids, jobs, (line) => console.log(line));
  if (run.baseline.failed.length || run.baseline.other.length) {
    console.log(`\nthe intact gateway already fails (these kill nothing): ${[...run.baseline.failed.map((k) => `${k.scenario} (${k.evidence})`), ...run.baseline.other].join('; ')}`);
  }
  console.log(`\n${table(run)}\n`);
  const killed = run.report.checks.filter((c) => c.killedBy.length).length;
  const observable = run.report.checks.filter((c) => c.observable).length;
  console.log(`mutation score: ${killed} of ${observable} observable mutants killed from outside (${run.report.checks.length - observable} listed as not observable); wall time ${(run.wallMs / 1000).toFixed(1)} s`);
  if (!values['no-write'] && !positionals.length) {
    const out = path.resolve(values.out ?? path.join(ROOT_DIR, 'docs', 'mutants.json'));
    writeFileSync(out, `${JSON.stringify(run.report, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  }
  const { survivors, killedButListed } = run.unexpected;
  if (survivors.length) console.error(`surviving mutants (add a scenario that catches them, or list them in NOT_OBSERVABLE with the reason): ${survivors.join(', ')}`);
  if (killedButListed.length) console.error(`killed but listed as not observable (remove them from NOT_OBSERVABLE): ${killedButListed.join(', ')}`);
  return survivors.length || killedButListed.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then((code) => process.exit(code), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
