'use client';
// The run view: per scenario a sequence diagram with lanes (Browser (PSU) when an authorize step plays
// the customer's browser, Client, Gateway, Identity provider, API), one expandable row per step (a
// <details>), a verdict naming the check that refused the request, what went wrong when the scenario
// failed, and the diagram in words.
import { createElement, useId, useMemo, useState } from 'react';
import { CHECKS, isCheckId } from '../../lib/checks/catalogue.ts';
import type { RunView, ScenarioView, StepView } from '../../lib/trace/timeline.ts';
import { stepRefusal } from '../../lib/trace/timeline.ts';
import { actorName, actorsOf, arrowLines, describeArrows, laneLayout, planArrows, usesBrowser, type LaneLayout } from '../_lib/lanes.ts';
import { scenarioVerdict, stepVerdict, type Verdict } from '../_lib/verdict.ts';
import { useScenarioTags } from './useScenarioTags.ts';
import { goToStep, togglePresentation, usePresentation, type Presentation } from './usePresentation.ts';
import { ms, commonName } from '../_lib/format.ts';
import { issuedTokens, type TokenOrigin } from '../_lib/tokens.ts';
import type { ConfigDto } from '../_lib/types.ts';
import { HttpBadge, StatusBadge } from './Badges.tsx';
import { laneClass, SeqDefs, SequenceLanes } from './SequenceLanes.tsx';
import { GenericEvents, StepDetail } from './StepDetail.tsx';
import { FailureExplanation } from './FailureExplanation.tsx';
import { useConfig } from './useConfig.ts';

function noteFor(step: StepView): string | null {
  const minted = step.events.find((e) => e.type === 'certificate.minted');
  if (minted && minted.type === 'certificate.minted') return `mints ${minted.name} (${minted.flaw})`;
  const clock = step.events.find((e) => e.type === 'clock.shifted');
  if (clock && clock.type === 'clock.shifted') return `clock ${clock.offsetSeconds >= 0 ? '+' : ''}${clock.offsetSeconds} s`;
  if (step.status === 'running') return 'working…';
  return step.kind === 'wait' ? 'waits' : step.status === 'skipped' ? 'not run' : null;
}

interface RowContext {
  config: ConfigDto | null;
  defsId: string;
  issued: Map<string, TokenOrigin>;
  autoOpen: boolean;
  layout: LaneLayout;
  steps: readonly StepView[];
  /** Presentation mode: the step shown is open. */
  presenting: boolean;
}

function StepRow({ step, ctx }: { step: StepView; ctx: RowContext }) {
  const { config, defsId, issued, autoOpen, layout, steps, presenting } = ctx;
  const refusal = stepRefusal(step);
  const verdict = stepVerdict(step);
  // Opens by itself on a refusal or a failure until the reader toggles it; from then on it is theirs.
  const [toggled, setToggled] = useState<boolean | null>(null);
  const open = presenting || (toggled ?? (autoOpen && step.status !== 'running' && (!!refusal || step.status === 'failed' || step.status === 'error')));
  const arrows = planArrows(step, config, steps);
  const browser = step.exchanges.some((ex) => ex.sender === 'browser');
  const cert = step.exchanges[0]?.tls?.clientCertificate;
  const verdictText = step.status === 'passed' ? 'as expected' : step.status === 'failed' ? 'not as expected' : step.status;
  return (
    <details
      className={`step ${step.status}`}
      open={open}
      onToggle={(e) => {
        const now = (e.currentTarget as HTMLDetailsElement).open;
        if (now !== open) setToggled(now);
      }}
      data-step={step.index}
      data-status={step.status}
      id={`step-${step.id}`}
    >
      <summary>
        <span className="step-num"><span className="chev" aria-hidden="true">▶</span>{step.index + 1}</span>
        <span className="step-label">
          <span className="name">{step.name}</span>
          <span className="sub">
            {step.actor ? <span>as <strong>{step.actor}</strong>{browser ? <> and the customer's browser</> : null}</span> : null}
            <span className="faint">{step.kind}</span>
            {cert ? <span className="faint">· cert <code>{step.exchanges[0]?.tls?.clientCertificateName ?? commonName(cert.subject)}</code></span> : step.exchanges[0]?.tls ? <span className="faint">· no client cert</span> : null}
            {verdict.kind === 'blocked' || verdict.kind === 'succeeded' || verdict.kind === 'broke' ? (
              <span className={`badge ${verdict.tone === 'pass' ? 'pass' : 'fail'}`} data-refused-by={refusal?.check.id} data-step-verdict={verdict.kind}><HeadlineText v={verdict} /></span>
            ) : null}
          </span>
        </span>
        <SequenceLanes arrows={arrows} note={noteFor(step)} defsId={defsId} layout={layout} />
        {/* Phones: the same arrows as lines, one per request and answer (CSS shows one or the other). */}
        <span className="seq-lines">
          {arrowLines(arrows, layout, step.actor).map((l, i) => (
            <span key={i} className={`seq-line ${l.tone}`}>
              <span className="who">{l.from} → {l.to}</span> <code className="break">{l.text}</code>
            </span>
          ))}
          {!arrows.length && noteFor(step) ? <span className="seq-line request">{noteFor(step)}</span> : null}
        </span>
        <span className="step-result">
          {step.exchanges.length > 4 ? (
            <span className="badge neutral" title={step.exchanges.map((ex) => ex.http.response?.status ?? 'no response').join(', ')}>{step.exchanges.length} requests</span>
          ) : step.exchanges.map((ex, i) => (
            <HttpBadge key={i} status={ex.http.response?.status ?? null} />
          ))}
          {step.status === 'running' ? <StatusBadge status="running" /> : (
            <span className={`badge ${step.status}`} title="Did the step go the way the scenario expects?">
              {step.status === 'passed' ? '✓ ' : step.status === 'failed' || step.status === 'error' ? '✗ ' : ''}{verdictText}
            </span>
          )}
          {step.durationMs !== null ? <span className="faint small">{ms(step.durationMs)}</span> : null}
        </span>
      </summary>
      {open ? <StepDetail step={step} steps={steps} issued={issued} /> : null}
    </details>
  );
}

/** A headline with its check id set as code. */
function HeadlineText({ v }: { v: Verdict }) {
  if (!v.checkId || !v.headline.includes(v.checkId)) return <>{v.headline}</>;
  const [before, after] = [v.headline.slice(0, v.headline.indexOf(v.checkId)), v.headline.slice(v.headline.indexOf(v.checkId) + v.checkId.length)];
  return <>{before}<code>{v.checkId}</code>{after}</>;
}

/** The scenario's verdict in plain words from its intent: the attack blocked (by which check) or not, the happy path working or not. */
function Headline({ scenario, tags }: { scenario: ScenarioView; tags: readonly string[] | null }) {
  const v = scenarioVerdict(scenario, tags);
  if (!v || v.kind === 'skipped') return null;
  const step = v.step !== null ? scenario.steps[v.step] ?? null : null;
  const refusal = step ? stepRefusal(step) : null;
  const info = v.checkId && isCheckId(v.checkId) ? CHECKS[v.checkId] : null;
  // A failed scenario's explanation says it already.
  const failed = scenario.status === 'failed' || scenario.status === 'error';
  const unobservable = !failed && scenario.steps.some((s) => s.exchanges.some((ex) => ex.unobservable));
  const who = step?.actor ? `${actorName(step.actor)}'s` : 'the';
  return (
    <div className={`verdict ${v.tone}`} data-verdict={v.checkId ?? v.kind} data-verdict-kind={v.kind}>
      <span className="verdict-mark" aria-hidden="true">{v.tone === 'pass' ? '✓' : v.tone === 'fail' ? '✗' : '…'}</span>
      <div>
        <p className="verdict-headline"><HeadlineText v={v} /></p>
        {step && refusal ? (
          <p className="why">
            Step {step.index + 1}: the {refusal.decision.source === 'idp' ? 'identity provider' : 'gateway'} refused {who} request
            {info ? <> (it requires: {info.title}; <a href={info.specUrl} target="_blank" rel="noreferrer">{info.spec}</a>)</> : null}.
          </p>
        ) : step ? <p className="why">Step {step.index + 1}: {step.name}.</p> : null}
        {unobservable ? <p className="why" data-verdict-note="unobservable">This target&apos;s servers are not the sandbox&apos;s own: their checks cannot be seen, so each step is judged on what the client saw.</p> : null}
      </div>
    </div>
  );
}

/** The diagram in words, step by step (its text alternative). */
function DiagramInWords({ scenario, config, layout }: { scenario: ScenarioView; config: ConfigDto | null; layout: LaneLayout }) {
  const rows = scenario.steps.map((step) => ({ step, lines: describeArrows(planArrows(step, config, scenario.steps), layout) })).filter((r) => r.lines.length);
  if (!rows.length) return null;
  return (
    <details className="disclosure seq-text">
      <summary>The sequence diagram in words</summary>
      <ol>
        {rows.map(({ step, lines }) => (
          <li key={step.id}>
            <strong>Step {step.index + 1}: {step.name}</strong>
            <ul>{lines.map((l, i) => <li key={i}><code className="break">{l}</code></li>)}</ul>
          </li>
        ))}
      </ol>
    </details>
  );
}

export interface StoredFailure {
  explanation?: string;
  step?: number;
}

/** The Present button; in presentation mode, which step is shown, ← / → and the way out. */
export function PresentBar({ present, steps }: { present: Presentation; steps: number }) {
  const at = Math.min(present.step, Math.max(0, steps - 1));
  return (
    <div className="present-bar" data-presenting={present.on ? 'on' : 'off'}>
      <button type="button" className="btn small" aria-pressed={present.on} onClick={togglePresentation} title="Presentation mode: larger type, one step at a time (key p)">
        {present.on ? 'Exit presentation (Esc)' : 'Present (p)'}
      </button>
      {present.on && steps ? (
        <span className="row" role="group" aria-label="Steps">
          <button type="button" className="btn small" onClick={() => goToStep(at - 1)} disabled={at === 0} aria-label="Previous step">←</button>
          <span aria-live="polite" data-present-step={at}>Step {at + 1} of {steps}</span>
          <button type="button" className="btn small" onClick={() => goToStep(at + 1)} disabled={at >= steps - 1} aria-label="Next step">→</button>
        </span>
      ) : null}
    </div>
  );
}

export function ScenarioTimeline({ scenario, config, collapsible, autoOpen = true, level = 3, stored, target, showDuration = true, present }: {
  scenario: ScenarioView;
  config: ConfigDto | null;
  collapsible?: boolean;
  autoOpen?: boolean;
  /** Heading level of the scenario's title (the page's outline). */
  level?: 2 | 3 | 4;
  /** The failure as the database stored it (runs recorded before the trace carried the explanation). */
  stored?: StoredFailure | null;
  /** The run's target name (an external target's checks are not observable). */
  target?: string | null;
  /** Whether the head shows the scenario's duration (not when the page shows the run's, for a run of one). */
  showDuration?: boolean;
  /** Presentation mode: only the step it names, open. */
  present?: Presentation;
}) {
  const defsId = `seq${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
  const tags = useScenarioTags()?.get(scenario.scenarioId) ?? null;
  const issued = useMemo(() => issuedTokens(scenario.steps), [scenario]);
  const layout = useMemo(() => laneLayout(usesBrowser(scenario), actorsOf(scenario)), [scenario]);
  const presenting = present?.on ?? false;
  const ctx: RowContext = { config, defsId, issued, autoOpen, layout, steps: scenario.steps, presenting };
  const shownIndex = Math.min(present?.step ?? 0, scenario.steps.length - 1);
  const shown = presenting ? scenario.steps.filter((s) => s.index === shownIndex) : scenario.steps;
  const failed = scenario.status === 'failed' || scenario.status === 'error';
  const explanation = scenario.explanation ?? stored?.explanation ?? null;
  const body = (
    <>
      <Headline scenario={scenario} tags={tags} />
      {failed ? <FailureExplanation scenario={scenario} explanation={explanation} target={target ?? null} /> : null}
      <div className="seq-grid" role="presentation">
        <div className="lanes-head">
          <div>#</div>
          <div>Step</div>
          <div className="lane-names" style={{ gridTemplateColumns: `repeat(${layout.lanes.length}, 1fr)` }}>
            {layout.lanes.map((l) => (
              <span key={l.id} className={laneClass(l.id)} data-lane={l.id}>
                <span className="lane-long">{l.label}</span>
                <span className="lane-short">{l.short}</span>
              </span>
            ))}
          </div>
          <div style={{ textAlign: 'right' }}>Result</div>
        </div>
      </div>
      {shown.map((step) => (
        <StepRow key={step.id} step={step} ctx={ctx} />
      ))}
      {!scenario.steps.length ? <p className="muted small" style={{ padding: '1rem' }}>Waiting for the first step…</p> : null}
      {scenario.events.length ? <div style={{ padding: '0.75rem 1.1rem' }}><GenericEvents events={scenario.events} /></div> : null}
      <DiagramInWords scenario={scenario} config={config} layout={layout} />
    </>
  );
  const verdict = scenarioVerdict(scenario, tags);
  const head = (
    <>
      {collapsible ? <span className="chev" aria-hidden="true">▶</span> : null}
      <StatusBadge status={scenario.status} />
      {createElement(`h${level}`, { className: 'timeline-title' }, scenario.title || scenario.scenarioId)}
      <code className="muted small">{scenario.scenarioId}</code>
      {showDuration && scenario.durationMs !== null ? <span className="muted small">{ms(scenario.durationMs)}</span> : null}
      {collapsible && verdict && verdict.kind !== 'running' && verdict.kind !== 'skipped' ? <span className={`badge ${verdict.tone === 'pass' ? 'pass' : 'fail'}`}><HeadlineText v={verdict} /></span> : null}
      {scenario.reason && scenario.status === 'skipped' ? <span className="small muted">not run: {scenario.reason}</span> : null}
      {/* Collapsed, the head is all one sees of a failure; open, the explanation below says it. */}
      {scenario.reason && collapsible && (scenario.status === 'failed' || scenario.status === 'error') ? <span className="small validity-bad">{scenario.reason}</span> : null}
    </>
  );
  return (
    <section className="timeline" data-scenario={scenario.scenarioId} data-status={scenario.status} aria-label={`Timeline: ${scenario.title}`}>
      <SeqDefs id={defsId} />
      {collapsible ? (
        <details open={scenario.status !== 'passed'}>
          <summary className="timeline-head">{head}</summary>
          {body}
        </details>
      ) : (
        <>
          <div className="timeline-head">{head}</div>
          {body}
        </>
      )}
    </section>
  );
}

export function RunTimeline({ run, level = 3, stored, oneDuration }: {
  run: RunView;
  level?: 2 | 3 | 4;
  stored?: Map<string, StoredFailure | null>;
  /** The page shows the run's duration: a run of one scenario does not show the scenario's too. */
  oneDuration?: boolean;
}) {
  const config = useConfig();
  const many = run.scenarios.length > 2;
  const steps = Math.max(0, ...run.scenarios.map((s) => s.steps.length));
  const present = usePresentation(steps);
  return (
    <div className="stack" data-run={run.runId ?? ''}>
      {run.scenarios.length ? <PresentBar present={present} steps={steps} /> : null}
      {run.scenarios.map((s) => (
        <ScenarioTimeline key={s.scenarioRunId} scenario={s} config={config} collapsible={many} level={level} stored={stored?.get(s.scenarioRunId) ?? null} target={run.target} showDuration={!(oneDuration && run.scenarios.length === 1)} present={present} />
      ))}
      {run.events.length ? <GenericEvents events={run.events} /> : null}
    </div>
  );
}
