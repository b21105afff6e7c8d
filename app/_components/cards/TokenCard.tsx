// Token card: the decoded header and claims with cnf highlighted, and beside it the value computed
// from what was presented on this request (certificate thumbprint or DPoP key thumbprint), with an
// unmistakable = or ≠. Also says where the token (and so its cnf) came from.
import type { ExchangeView } from '../../../lib/trace/timeline.ts';
import { bindingOf, tokensOf, type Binding, type ShownToken, type TokenOrigin } from '../../_lib/tokens.ts';
import { JsonView } from '../Code.tsx';
import { Equality, equalityOf } from './Equality.tsx';

/** cnf in the token against what was presented, with = or ≠ (also used by the Compare page). */
export function BindingCompare({ b }: { b: Binding }) {
  const state = equalityOf(b.equal);
  return (
    <Equality
      state={state}
      data={{ 'data-binding': state, 'data-binding-kind': b.kind }}
      left={{ key: 'token', what: <>In the token: <code>{b.claimName}</code></>, value: b.tokenValue, from: 'put there by the identity provider when it issued the token' }}
      right={{ key: 'presented', what: b.presentedLabel, value: b.presented, empty: '(nothing presented)', from: b.presentedFrom }}
    />
  );
}

function OneToken({ t, ex, origin }: { t: ShownToken; ex: ExchangeView; origin: TokenOrigin | null }) {
  const b = t.role === 'access_token' ? bindingOf(t, ex) : null;
  return (
    <div className="stack" data-token={t.direction}>
      <div className="row">
        <strong>{t.label}</strong>
        {t.tokenType ? <span className="badge neutral">token_type {t.tokenType}</span> : null}
        {b?.kind === 'mtls' ? <span className="tag mtls">certificate-bound</span> : b?.kind === 'dpop' ? <span className="tag dpop">DPoP-bound</span> : null}
      </div>
      {origin ? (
        <p className="small muted" style={{ margin: 0 }}>
          Issued {origin.where} by the identity provider to client <code>{origin.clientId ?? '?'}</code>
          {origin.certificateName ? <>, which presented the certificate <code>{origin.certificateName}</code> at the token endpoint</> : null}. That is where its <code>cnf</code> comes from.
        </p>
      ) : null}
      {b && b.kind !== 'none' ? <BindingCompare b={b} /> : null}
      {b?.check ? (
        <p className={`small ${b.check.outcome === 'fail' ? 'validity-bad' : 'muted'}`} style={{ margin: 0 }}>
          The gateway's check <code>{b.check.id}</code>: <strong>{b.check.outcome}</strong>{b.kind === 'none' ? <>. {b.check.reason}</> : ' (the comparison above)'}.
        </p>
      ) : null}
      {b?.kind === 'none' && t.decoded ? (
        <p className="note small" style={{ margin: 0 }}>No <code>cnf</code> claim: a plain bearer token. Whoever holds it can use it.</p>
      ) : null}
      {t.decoded ? (
        <div className="grid-2 token-parts">
          <div>
            <div className="eyebrow">Header</div>
            <JsonView value={t.decoded.header} label={`${t.label} header`} />
          </div>
          <div>
            <div className="eyebrow">Claims</div>
            <JsonView value={t.decoded.claims} highlight={['cnf', 'openbanking_intent_id']} label={`${t.label} claims`} />
          </div>
        </div>
      ) : (
        <p className="muted small">An opaque token (not a JWT): only the authorization server can tell what it means (introspection).</p>
      )}
    </div>
  );
}

export function TokenCard({ ex, issued }: { ex: ExchangeView; issued: Map<string, TokenOrigin> }) {
  const tokens = tokensOf(ex);
  if (!tokens.length) return null;
  const failed = tokens.some((t) => t.role === 'access_token' && bindingOf(t, ex).equal === false);
  return (
    <div role="group" className={`card${failed ? ' is-fail' : ''}`} aria-label="Tokens" data-card="token">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">JWT</span>
        <h3>Token and binding</h3>
      </div>
      <div className="stack">
        {tokens.map((t) => {
          const jti = t.decoded?.claims.jti;
          const origin = t.direction === 'sent' && typeof jti === 'string' ? issued.get(jti) ?? null : null;
          return <OneToken key={t.key} t={t} ex={ex} origin={origin} />;
        })}
      </div>
    </div>
  );
}
