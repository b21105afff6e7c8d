// Checks list: every check the gateway or identity provider ran for this request, in order, with
// pass / fail / skipped, the reason, the RFC section, and how a gateway fixes a failure.
import { CHECKS, isCheckId } from '../../../lib/checks/catalogue.ts';
import type { Decision } from '../../../lib/trace/decision.ts';
import { ms } from '../../_lib/format.ts';
import { OUTCOME_MARK } from '../Badges.tsx';
import { JsonView } from '../Code.tsx';

function CheckRow({ c, source }: { c: Decision['checks'][number]; source: Decision['source'] }) {
  const info = isCheckId(c.id) ? CHECKS[c.id] : null;
  const who = source === 'idp' ? 'an authorization server' : 'a gateway';
  return (
    <li className={`check ${c.outcome}`} data-check={c.id} data-outcome={c.outcome}>
      <span className="check-icon" aria-label={c.outcome === 'skip' ? 'skipped' : c.outcome === 'pass' ? 'passed' : 'failed'}>{OUTCOME_MARK[c.outcome]}</span>
      <div>
        <div className="check-title">
          <code>{c.id}</code>
          {info ? <span className="t">{info.title}</span> : null}
          {info ? (
            <a className="spec-link" href={info.specUrl} target="_blank" rel="noreferrer">{info.spec} ↗</a>
          ) : null}
        </div>
        <div className="check-reason">{c.reason}</div>
        {info && c.outcome === 'fail' ? (
          <div className="fix">
            <strong>How to fix this in {who}:</strong> {info.fix}
          </div>
        ) : null}
        {(info && c.outcome !== 'fail') || c.inputs ? (
          <details className="disclosure small">
            <summary className="faint">details</summary>
            {info && c.outcome !== 'fail' ? <p className="small">{info.fix}</p> : null}
            {c.inputs ? <JsonView value={c.inputs} label={`${c.id} inputs`} /> : null}
          </details>
        ) : null}
      </div>
    </li>
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
      {decisions.map((d) => {
        const failed = d.checks.filter((c) => c.outcome === 'fail').length;
        return (
          <section key={`${d.interactionId}-${d.source}-${d.at}`} className={`card${failed ? ' is-fail' : ''}`} aria-label={`${d.source === 'idp' ? 'Identity provider' : 'Gateway'} checks`} data-card="checks">
            <div className="card-title">
              <span className="card-icon" aria-hidden="true">✓✗</span>
              <h3>{d.source === 'idp' ? 'Identity provider' : 'Gateway'} checks</h3>
            </div>
            <p className="small muted">
              {d.request.method} route <code>{d.request.route}</code>
              {d.request.binding ? <> · binding <code>{d.request.binding}</code></> : null} · answered {d.response.status}
              {d.response.error ? <> <code>{d.response.error}</code></> : null} · decided in {ms(d.durationMs)} ·{' '}
              {d.checks.filter((c) => c.outcome === 'pass').length} passed, {failed} failed, {d.checks.filter((c) => c.outcome === 'skip').length} skipped
            </p>
            <ul className="checks">
              {d.checks.map((c) => (
                <CheckRow key={c.id} c={c} source={d.source} />
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}
