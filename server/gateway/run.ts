// Runs a pipeline in order and stops at the first failure; checks after it are recorded as
// "not reached" so the trace always shows the whole table.
import type { CheckResult } from '../../lib/checks/catalogue.ts';
import type { Binding } from '../../lib/trace/decision.ts';
import type { Check, GatewayContext, ProtocolError, Verdict } from './context.ts';
import type { Step } from './pipeline.ts';

export interface PipelineOutcome {
  results: CheckResult[];
  failure: { check: Check; reason: string; error: ProtocolError } | null;
  /** The binding actually enforced (an `either` route resolves to mtls or dpop). */
  binding: Binding;
}

/** A check that throws is refused rather than failed open (a check must not throw on any input). */
function thrown(check: Check, err: unknown): Verdict {
  console.error(`gateway: check ${check.id} threw:`, err);
  return { outcome: 'fail', reason: `internal error in ${check.id}: ${(err as Error).message}`, error: { status: 400, error: 'invalid_request' } };
}

/** Runs one check; synchronous checks stay synchronous (no promise, no microtask per check). */
function runCheck(check: Check, ctx: GatewayContext): Verdict | Promise<Verdict> {
  try {
    const verdict = check.run(ctx);
    return verdict instanceof Promise ? verdict.catch((err: unknown) => thrown(check, err)) : verdict;
  } catch (err) {
    return thrown(check, err);
  }
}

export async function runPipeline(ctx: GatewayContext, steps: readonly Step[]): Promise<PipelineOutcome> {
  const results: CheckResult[] = [];
  let binding = ctx.binding;
  let failure: PipelineOutcome['failure'] = null;
  const run = async (list: readonly Step[]): Promise<void> => {
    for (const step of list) {
      if ('branch' in step) {
        if (failure) continue; // the token's binding is unknown: the branch's checks are not listed
        const pick = step.pick(ctx);
        binding = pick;
        await run(step.steps[pick]);
        continue;
      }
      if (failure) {
        results.push({ id: step.id, outcome: 'skip', reason: `not reached: ${failure.check.id} failed` });
        continue;
      }
      const pending = runCheck(step, ctx);
      const verdict = pending instanceof Promise ? await pending : pending;
      results.push(verdict.inputs
        ? { id: step.id, outcome: verdict.outcome, reason: verdict.reason, inputs: verdict.inputs }
        : { id: step.id, outcome: verdict.outcome, reason: verdict.reason });
      if (verdict.outcome === 'fail') failure = { check: step, reason: verdict.reason, error: verdict.error };
    }
  };
  await run(steps);
  return { results, failure, binding };
}
