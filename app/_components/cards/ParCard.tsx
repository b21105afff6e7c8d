// Pushed authorization request card (RFC 9126): what the app asked for on the back channel, with its
// client authentication, before the customer's browser is involved: client, scope, redirect_uri,
// state, the PKCE challenge (RFC 7636 §4.3), the consent it names, and the request_uri it got back.
import type { TraceEventOf } from '../../../lib/trace/events.ts';
import type { ExchangeView } from '../../../lib/trace/timeline.ts';
import { consentNamed } from '../../_lib/journey.ts';
import { JsonView, Truncated } from '../Code.tsx';

function parBody(ex: ExchangeView | undefined): { request_uri?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | null {
  try {
    return ex?.http.response ? (JSON.parse(ex.http.response.body) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function ParCard({ e, ex }: { e: TraceEventOf<'authorization.request'>; ex: ExchangeView | undefined }) {
  const p = e.parameters;
  const consent = consentNamed(p);
  const body = parBody(ex);
  const pkce = e.pkce;
  return (
    <div role="group" className="card" aria-label="Pushed authorization request" data-card="par">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">PAR</span>
        <h3>Pushed authorization request</h3>
        <a className="spec-link" href="https://www.rfc-editor.org/rfc/rfc9126" target="_blank" rel="noreferrer">RFC 9126 ↗</a>
      </div>
      <p className="small muted" style={{ marginTop: 0 }}>
        The app sends its request straight to the identity provider, authenticated, so nothing the browser carries can be tampered
        with: the browser only gets a <code>request_uri</code> to open.
      </p>
      <dl className="kv">
        <dt>Client</dt><dd><code>{p.client_id}</code></dd>
        <dt>Scope</dt><dd><code>{p.scope}</code></dd>
        <dt>Redirect URI</dt><dd><code className="break">{p.redirect_uri}</code></dd>
        <dt>state</dt><dd><code>{p.state}</code> <span className="small muted">(the app checks it comes back unchanged)</span></dd>
        <dt>PKCE</dt>
        <dd data-pkce-method={pkce.method}>
          {pkce.method === 'none' ? (
            <span className="badge fail">no code_challenge</span>
          ) : (
            <>
              <span className={`badge ${pkce.method === 'S256' ? 'pass' : 'warn'}`}>{pkce.method}</span>{' '}
              <code className="break">{pkce.challenge}</code>
              <div className="small muted">
                {pkce.method === 'S256'
                  ? 'code_challenge = BASE64URL(SHA-256(code_verifier)). The verifier stays in the app until the token request.'
                  : 'plain: the challenge is the verifier itself, so whoever sees this request can redeem the code. FAPI 2.0 allows S256 only.'}
              </div>
            </>
          )}
        </dd>
        {consent ? (
          <>
            <dt>Consent</dt>
            <dd><code data-consent-id={consent.id}>{consent.id}</code><div className="small muted">named by {consent.via}</div></dd>
          </>
        ) : null}
        {body ? (
          <>
            <dt>Answer</dt>
            <dd>
              {typeof body.request_uri === 'string' ? (
                <><code className="break"><Truncated value={body.request_uri} max={60} /></code>{typeof body.expires_in === 'number' ? <span className="small muted"> · valid {body.expires_in} s, once</span> : null}</>
              ) : (
                <span className="validity-bad">{String(body.error ?? `HTTP ${ex?.http.response?.status}`)}{typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}</span>
              )}
            </dd>
          </>
        ) : null}
      </dl>
      <details className="disclosure small">
        <summary className="faint">Every parameter</summary>
        <JsonView value={p} label="Pushed authorization request parameters" />
      </details>
    </div>
  );
}
