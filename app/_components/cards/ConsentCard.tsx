// Consent card (UK Open Banking account-access consent): the consent this step works on, and its
// story across the scenario as the trace shows it: created (AwaitingAuthorisation), named in the
// pushed request, allowed or declined by the customer, carried in the access token as
// openbanking_intent_id, read back (Authorised), revoked. The current step is highlighted.
import type { StepView } from '../../../lib/trace/timeline.ts';
import { INTENT_CLAIM } from '../../../lib/obie/intent.ts';
import { consentStory } from '../../_lib/journey.ts';
import { Equality, equalityOf } from './Equality.tsx';

export function ConsentCard({ id, via, step, steps, namedIn }: { id: string; via: string | null; step: StepView; steps: readonly StepView[]; namedIn: StepView | null }) {
  const story = consentStory(steps, id);
  const issued = step.exchanges.flatMap((ex) => ex.received).find((t) => t.role === 'access_token' && t.token);
  const claim = issued?.token?.claims[INTENT_CLAIM];
  const inToken = issued ? (typeof claim === 'string' ? claim : null) : undefined;
  return (
    <div role="group" className={`card${inToken !== undefined && inToken !== id ? ' is-fail' : ''}`} aria-label="Consent" data-card="consent" data-consent={id}>
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">OBIE</span>
        <h3>Consent</h3>
        <code className="small">{id}</code>
      </div>
      {inToken !== undefined ? (
        <Equality
          state={equalityOf(inToken === null ? false : inToken === id)}
          data={{ 'data-intent': equalityOf(inToken === null ? false : inToken === id) }}
          left={{ key: 'named', what: 'Named in the pushed authorization request', value: id, from: namedIn ? `step ${namedIn.index + 1}${via ? `, by ${via}` : ''}` : via ?? '' }}
          right={{ key: 'claim', what: <>In the access token: <code>{INTENT_CLAIM}</code></>, value: inToken, empty: '(no such claim)', from: 'put there by the identity provider: the API serves only what this consent allows' }}
        />
      ) : via ? (
        <p className="small muted" style={{ marginTop: 0 }}>Named by {via}.</p>
      ) : null}
      {story.length ? (
        <ol className="consent-story">
          {story.map((m, i) => (
            <li key={i} className={`${m.tone}${m.stepIndex === step.index ? ' here' : ''}`} data-moment={m.tone}>
              <span className="consent-step">step {m.stepIndex + 1}</span>
              <span>{m.text}{m.detail ? <span className="consent-detail">{m.detail}</span> : null}</span>
              {m.status ? <span className={`badge ${m.status === 'Authorised' ? 'pass' : m.status === 'Rejected' || m.status === 'Revoked' ? 'fail' : 'neutral'}`} data-consent-status={m.status}>{m.status}</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
