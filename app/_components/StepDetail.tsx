// What one step opens into: per HTTP exchange the token, DPoP, TLS, checks and raw HTTP cards; for an
// authorize step the journey in order (the pushed request, the browser's hops, the bank's pages and
// what the customer did, the authorization response) and the consent; PKCE and the consent for a code
// exchange; then the scenario's expectations; then any other event (minted certificates, log lines,
// and event types this page does not know yet), rendered generically.
import { Fragment } from 'react';
import type { ExchangeView, StepView } from '../../lib/trace/timeline.ts';
import { STRUCTURAL_TYPES } from '../../lib/trace/timeline.ts';
import type { ExpectationResult, TraceEvent, TraceEventOf } from '../../lib/trace/events.ts';
import { INTENT_CLAIM } from '../../lib/obie/intent.ts';
import type { TokenOrigin } from '../_lib/tokens.ts';
import { JOURNEY_TYPES, isJourney, journeyItems, stepConsent } from '../_lib/journey.ts';
import { HttpBadge, OutcomeBadge } from './Badges.tsx';
import { CertView } from './Cert.tsx';
import { JsonView, Truncated, WithDigests } from './Code.tsx';
import { TokenCard } from './cards/TokenCard.tsx';
import { DpopCard } from './cards/DpopCard.tsx';
import { TlsCard } from './cards/TlsCard.tsx';
import { ChecksCard } from './cards/ChecksCard.tsx';
import { HttpCard } from './cards/HttpCard.tsx';
import { ParCard } from './cards/ParCard.tsx';
import { BrowserHops } from './cards/BrowserHops.tsx';
import { PageCard } from './cards/PageCard.tsx';
import { UserActionCard } from './cards/UserActionCard.tsx';
import { AuthorizationResponseCard } from './cards/AuthorizationResponseCard.tsx';
import { PkceCard } from './cards/PkceCard.tsx';
import { ConsentCard } from './cards/ConsentCard.tsx';
import { SignatureCard } from './cards/SignatureCard.tsx';

export function ExchangeDetail({ ex, issued, expectations = [], signatures = [] }: { ex: ExchangeView; issued: Map<string, TokenOrigin>; expectations?: ExpectationResult[]; signatures?: TraceEventOf<'jws.signature'>[] }) {
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
        <SignatureCard ex={ex} signatures={signatures} />
        <div className="cards">
          <TlsCard ex={ex} />
          <div className="stack">
            <ChecksCard ex={ex} expectations={expectations} />
          </div>
        </div>
        <HttpCard ex={ex} />
      </div>
    </div>
  );
}

/** An authorize step, in the order things happened. */
function Journey({ step, steps, issued }: { step: StepView; steps: readonly StepView[]; issued: Map<string, TokenOrigin> }) {
  const items = journeyItems(step);
  const paired = new Set(items.flatMap((it) => (it.kind === 'page' && it.submit ? [it.submit] : [])));
  const consent = stepConsent(step);
  let phase: 'app' | 'browser' | 'back' | null = null;
  const heading = (next: 'app' | 'browser' | 'back') => {
    if (phase === next) return null;
    phase = next;
    const text = next === 'app' ? 'The app, on the back channel' : next === 'browser' ? 'The customer\'s browser, on the front channel' : 'Back at the app';
    return <h3 className={`journey-phase ${next}`}><span className={`lane-dot ${next === 'browser' ? 'browser' : 'client'}`} aria-hidden="true" />{text}</h3>;
  };
  let hops = 0;
  return (
    <div className="journey stack">
      {items.map((it, i) => {
        switch (it.kind) {
          case 'request': {
            const next = items[i + 1];
            return <Fragment key={i}>{heading('app')}<ParCard e={it.e} ex={next?.kind === 'exchange' ? next.ex : undefined} /></Fragment>;
          }
          case 'exchange':
            return <Fragment key={i}>{heading('app')}<ExchangeDetail ex={it.ex} issued={issued} expectations={step.expectations} /></Fragment>;
          case 'hops':
            return <Fragment key={i}>{heading('browser')}<BrowserHops exchanges={it.exchanges} first={hops++ === 0} /></Fragment>;
          case 'page':
            return (
              <Fragment key={i}>
                {heading('browser')}
                <div className="journey-pair">
                  <PageCard e={it.e} submit={it.submit} />
                  {it.submit ? <UserActionCard e={it.submit} page={it.e} /> : null}
                </div>
              </Fragment>
            );
          case 'submit':
            return paired.has(it.e) ? null : <Fragment key={i}>{heading('browser')}<UserActionCard e={it.e} page={it.page} /></Fragment>;
          case 'response':
            return (
              <Fragment key={i}>
                {heading('back')}
                <div className="cards">
                  <AuthorizationResponseCard e={it.e} request={it.request} />
                  {consent ? <ConsentCard id={consent.id} via={consent.via} step={step} steps={steps} namedIn={step} /> : null}
                </div>
              </Fragment>
            );
        }
      })}
      {consent && !items.some((it) => it.kind === 'response') ? <ConsentCard id={consent.id} via={consent.via} step={step} steps={steps} namedIn={step} /> : null}
    </div>
  );
}

/** A code exchange: PKCE, and the consent the issued token names. */
function CodeExchangeCards({ step, steps }: { step: StepView; steps: readonly StepView[] }) {
  const pkce = step.events.find((e): e is TraceEventOf<'pkce.verifier'> => e.type === 'pkce.verifier');
  const claim = step.exchanges.flatMap((ex) => ex.received).map((t) => t.token?.claims[INTENT_CLAIM]).find((c) => typeof c === 'string') as string | undefined;
  const namedIn = steps.find((s) => pkce && s.events.some((x) => x.type === 'authorization.request' && x.pkce.challenge === pkce.challenge))
    ?? steps.find((s) => claim !== undefined && stepConsent(s)?.id === claim) ?? null;
  const named = namedIn ? stepConsent(namedIn) : null;
  if (!pkce && !named) return null;
  return (
    <div className="cards" style={{ marginBottom: '1rem' }}>
      {pkce ? <PkceCard e={pkce} steps={steps} ex={step.exchanges[0]} /> : null}
      {named ? <ConsentCard id={named.id} via={named.via} step={step} steps={steps} namedIn={namedIn} /> : null}
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

/** An event no card of this page draws (neither structural nor part of an authorize journey). */
const other = (e: TraceEvent) => !STRUCTURAL_TYPES.has(e.type) && !JOURNEY_TYPES.has(e.type);

export function GenericEvents({ events }: { events: TraceEvent[] }) {
  const shown = events.filter(other);
  if (!shown.length) return null;
  return (
    <ul className="generic-events" aria-label="Other events">
      {shown.map((e) => (
        <li key={e.seq} data-event-type={e.type}><GenericEvent e={e} /></li>
      ))}
    </ul>
  );
}

/** A check expectation whose detail is the check's own reason, already in the step's checks card. */
const shownInChecks = (step: StepView, r: ExpectationResult) =>
  r.path.startsWith('check ') && step.exchanges.some((ex) => ex.decisions.some((d) => d.checks.some((c) => `check ${c.id}` === r.path && c.reason === r.detail)));

export function StepDetail({ step, steps, issued }: { step: StepView; steps: readonly StepView[]; issued: Map<string, TokenOrigin> }) {
  return (
    <div className="step-body">
      {isJourney(step) ? (
        <Journey step={step} steps={steps} issued={issued} />
      ) : (
        <>
          <CodeExchangeCards step={step} steps={steps} />
          {step.exchanges.map((ex, i) => (
            <ExchangeDetail key={i} ex={ex} issued={issued} expectations={step.expectations} signatures={step.events.filter((e): e is TraceEventOf<'jws.signature'> => e.type === 'jws.signature')} />
          ))}
        </>
      )}
      <div className="grid-2" style={{ marginTop: step.exchanges.length ? '1rem' : 0 }}>
        {step.expectations.length ? (
          <div role="group" className="card tight flat" aria-label="Expectations">
            <h4>What the scenario expected</h4>
            <ul className="expectations">
              {step.expectations.map((r, i) => (
                <li key={i} data-expectation={r.path}>
                  <OutcomeBadge outcome={r.unobservable ? 'skip' : r.pass ? 'pass' : 'fail'}>{r.unobservable ? 'not observable' : r.pass ? 'met' : 'not met'}</OutcomeBadge>
                  <span><code>{r.path}</code> expected <code>{JSON.stringify(r.expected)}</code>, got <code><Truncated value={JSON.stringify(r.actual)} max={64} /></code></span>
                  {r.detail && !shownInChecks(step, r) ? <span className="small muted">(<WithDigests text={r.detail} />)</span> : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {step.events.some(other) ? (
          <div role="group" className="card tight flat" aria-label="Other events">
            <h4>Also in this step</h4>
            <GenericEvents events={step.events} />
          </div>
        ) : null}
      </div>
      {step.reason && step.status !== 'passed' ? <p className="small muted">{step.reason}</p> : null}
    </div>
  );
}
