'use client';
// The run view: per scenario a sequence diagram with lanes Client, Gateway, Identity provider and API,
// one expandable row per step (a <details>), and a verdict naming the check that refused the request.
import { useEffect, useId, useMemo, useState } from 'react';
import { CHECKS, isCheckId } from '../../lib/checks/catalogue.ts';
import type { RunView, ScenarioView, StepView } from '../../lib/trace/timeline.ts';
import { stepRefusal } from '../../lib/trace/timeline.ts';
import { LANES, planArrow } from '../_lib/lanes.ts';
import { ms, commonName } from '../_lib/format.ts';
import { issuedTokens, type TokenOrigin } from '../_lib/tokens.ts';
import type { ConfigDto } from '../_lib/types.ts';
import { HttpBadge, StatusBadge } from './Badges.tsx';
import { SeqDefs, SequenceLanes } from './SequenceLanes.tsx';
import { GenericEvents, StepDetail } from './StepDetail.tsx';
import { useConfig } from './useConfig.ts';

function noteFor(step: StepView): string | null {
  const minted = step.events.find((e) => e.type === 'certificate.minted');
  if (minted && minted.type === 'certificate.minted') return `mints ${minted.name} (${minted.flaw})`;
  const clock = step.events.find((e) => e.type === 'clock.shifted');
  if (clock && clock.type === 'clock.shifted') return `clock ${clock.offsetSeconds >= 0 ? '+' : ''}${clock.offsetSeconds} s`;
  if (step.status === 'running') return 'working…';
  return step.kind === 'wait' ? 'waits' : step.status === 'skipped' ? 'not run' : null;
}

function StepRow({ step, config, defsId, issued, autoOpen }: { step: StepView; config: ConfigDto | null; defsId: string; issued: Map<string, TokenOrigin>; autoOpen: boolean }) {
  const refusal = stepRefusal(step);
  const [open, setOpen] = useState(false);
  const [touched, setTouched] = useState(false);
  const wantOpen = autoOpen && !!refusal && step.status !== 'running';
  useEffect(() => {
    if (wantOpen && !touched) setOpen(true);
  }, [wantOpen, touched]);
  const arrows = step.exchanges.map((ex) => planArrow(ex, config));
  const cert = step.exchanges[0]?.tls?.clientCertificate;
  const verdictText = step.status === 'passed' ? 'as expected' : step.status === 'failed' ? 'not as expected' : step.status;
  return (
    <details
      className={`step ${step.status}`}
      open={open}
      onToggle={(e) => {
        const now = (e.currentTarget as HTMLDetailsElement).open;
        if (now !== open) {
          setTouched(true);
          setOpen(now);
        }
      }}
      data-step={step.index}
      data-status={step.status}
    >
      <summary>
        <span className="step-num"><span className="chev" aria-hidden="true">▶</span>{step.index + 1}</span>
        <span className="step-label">
          <span className="name">{step.name}</span>
          <span className="sub">
            {step.actor ? <span>as <strong>{step.actor}</strong></span> : null}
            <span className="faint">{step.kind}</span>
            {cert ? <span className="faint">· cert <code>{step.exchanges[0]?.tls?.clientCertificateName ?? commonName(cert.subject)}</code></span> : step.exchanges[0]?.tls ? <span className="faint">· no client cert</span> : null}
            {refusal ? (
              <span className="badge fail" data-refused-by={refusal.check.id}>refused by {refusal.check.id}</span>
            ) : null}
          </span>
        </span>
        <SequenceLanes arrows={arrows} note={noteFor(step)} defsId={defsId} />
        <span className="step-result">
          {step.exchanges.map((ex, i) => (
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
      {open ? <StepDetail step={step} issued={issued} /> : null}
    </details>
  );
}

/** The check that refused the scenario's decisive request, in words. */
function Verdict({ scenario }: { scenario: ScenarioView }) {
  const refused = scenario.steps.map((s) => ({ s, r: stepRefusal(s) })).find((x) => x.r);
  if (!refused?.r) {
    if (scenario.status === 'running' || scenario.status === 'pending') return null;
    return (
      <div className="verdict allowed">
        <span className="badge pass">no request refused</span>
        <span>Every request in this scenario passed the server's checks.</span>
      </div>
    );
  }
  const { s, r } = refused;
  const info = isCheckId(r.check.id) ? CHECKS[r.check.id] : null;
  return (
    <div className="verdict refused" data-verdict={r.check.id}>
      <span className="badge fail">refused</span>
      <div>
        <div>
          Step {s.index + 1}: the {r.decision.source === 'idp' ? 'identity provider' : 'gateway'} refused the request. Failed check:{' '}
          <code><strong>{r.check.id}</strong></code>
          {info ? <> ({info.title}; <a href={info.specUrl} target="_blank" rel="noreferrer">{info.spec}</a>)</> : null}
        </div>
        <div className="why">{r.check.reason}</div>
      </div>
    </div>
  );
}

export function ScenarioTimeline({ scenario, config, collapsible, autoOpen = true }: { scenario: ScenarioView; config: ConfigDto | null; collapsible?: boolean; autoOpen?: boolean }) {
  const defsId = `seq${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
  const issued = useMemo(() => issuedTokens(scenario.steps), [scenario]);
  const body = (
    <>
      <Verdict scenario={scenario} />
      <div className="seq-grid" role="presentation">
        <div className="lanes-head">
          <div>#</div>
          <div>Step</div>
          <div className="lane-names">
            {LANES.map((l) => (
              <span key={l.id}>
                <span className="lane-long">{l.label}</span>
                <span className="lane-short">{l.short}</span>
              </span>
            ))}
          </div>
          <div style={{ textAlign: 'right' }}>Result</div>
        </div>
      </div>
      {scenario.steps.map((step) => (
        <StepRow key={step.id} step={step} config={config} defsId={defsId} issued={issued} autoOpen={autoOpen} />
      ))}
      {!scenario.steps.length ? <p className="muted small" style={{ padding: '1rem' }}>Waiting for the first step…</p> : null}
      {scenario.events.length ? <div style={{ padding: '0.75rem 1.1rem' }}><GenericEvents events={scenario.events} /></div> : null}
    </>
  );
  const refusal = scenario.steps.map(stepRefusal).find(Boolean);
  const head = (
    <>
      {collapsible ? <span className="chev" aria-hidden="true">▶</span> : null}
      <StatusBadge status={scenario.status} />
      <h3>{scenario.title || scenario.scenarioId}</h3>
      <code className="faint small">{scenario.scenarioId}</code>
      {scenario.durationMs !== null ? <span className="faint small">{ms(scenario.durationMs)}</span> : null}
      {collapsible && refusal ? <span className="badge fail" title="the check that refused the decisive request">refused by {refusal.check.id}</span> : null}
      {scenario.reason && scenario.status !== 'passed' ? <span className="small validity-bad">{scenario.reason}</span> : null}
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

export function RunTimeline({ run }: { run: RunView }) {
  const config = useConfig();
  const many = run.scenarios.length > 2;
  return (
    <div className="stack" data-run={run.runId ?? ''}>
      {run.scenarios.map((s) => (
        <ScenarioTimeline key={s.scenarioRunId} scenario={s} config={config} collapsible={many} />
      ))}
      {run.events.length ? <GenericEvents events={run.events} /> : null}
    </div>
  );
}
