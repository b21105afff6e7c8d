// Authorization response card (RFC 6749 §4.1.2, RFC 9207): what came back to the app's redirect_uri
// through the browser: the code (or the error), state against the one the app sent, and iss against
// the issuer the app talks to (the mix-up defence); with JARM, the signed JWT they were read from.
import type { ReactNode } from 'react';
import type { TraceEventOf } from '../../../lib/trace/events.ts';
import { OutcomeBadge } from '../Badges.tsx';
import { JsonView, Truncated } from '../Code.tsx';

function Fact({ name, value, verdict, children }: { name: string; value: string | null; verdict: 'pass' | 'fail' | 'skip' | null; children: ReactNode }) {
  return (
    <li className={`check ${verdict ?? 'skip'}`} data-response={name} data-outcome={verdict ?? 'none'}>
      <span className="check-icon" aria-hidden="true">{verdict === 'pass' ? '✓' : verdict === 'fail' ? '✗' : '–'}</span>
      <div>
        <div className="check-title"><code>{name}</code> {value !== null ? <code className="break resp-value"><Truncated value={value} max={48} /></code> : <span className="faint">(absent)</span>}</div>
        <div className="check-reason">{children}</div>
      </div>
    </li>
  );
}

export function AuthorizationResponseCard({ e, request }: { e: TraceEventOf<'authorization.response'>; request: TraceEventOf<'authorization.request'> | null }) {
  const sentState = request?.parameters.state ?? null;
  const ok = !!e.code && e.stateMatches && e.issMatches !== false;
  const target = URL.parse(e.redirectUri);
  return (
    <div role="group" className={`card${ok ? '' : ' is-fail'}`} aria-label="Authorization response" data-card="authorization-response">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">→</span>
        <h3>Authorization response</h3>
        {ok ? <OutcomeBadge outcome="pass">code received</OutcomeBadge> : e.error ? <OutcomeBadge outcome="fail">{e.error}</OutcomeBadge> : null}
      </div>
      <p className="small muted" style={{ marginTop: 0 }}>
        The bank redirects the browser to the app's redirect URI <code>{target ? `${target.origin}${target.pathname}` : e.redirectUri}</code>; the app reads
        the answer from the query{e.jarm ? <>, here from a JWT the bank signed (JARM: <code>response_mode=jwt</code>) that the app verified first: its signature with the bank&apos;s keys, <code>iss</code>, <code>aud</code> = the client, <code>exp</code></> : null}.
      </p>
      {e.jarm ? (
        <details className="disclosure small" data-jarm={String(e.jarm.header.alg)}>
          <summary className="faint">Signed response (JARM, {String(e.jarm.header.alg)})</summary>
          <JsonView value={e.jarm} label="Signed authorization response: header and claims" />
        </details>
      ) : null}
      <ul className="checks">
        {e.error ? (
          <Fact name="error" value={e.error} verdict="fail">{e.errorDescription ?? 'the authorization was not granted'}</Fact>
        ) : (
          <Fact name="code" value={e.code} verdict={e.code ? 'pass' : 'fail'}>{e.code ? 'single use and short-lived: only the app, with its credentials and the PKCE verifier, can redeem it' : 'no code came back'}</Fact>
        )}
        <Fact name="state" value={e.state} verdict={e.stateMatches ? 'pass' : 'fail'}>
          {e.stateMatches ? <>= the state the app sent: this answer belongs to the request the app started (RFC 6749 §10.12)</> : <>≠ the state the app sent{sentState ? <> (<code>{sentState}</code>)</> : null}: the app must reject it</>}
        </Fact>
        <Fact name="iss" value={e.iss} verdict={e.issMatches === null ? null : e.issMatches ? 'pass' : 'fail'}>
          {e.issMatches === null
            ? 'no iss parameter: the authorization server does not say who answered (RFC 9207 asks it to, against mix-up attacks)'
            : e.issMatches
              ? '= the issuer the app sent the request to (RFC 9207 §2.4: not a mix-up)'
              : '≠ the issuer the app sent the request to: a mix-up attack, the app must reject it (RFC 9207 §2.4)'}
        </Fact>
      </ul>
    </div>
  );
}
