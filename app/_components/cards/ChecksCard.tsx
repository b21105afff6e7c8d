'use client';
// Checks list: every check the gateway or identity provider ran for this request, in order, with
// pass / fail / skipped, the reason, the RFC section, and how a gateway fixes a failure. Passing
// checks stay one line each; a toggle shows every check's inputs and how it is done.
import { useState } from 'react';
import { CHECKS, isCheckId } from '../../../lib/checks/catalogue.ts';
import type { Decision } from '../../../lib/trace/decision.ts';
import { ms } from '../../_lib/format.ts';
import { OUTCOME_MARK } from '../Badges.tsx';
import { JsonView } from '../Code.tsx';

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
        <div className="check-reason">{c.reason}</div>
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
    <section className={`card${failed ? ' is-fail' : ''}`} aria-label={`${d.source === 'idp' ? 'Identity provider' : 'Gateway'} checks`} data-card="checks">
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
    </section>
  );
}

export function ChecksCard({ decisions, unobservable }: { decisions: Decision[]; unobservable: string | null }) {
  if (!decisions.length) {
    return (
      <section className="card" aria-label="Server checks" data-card="checks">
        <div className="card-title"><span className="card-icon" aria-hidden="true">✓✗</span><h3>Server checks</h3></div>
        <p className="muted small">{unobservable ?? 'No server decision was recorded for this request (the handshake was refused before any HTTP was exchanged).'}</p>
      </section>
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
