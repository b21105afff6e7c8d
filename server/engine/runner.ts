// Runs scenarios against a target: a pool of scenarios in parallel, steps in order within each,
// every event into the run's trace. A scenario passes when every step meets its expectations (an
// attack scenario passes when the attack is blocked the way it expects).
import { randomBytes } from 'node:crypto';
import type { Scenario, Step } from '../../lib/scenario/schema.ts';
import { stepKind } from '../../lib/scenario/schema.ts';
import { CHECKS, type CheckId, isCheckId } from '../../lib/checks/catalogue.ts';
import type { ExpectationResult, RunStatus, ScenarioStatus, StepStatus, TraceEvent } from '../../lib/trace/events.ts';
import type { PrismaClient } from '../db/client.ts';
import type { Target } from './target.ts';
import { RunRecorder, liveRuns, type TraceListener } from './trace.ts';
import { ScenarioState } from './state.ts';
import { EngineError } from './errors.ts';
import { evaluate, defaultExpectation } from './expectations.ts';
import { stepUnmet, unmet } from './requirements.ts';
import { explainFailure } from './explain.ts';
import { tokenStep } from './steps/token.ts';
import { callStep } from './steps/call.ts';
import { authorizeStep } from './steps/authorize.ts';
import { registerStep } from './steps/register.ts';
import { revokeStep } from './steps/revoke.ts';
import { requestStep } from './steps/request.ts';
import { mintStep } from './steps/mint.ts';
import type { Observation } from './steps/exchange.ts';

export interface FailedCheck {
  id: CheckId;
  title: string;
  spec: string;
  specUrl: string;
  reason: string;
  source: 'gateway' | 'idp';
}

export interface StepResult {
  index: number;
  name: string;
  kind: string;
  status: StepStatus;
  durationMs: number;
  expectations: ExpectationResult[];
  /** The first check the server failed on this step, if any. */
  failedCheck: FailedCheck | null;
  error: { code: string; message: string } | null;
  httpStatus: number | null;
}

export interface ScenarioFailure {
  step: number;
  stepName: string;
  /** Short: "expected status 401, got 200". */
  message: string;
  /** For a gateway engineer: what was expected and why (RFC section), what came back, what it means, the fix (explain.ts). */
  explanation: string;
  expectation: ExpectationResult | null;
  failedCheck: FailedCheck | null;
}

export interface ScenarioResult {
  scenarioRunId: string;
  scenarioId: string;
  title: string;
  file?: string;
  status: ScenarioStatus;
  durationMs: number;
  reason?: string;
  steps: StepResult[];
  failure: ScenarioFailure | null;
}

export interface RunResult {
  runId: string;
  target: string;
  status: RunStatus;
  durationMs: number;
  counts: Record<ScenarioStatus, number>;
  scenarios: ScenarioResult[];
}

export interface RunRequest {
  scenarios: { scenario: Scenario; file?: string }[];
  target: Target;
  trigger: 'cli' | 'ui' | 'api' | 'test';
  selection?: string[];
  concurrency?: number;
  bail?: boolean;
  prisma?: PrismaClient | null;
  onEvent?: TraceListener;
  /** Called with the run id as soon as the run exists (before any scenario starts). */
  onStart?: (runId: string) => void;
  /** Waited for after the run is announced and before its first scenario (the control API's run queue). */
  turn?: Promise<unknown>;
}

const id = (prefix: string) => `${prefix}${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;

function failedCheckOf(observation: Observation | null): FailedCheck | null {
  for (const decision of observation?.decisions ?? []) {
    const failed = decision.checks.find((c) => c.outcome === 'fail');
    if (failed && isCheckId(failed.id)) {
      const info = CHECKS[failed.id];
      return { id: failed.id, title: info.title, spec: info.spec, specUrl: info.specUrl, reason: failed.reason, source: decision.source };
    }
  }
  return null;
}

async function executeStep(step: Step, state: ScenarioState): Promise<Observation | null> {
  if ('token' in step) return tokenStep(step.token, state);
  if ('call' in step) return callStep(step.call, state);
  if ('authorize' in step) return authorizeStep(step.authorize, state);
  if ('register' in step) return registerStep(step.register, state);
  if ('revoke' in step) return revokeStep(step.revoke, state);
  if ('request' in step) return requestStep(step.request, state);
  if ('mint' in step) {
    await mintStep(step.mint, state);
    return null;
  }
  if ('clock' in step) {
    state.clockOffset += step.clock.shift;
    state.emit({ type: 'clock.shifted', offsetSeconds: state.clockOffset });
    return null;
  }
  await new Promise((r) => setTimeout(r, step.wait.seconds * 1000));
  return null;
}

function actorOf(step: Step): string | undefined {
  if ('token' in step) return step.token.actor;
  if ('call' in step) return step.call.actor;
  if ('authorize' in step) return step.authorize.actor;
  if ('register' in step) return step.register.actor;
  if ('revoke' in step) return step.revoke.actor;
  if ('request' in step) return step.request.actor;
  return undefined;
}

async function runScenario(
  entry: { scenario: Scenario; file?: string },
  scenarioRunId: string,
  target: Target,
  recorder: RunRecorder,
): Promise<ScenarioResult> {
  const { scenario } = entry;
  const t0 = performance.now();
  const scope = { scenarioRunId, stepId: null as string | null };
  const emit = (body: Parameters<RunRecorder['emit']>[0]) => recorder.emit(body, { ...scope });
  emit({ type: 'scenario.started', scenarioId: scenario.id, title: scenario.title });
  void recorder.scenarioStarted(scenarioRunId);
  const result: ScenarioResult = {
    scenarioRunId, scenarioId: scenario.id, title: scenario.title, ...(entry.file ? { file: entry.file } : {}),
    status: 'passed', durationMs: 0, steps: [], failure: null,
  };
  const missing = unmet(target, scenario);
  const state = new ScenarioState(scenario, target, emit);
  let stopped: string | null = missing.length ? `the target lacks ${missing.join(', ')}` : null;
  if (stopped) result.status = 'skipped';

  for (const [index, step] of scenario.steps.entries()) {
    const kind = stepKind(step) ?? 'wait';
    const stepId = `${scenarioRunId}-${index}`;
    scope.stepId = stepId;
    const actor = actorOf(step);
    emit({ type: 'step.started', index, name: step.name, kind, ...(actor ? { actor } : {}) });
    const s0 = performance.now();
    const stepResult: StepResult = { index, name: step.name, kind, status: 'passed', durationMs: 0, expectations: [], failedCheck: null, error: null, httpStatus: null };
    const lacking = stopped ? [] : stepUnmet(target, step);
    if (stopped) {
      stepResult.status = 'skipped';
    } else if (lacking.length) {
      stepResult.status = 'skipped';
      emit({ type: 'log', level: 'info', message: `step ${index + 1} skipped: the target lacks ${lacking.join(', ')}` });
    } else {
      try {
        const observation = await executeStep(step, state);
        stepResult.httpStatus = observation?.exchange?.response?.status ?? null;
        stepResult.failedCheck = failedCheckOf(observation);
        if (observation) {
          stepResult.expectations = evaluate(step.expect ?? defaultExpectation(kind), observation, state);
          for (const r of stepResult.expectations) emit({ type: 'expectation.result', result: r });
        }
        const failed = stepResult.expectations.find((r) => !r.pass);
        if (failed) {
          stepResult.status = 'failed';
          const party = 'call' in step ? 'gateway' : 'token' in step || 'register' in step || 'authorize' in step || 'revoke' in step || 'request' in step ? 'idp' : null;
          result.failure = {
            step: index, stepName: step.name, expectation: failed, failedCheck: stepResult.failedCheck,
            message: `expected ${failed.path} ${JSON.stringify(failed.expected)}, got ${JSON.stringify(failed.actual)}`,
            explanation: explainFailure(scenario, { index, name: step.name, expect: step.expect ?? defaultExpectation(kind), party }, failed, observation),
          };
        }
      } catch (err) {
        const code = err instanceof EngineError ? err.code : 'internal';
        stepResult.status = 'error';
        stepResult.error = { code, message: (err as Error).message };
        emit({ type: 'log', level: 'error', message: `${code}: ${(err as Error).message}` });
        if (code === 'internal') console.error(err);
        const message = `${code}: ${(err as Error).message}`;
        result.failure = { step: index, stepName: step.name, expectation: null, failedCheck: null, message, explanation: `${scenario.title}: step ${index + 1} "${step.name}" could not run: ${message}` };
      }
      if (stepResult.status !== 'passed') {
        result.status = stepResult.status === 'error' ? 'error' : 'failed';
        stopped = `step ${index + 1} ${stepResult.status}`;
      }
    }
    stepResult.durationMs = performance.now() - s0;
    const skippedBecause = stopped ?? (lacking.length ? `the target lacks ${lacking.join(', ')}` : null);
    emit({ type: 'step.finished', index, status: stepResult.status, durationMs: stepResult.durationMs, ...(stepResult.status === 'skipped' && skippedBecause ? { reason: skippedBecause } : {}) });
    await recorder.stepFinished({ id: stepId, scenarioRunId, position: index, name: step.name, kind, status: stepResult.status, durationMs: stepResult.durationMs });
    result.steps.push(stepResult);
  }
  scope.stepId = null;
  result.durationMs = performance.now() - t0;
  if (result.status === 'skipped' && stopped) result.reason = stopped;
  else if (result.failure) result.reason = result.failure.message;
  emit({
    type: 'scenario.finished', scenarioId: scenario.id, status: result.status, durationMs: result.durationMs,
    ...(result.reason ? { reason: result.reason } : {}), ...(result.failure ? { explanation: result.failure.explanation } : {}),
  });
  await recorder.scenarioFinished(scenarioRunId, result.status, result.durationMs, result.failure);
  return result;
}

/** Runs scenarios and resolves with the results once all are done (and stored). */
/** Seconds a scenario spends in its wait steps. */
function waitSeconds(scenario: Scenario): number {
  return scenario.steps.reduce((sum, step) => sum + ('wait' in step ? step.wait.seconds : 0), 0);
}

export async function runScenarios(req: RunRequest): Promise<RunResult> {
  const t0 = performance.now();
  const runId = id('run_');
  const recorder = new RunRecorder(runId, req.prisma ?? null);
  if (req.onEvent) recorder.subscribe(req.onEvent);
  liveRuns.set(runId, recorder);
  const planned = req.scenarios.map((entry, position) => ({ entry, position, scenarioRunId: `${runId}-${position}` }));
  await recorder.createRun({
    trigger: req.trigger, target: req.target.name, selection: req.selection ?? [],
    scenarios: planned.map((p) => ({ id: p.scenarioRunId, scenarioId: p.entry.scenario.id, title: p.entry.scenario.title, position: p.position })),
  });
  req.onStart?.(runId);
  recorder.emit({ type: 'run.started', target: req.target.name, scenarios: planned.map((p) => ({ id: p.entry.scenario.id, title: p.entry.scenario.title, scenarioRunId: p.scenarioRunId })) });

  if (req.turn) await req.turn;
  const results: ScenarioResult[] = new Array(planned.length);
  // Scenarios that sleep (wait steps: a cache or a code running out) start first, longest first, so their
  // idle seconds overlap the others' work instead of trailing the run; results keep the catalogue's order.
  const order = [...planned].sort((a, b) => waitSeconds(b.entry.scenario) - waitSeconds(a.entry.scenario));
  let next = 0;
  let bailed = false;
  const worker = async () => {
    while (next < order.length) {
      const p = order[next++]!;
      if (bailed) {
        const reason = 'not run: --bail after a failure';
        results[p.position] = { scenarioRunId: p.scenarioRunId, scenarioId: p.entry.scenario.id, title: p.entry.scenario.title, status: 'skipped', durationMs: 0, reason, steps: [], failure: null };
        // Every scenario announced by run.started gets its scenario.finished, so views never wait on it.
        recorder.emit({ type: 'scenario.finished', scenarioId: p.entry.scenario.id, status: 'skipped', durationMs: 0, reason }, { scenarioRunId: p.scenarioRunId, stepId: null });
        await recorder.scenarioFinished(p.scenarioRunId, 'skipped', 0, null);
        continue;
      }
      results[p.position] = await runScenario(p.entry, p.scenarioRunId, req.target, recorder);
      if (req.bail && (results[p.position]!.status === 'failed' || results[p.position]!.status === 'error')) bailed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(req.concurrency ?? 4, planned.length)) }, worker));

  const counts: Record<ScenarioStatus, number> = { passed: 0, failed: 0, error: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  const status: RunStatus = counts.error ? 'error' : counts.failed ? 'failed' : 'passed';
  const durationMs = performance.now() - t0;
  recorder.emit({ type: 'run.finished', status, durationMs, counts });
  await recorder.runFinished(status, counts);
  setTimeout(() => liveRuns.delete(runId), 60_000).unref();
  return { runId, target: req.target.name, status, durationMs, counts, scenarios: results };
}

export type { TraceEvent };
