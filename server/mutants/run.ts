// Runs the catalogue against a mutant gateway (FAPI_GATEWAY_DISABLE_CHECK) judged from outside: the
// bundled stack with one mutant, seen as an external gateway (its decisions hidden, as for yours), and
// which scenarios fail on what a client observes (status, error, WWW-Authenticate, headers, body, the
// handshake). A scenario that fails against the intact gateway kills nothing (the baseline run).
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ExpectationResult } from '../../lib/trace/events.ts';
import { startStack } from '../stack.ts';
import { ROOT_DIR } from '../config.ts';
import { loadCatalogue, type LoadedScenario } from '../engine/catalogue.ts';
import { runScenarios } from '../engine/runner.ts';
import { bundledTarget, type Target } from '../engine/target.ts';
import type { Stack } from '../stack-types.ts';

/** Expectations on what our gateway says in words (error_description) or records (checks:) are not evidence from outside. */
export function observableEvidence(e: ExpectationResult): boolean {
  return !e.unobservable && !e.path.startsWith('check ') && !e.path.startsWith('error_description');
}

/** The bundled stack as an external gateway would be seen: the gateway's decisions hidden. */
export function outsideView(stack: Stack): Target {
  const target = bundledTarget(stack);
  return { ...target, name: 'bundled gateway, judged from outside', capabilities: new Set([...target.capabilities].filter((c) => c !== 'gateway-checks')) };
}

export interface Kill {
  scenario: string;
  step: string;
  /** The first observable expectation that failed, e.g. "status: expected 401, got 200". */
  evidence: string;
}

export interface CatalogueVerdict {
  /** Scenarios that failed on an observable expectation, with the first such expectation. */
  failed: Kill[];
  /** Scenarios that failed otherwise (an engine error, or only on unobservable evidence). */
  other: string[];
  durationMs: number;
}

const short = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s && s.length > 80 ? `${s.slice(0, 80)}…` : s;
};

export interface RunOptions {
  /** Mutant ids to disable (none: the intact gateway, the baseline). */
  disabled: readonly string[];
  scenarios?: LoadedScenario[];
  certsDir?: string;
  concurrency?: number;
}

export function catalogueScenarios(): LoadedScenario[] {
  const catalogue = loadCatalogue([path.join(ROOT_DIR, 'scenarios')]);
  if (catalogue.errors.length) throw new Error(`scenario files have errors: ${catalogue.errors.map((e) => `${e.file}: ${e.message}`).join('; ')}`);
  return catalogue.scenarios;
}

/** Starts a stack with the mutant, runs the scenarios against its outside view, stops it. */
export async function runAgainstMutant(opts: RunOptions): Promise<CatalogueVerdict> {
  const t0 = performance.now();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fapi-mutant-'));
  const stack = await startStack({
    ui: false, quiet: true, dataDir, ...(opts.certsDir ? { certsDir: opts.certsDir } : {}),
    ports: { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0 },
    gateway: { disabledChecks: [...opts.disabled] },
  });
  try {
    const result = await runScenarios({
      scenarios: opts.scenarios ?? catalogueScenarios(), target: outsideView(stack), trigger: 'test', concurrency: opts.concurrency ?? 4, prisma: null,
    });
    const failed: Kill[] = [];
    const other: string[] = [];
    for (const s of result.scenarios) {
      if (s.status === 'passed' || s.status === 'skipped') continue;
      const hit = s.steps.flatMap((st) => st.expectations.filter((e) => !e.pass && observableEvidence(e)).map((e) => ({ st, e })))[0];
      if (hit) failed.push({ scenario: s.scenarioId, step: hit.st.name, evidence: `${hit.e.path}: expected ${short(hit.e.expected)}, got ${short(hit.e.actual)}` });
      else other.push(`${s.scenarioId}: ${s.reason ?? s.status}`);
    }
    return { failed, other, durationMs: Math.round(performance.now() - t0) };
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
