// What went wrong in a failed scenario, for the engineer who has to fix it: the explanation the engine
// wrote (server/engine/explain.ts: what was expected and why, what came back, what it means, the fix),
// a link to the step, and for an external target why the server's own checks cannot be shown.
import type { ScenarioView } from '../../lib/trace/timeline.ts';
import { explanationParts } from '../_lib/explain.ts';

export function FailureExplanation({ scenario, explanation, target }: { scenario: ScenarioView; explanation: string | null; target: string | null }) {
  const failedStep = scenario.steps.find((s) => s.status === 'failed' || s.status === 'error') ?? null;
  const parts = explanation ? explanationParts(explanation, scenario.title) : null;
  const stepIndex = parts?.step !== null && parts?.step !== undefined ? parts.step - 1 : failedStep?.index ?? null;
  const step = scenario.steps.find((s) => s.index === stepIndex) ?? failedStep;
  const external = !!target && target !== 'bundled';
  const unobservable = scenario.steps.some((s) => s.exchanges.some((ex) => ex.unobservable));
  return (
    <div className="failure" role="group" aria-label="What went wrong" data-failure-explanation="">
      <div className="failure-head">
        <span className="badge fail"><span aria-hidden="true">✗</span> {scenario.status === 'error' ? 'could not run' : 'failed'}</span>
        <strong>What went wrong</strong>
        {step ? (
          <a href={`#step-${step.id}`} className="small">
            step {step.index + 1}: {step.name}
          </a>
        ) : null}
      </div>
      {parts ? (
        <>
          <p className="failure-what" data-failure-what="">{parts.what}</p>
          {parts.fix ? (
            <p className="failure-fix" data-failure-fix=""><strong>How to fix it:</strong> {parts.fix}</p>
          ) : null}
        </>
      ) : (
        <p className="failure-what">{scenario.reason ?? 'The scenario did not go the way it expects.'}</p>
      )}
      {external && unobservable ? (
        <p className="failure-note small">
          Run against <strong>{target}</strong>: its servers are not the sandbox's own, so their internal checks are <em>not observable</em>. This
          verdict comes from what a client sees (status, <code>WWW-Authenticate</code>, body); the scenario's check expectations are listed as not
          observable in the step.
        </p>
      ) : null}
    </div>
  );
}
