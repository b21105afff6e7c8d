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

async function runCheck(check: Check, ctx: GatewayContext): Promise<Verdict> {
  try {
    return await check.run(ctx);
  } catch (err) {
    // A check must not throw on any input; if one does, refuse the request rather than fail open.
    console.error(`gateway: check ${check.id} threw:`, err);
    return { outcome: 'fail', reason: `internal error in ${check.id}: ${(err as Error).message}`, error: { status: 400, error: 'invalid_request' } };
  }
}

export async function runPipeline(ctx: GatewayContext, steps: readonly Step[]): Promise<PipelineOutcome> {
  const results: CheckResult[] = [];
  let binding = ctx.binding;
  const queue = [...steps];
  let failure: PipelineOutcome['failure'] = null;
  while (queue.length) {
    const step = queue.shift()!;
    if ('branch' in step) {
      if (failure) continue; // the token's binding is unknown: the branch's checks are not listed
      const pick = step.pick(ctx);
      binding = pick;
      queue.unshift(...step.steps[pick]);
      continue;
    }
    if (failure) {
      results.push({ id: step.id, outcome: 'skip', reason: `not reached: ${failure.check.id} failed` });
      continue;
    }
    const verdict = await runCheck(step, ctx);
    results.push({ id: step.id, outcome: verdict.outcome, reason: verdict.reason, ...(verdict.inputs ? { inputs: verdict.inputs } : {}) });
    if (verdict.outcome === 'fail') failure = { check: step, reason: verdict.reason, error: verdict.error };
  }
  return { results, failure, binding };
}
