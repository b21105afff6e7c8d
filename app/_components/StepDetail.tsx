// What one step opens into: per HTTP exchange the token, DPoP, TLS, checks and raw HTTP cards; then
// the scenario's expectations; then any other event (minted certificates, log lines, and event
// types this page does not know yet), rendered generically.
import type { ExchangeView, StepView } from '../../lib/trace/timeline.ts';
import { STRUCTURAL_TYPES } from '../../lib/trace/timeline.ts';
import type { TraceEvent } from '../../lib/trace/events.ts';
import type { TokenOrigin } from '../_lib/tokens.ts';
import { HttpBadge, OutcomeBadge } from './Badges.tsx';
import { CertView } from './Cert.tsx';
import { JsonView, Truncated } from './Code.tsx';
import { TokenCard } from './cards/TokenCard.tsx';
import { DpopCard } from './cards/DpopCard.tsx';
import { TlsCard } from './cards/TlsCard.tsx';
import { ChecksCard } from './cards/ChecksCard.tsx';
import { HttpCard } from './cards/HttpCard.tsx';

export function ExchangeDetail({ ex, issued }: { ex: ExchangeView; issued: Map<string, TokenOrigin> }) {
  return (
    <div className="exchange" data-exchange={ex.http.interactionId ?? ''}>
      <div className="exchange-head">
        <strong>{ex.http.request.method}</strong>
        <code className="break">{ex.http.request.url}</code>
        <HttpBadge status={ex.http.response?.status ?? null} />
        {ex.http.interactionId ? <span className="faint small">x-fapi-interaction-id <code>{ex.http.interactionId}</code></span> : null}
      </div>
      <div className="stack">
        <TokenCard ex={ex} issued={issued} />
        <DpopCard ex={ex} />
        <div className="cards">
          <TlsCard ex={ex} />
          <div className="stack">
            <ChecksCard decisions={ex.decisions} unobservable={ex.unobservable} />
          </div>
        </div>
        <HttpCard ex={ex} />
      </div>
    </div>
  );
}

function GenericEvent({ e }: { e: TraceEvent }) {
  switch (e.type) {
    case 'certificate.minted':
      return (
        <div>
          <p className="small">Minted certificate <code>{e.name}</code> with flaw <span className="badge warn">{e.flaw}</span></p>
          <CertView cert={e.certificate} name={e.name} at={e.at} />
        </div>
      );
    case 'clock.shifted':
      return <span>The engine's clock now runs {e.offsetSeconds} s {e.offsetSeconds >= 0 ? 'ahead' : 'behind'} (proofs and assertions are dated with it).</span>;
    case 'log':
      return <span className={e.level === 'error' ? 'validity-bad' : undefined}>{e.level === 'info' ? '' : `${e.level}: `}{e.message}</span>;
    case 'variable.captured':
      return <span>Saved <code>{e.name}</code> = <code><Truncated value={e.preview} max={40} /></code></span>;
    default: {
      const { runId: _r, seq: _s, at: _a, scenarioRunId: _sc, stepId: _st, type, ...rest } = e as TraceEvent & Record<string, unknown>;
      // Events that carry a label (the browser steps of an authorize step) say what happened in it.
      const label = typeof rest.label === 'string' ? rest.label : null;
      return (
        <details className="disclosure">
          <summary><code>{type}</code>{label ? <span> {label}</span> : null}</summary>
          <JsonView value={rest} label={type} />
        </details>
      );
    }
  }
}

export function GenericEvents({ events }: { events: TraceEvent[] }) {
  const shown = events.filter((e) => !STRUCTURAL_TYPES.has(e.type));
  if (!shown.length) return null;
  return (
    <ul className="generic-events" aria-label="Other events">
      {shown.map((e) => (
        <li key={e.seq} data-event-type={e.type}><GenericEvent e={e} /></li>
      ))}
    </ul>
  );
}

export function StepDetail({ step, issued }: { step: StepView; issued: Map<string, TokenOrigin> }) {
  return (
    <div className="step-body">
      {step.exchanges.map((ex, i) => (
        <ExchangeDetail key={i} ex={ex} issued={issued} />
      ))}
      <div className="grid-2" style={{ marginTop: step.exchanges.length ? '1rem' : 0 }}>
        {step.expectations.length ? (
          <section className="card tight flat" aria-label="Expectations">
            <h4>What the scenario expected</h4>
            <ul className="expectations">
              {step.expectations.map((r, i) => (
                <li key={i} data-expectation={r.path}>
                  <OutcomeBadge outcome={r.unobservable ? 'skip' : r.pass ? 'pass' : 'fail'}>{r.unobservable ? 'not observable' : r.pass ? 'met' : 'not met'}</OutcomeBadge>
                  <span><code>{r.path}</code> expected <code>{JSON.stringify(r.expected)}</code>, got <code>{JSON.stringify(r.actual)}</code></span>
                  {r.detail ? <span className="small muted">({r.detail})</span> : null}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {step.events.some((e) => !STRUCTURAL_TYPES.has(e.type)) ? (
          <section className="card tight flat" aria-label="Other events">
            <h4>Also in this step</h4>
            <GenericEvents events={step.events} />
          </section>
        ) : null}
      </div>
      {step.reason && step.status !== 'passed' ? <p className="small muted">{step.reason}</p> : null}
    </div>
  );
}
