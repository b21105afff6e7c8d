// PKCE card (RFC 7636): the code_verifier a token request sends, hashed (S256), against the
// code_challenge the app pushed with its authorization request, with = or ≠, and what the token
// endpoint decided. Whoever holds the code but not the verifier cannot redeem it.
import type { TraceEventOf } from '../../../lib/trace/events.ts';
import type { ExchangeView, StepView } from '../../../lib/trace/timeline.ts';
import { OutcomeBadge } from '../Badges.tsx';
import { Equality, equalityOf } from './Equality.tsx';

export function PkceCard({ e, steps, ex }: { e: TraceEventOf<'pkce.verifier'>; steps: readonly StepView[]; ex: ExchangeView | undefined }) {
  const pushedIn = steps.find((s) => s.events.some((x) => x.type === 'authorization.request' && x.pkce.challenge === e.challenge));
  const equal = e.challenge === null ? null : e.computed === e.challenge;
  const grant = ex?.decisions.flatMap((d) => d.checks).find((c) => c.id === 'idp.grant') ?? null;
  const hash = e.method === 'S256' ? 'BASE64URL(SHA-256(code_verifier))' : 'the code_verifier itself (plain)';
  return (
    <div role="group" className={`card${equal === false ? ' is-fail' : ''}`} aria-label="PKCE" data-card="pkce">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">PKCE</span>
        <h3>PKCE: the code's proof of possession</h3>
        <a className="spec-link" href="https://www.rfc-editor.org/rfc/rfc7636#section-4.6" target="_blank" rel="noreferrer">RFC 7636 §4.6 ↗</a>
      </div>
      <Equality
        state={equalityOf(equal)}
        data={{ 'data-pkce': equalityOf(equal) }}
        left={{
          key: 'challenge', what: <>Pushed: <code>code_challenge</code> ({e.method})</>, value: e.challenge,
          from: pushedIn ? `sent with the authorization request in step ${pushedIn.index + 1}` : 'sent with the authorization request',
        }}
        right={{ key: 'computed', what: <>Computed: <code>{e.method === 'S256' ? 'S256(code_verifier)' : 'code_verifier'}</code></>, value: e.computed, from: `${hash} of the verifier this token request sends` }}
      />
      <dl className="kv small">
        <dt>code_verifier sent</dt>
        <dd><code className="break" data-verifier="">{e.verifier}</code><div className="muted">{e.label}</div></dd>
        {grant ? (
          <>
            <dt>Token endpoint</dt>
            <dd><OutcomeBadge outcome={grant.outcome}>{grant.id}</OutcomeBadge> <span className={grant.outcome === 'fail' ? 'validity-bad' : 'muted'}>{grant.reason}</span></dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
