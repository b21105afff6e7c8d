'use client';
// Checks list: every check the gateway or identity provider ran for this request, in order, with
// pass / fail / skipped, the reason, the RFC section, and how a gateway fixes a failure. Passing
// checks stay one line each; a toggle shows every check's inputs and how it is done. An external
// server's checks are not observable: the card then says what the step was judged on instead.
import { useState } from 'react';
import { CHECKS, isCheckId } from '../../../lib/checks/catalogue.ts';
import type { Decision } from '../../../lib/trace/decision.ts';
import type { ExpectationResult } from '../../../lib/trace/events.ts';
import type { ExchangeView } from '../../../lib/trace/timeline.ts';
import { ms } from '../../_lib/format.ts';
import { OUTCOME_MARK } from '../Badges.tsx';
import { JsonView, WithDigests } from '../Code.tsx';

function CheckRow({ c, source, expanded }: { c: Decision['checks'][number]; source: Decision['source']; expanded: boolean }) {
  const info = isCheckId(c.id) ? CHECKS[c.id] : null;
  const who = source === 'idp' ? 'an authorization server' : 'a gateway';
  const failed = c.outcome === 'fail';
  return (
    <li className={`check ${c.outcome}`} data-check={c.id} data-outcome={c.outcome}>
      <span className="check-icon" aria-label={c.outcome === 'skip' ? 'skipped' : c.outcome === 'pass' ? 'passed' : 'failed'}>{OUTCOME_MARK[c.outcome]}</span>
      <div>
        <div className="check-title">
          <code>{c.id}</code>
          {info && (failed || expanded) ? <span className="t">{info.title}</span> : null}
          {info ? <a className="spec-link" href={info.specUrl} target="_blank" rel="noreferrer">{info.spec} ↗</a> : null}
        </div>
        <div className="check-reason"><WithDigests text={c.reason} /></div>
        {info && failed ? (
          <div className="fix">
            <strong>How to fix this in {who}:</strong> {info.fix}
          </div>
        ) : null}
        {info && expanded && !failed ? <p className="small muted" style={{ margin: '0.2rem 0 0' }}>How {who} does this: {info.fix}</p> : null}
        {c.inputs && (expanded || failed) ? (
          <details className="disclosure small" open={expanded}>
            <summary className="faint">inputs</summary>
            <JsonView value={c.inputs} label={`${c.id} inputs`} />
          </details>
        ) : null}
      </div>
    </li>
  );
}

function DecisionChecks({ d }: { d: Decision }) {
  const [expanded, setExpanded] = useState(false);
  const count = (o: string) => d.checks.filter((c) => c.outcome === o).length;
  const failed = count('fail');
  return (
    <div role="group" className={`card${failed ? ' is-fail' : ''}`} aria-label={`${d.source === 'idp' ? 'Identity provider' : 'Gateway'} checks`} data-card="checks">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">✓✗</span>
        <h3>{d.source === 'idp' ? 'Identity provider' : 'Gateway'} checks</h3>
        <button type="button" className="btn small ghost" style={{ marginLeft: 'auto' }} aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Less detail' : 'Inputs and how each works'}
        </button>
      </div>
      <p className="small muted">
        {d.request.method} route <code>{d.request.route}</code>
        {d.request.binding ? <> · binding <code>{d.request.binding}</code></> : null} · answered {d.response.status}
        {d.response.error ? <> <code>{d.response.error}</code></> : null} · decided in {ms(d.durationMs)} · {count('pass')} passed, {failed} failed, {count('skip')} skipped
      </p>
      <ul className="checks">
        {d.checks.map((c) => (
          <CheckRow key={c.id} c={c} source={d.source} expanded={expanded} />
        ))}
      </ul>
    </div>
  );
}

/** The OAuth error a response carries (WWW-Authenticate or a JSON body), as the client sees it. */
function clientView(ex: ExchangeView): { label: string; value: string }[] {
  const res = ex.http.response;
  if (!res) return [{ label: 'Connection', value: ex.http.error ?? 'no response' }];
  const out = [{ label: 'Status', value: String(res.status) }];
  const www = res.headers['www-authenticate'];
  if (www) out.push({ label: 'WWW-Authenticate', value: Array.isArray(www) ? www.join(', ') : www });
  try {
    const body = JSON.parse(res.body) as { error?: unknown; error_description?: unknown; Errors?: { ErrorCode?: unknown }[] };
    if (typeof body.error === 'string') out.push({ label: 'error', value: `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` });
    const codes = Array.isArray(body.Errors) ? body.Errors.map((e) => e.ErrorCode).filter((c) => typeof c === 'string') : [];
    if (codes.length) out.push({ label: 'OBIE errors', value: codes.join(', ') });
  } catch {
    const title = /<title>([^<]{1,120})<\/title>/i.exec(res.body)?.[1];
    if (title) out.push({ label: 'Page', value: title.trim() });
  }
  return out;
}

/** An external server: its checks cannot be seen; what the step was judged on instead. */
function NotObservable({ ex, reason, expectations }: { ex: ExchangeView; reason: string; expectations: ExpectationResult[] }) {
  const checks = expectations.filter((r) => r.unobservable);
  const origin = URL.parse(ex.http.request.url)?.origin ?? ex.http.request.url;
  return (
    <div role="group" className="card unobservable" aria-label="Server checks: not observable" data-card="checks" data-unobservable="true">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">?</span>
        <h3>Server checks: not observable</h3>
      </div>
      <p className="small" style={{ margin: 0 }}>
        This request went to <code>{origin}</code>, a server that is not the sandbox's own. What it checked inside cannot be seen from
        outside, so this step is judged on what the client saw:
      </p>
      <dl className="kv small" style={{ margin: '0.6rem 0' }}>
        {clientView(ex).map((r) => (
          <div key={r.label} style={{ display: 'contents' }}>
            <dt>{r.label}</dt>
            <dd><code className="break">{r.value}</code></dd>
          </div>
        ))}
      </dl>
      {checks.length ? (
        <>
          <p className="small muted" style={{ margin: '0 0 0.3rem' }}>The scenario's expectations of its checks, not observable here:</p>
          <ul className="checks">
            {checks.map((r) => (
              <li key={r.path} className="check skip" data-check={r.path.replace(/^check /, '')} data-outcome="unobservable">
                <span className="check-icon" aria-label="not observable">?</span>
                <div className="check-title"><code>{r.path.replace(/^check /, '')}</code><span className="t">expected {String(r.expected)}</span></div>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <details className="disclosure small">
        <summary className="faint">Why</summary>
        <p className="small muted" style={{ margin: 0 }}>{reason}</p>
      </details>
    </div>
  );
}

export function ChecksCard({ ex, expectations = [] }: { ex: ExchangeView; expectations?: ExpectationResult[] }) {
  const { decisions, unobservable } = ex;
  if (!decisions.length && unobservable) return <NotObservable ex={ex} reason={unobservable} expectations={expectations} />;
  if (!decisions.length) {
    return (
      <div role="group" className="card" aria-label="Server checks" data-card="checks">
        <div className="card-title"><span className="card-icon" aria-hidden="true">✓✗</span><h3>Server checks</h3></div>
        <p className="muted small">{ex.http.response ? 'No server decision was recorded for this request.' : 'No server decision: the connection failed before any HTTP was exchanged (see the TLS handshake).'}</p>
      </div>
    );
  }
  return (
    <>
      {decisions.map((d) => (
        <DecisionChecks key={`${d.interactionId}-${d.source}-${d.at}`} d={d} />
      ))}
    </>
  );
}
