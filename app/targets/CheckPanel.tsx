'use client';
// One target's check (reachable? TLS chain verifies with its CA? a token from its AS? the gateway
// accepts it?), which catalogue scenarios would run or be skipped and why, and a run of them.
import { dateTime } from '../_lib/format.ts';
import { useEffect, useState } from 'react';
import { startRun } from '../_lib/client-api.ts';
import { checkTarget, getRun, type RunStatus, type TargetCheck, type TargetSummary } from './api.ts';

const MARK = { ok: '✓', failed: '✗', skipped: '–' } as const;

export function CheckPanel({ target, onChecked }: { target: TargetSummary; onChecked: (check: TargetCheck) => void }) {
  const [check, setCheck] = useState<TargetCheck | null>(target.lastCheck);
  const [busy, setBusy] = useState<'check' | 'run' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selection, setSelection] = useState('');
  const [run, setRun] = useState<RunStatus | null>(null);

  useEffect(() => {
    setCheck(target.lastCheck);
    setRun(null);
    setError(null);
  }, [target.id, target.lastCheck]);

  // Follow a started run until it finishes (the full timeline is in the run view).
  useEffect(() => {
    if (!run || run.status !== 'running') return;
    const timer = setTimeout(() => {
      getRun(run.id).then(setRun, (e: Error) => setError(e.message));
    }, 400);
    return () => clearTimeout(timer);
  }, [run]);

  const doCheck = async () => {
    setBusy('check');
    setError(null);
    try {
      const result = await checkTarget(target.id);
      setCheck(result);
      onChecked(result);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const runnable = check?.plan.filter((p) => !p.missing.length) ?? [];
  const doRun = async () => {
    setBusy('run');
    setError(null);
    try {
      const wanted = selection.trim() ? selection.trim().split(/[\s,]+/) : runnable.map((p) => p.id);
      const runId = await startRun(wanted, target.id);
      setRun({ id: runId, status: 'running', target: target.name, scenarios: [] });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card" aria-labelledby="check-title">
      <div className="row-between">
        <h2 id="check-title">{target.name}</h2>
        <button type="button" className="btn" onClick={doCheck} disabled={busy !== null}>
          {busy === 'check' ? 'Checking…' : 'Check target'}
        </button>
      </div>
      {error && <p className="error-box" role="alert">{error}</p>}
      {!check && <p className="muted">Not checked yet: check it to see whether it is reachable, its TLS chain verifies and its authorization server issues a token.</p>}
      {check && (
        <>
          <p>
            <span className={`badge ${check.ok ? 'passed' : 'failed'}`}>{check.ok ? 'target OK' : 'target has problems'}</span>{' '}
            <span className="muted small">checked {dateTime(check.at)}</span>
          </p>
          <ul className="tg-checks" aria-label="Check results">
            {check.checks.map((c) => (
              <li key={c.id} data-status={c.status}>
                <span aria-label={c.status} className={c.status === 'ok' ? 'badge passed' : c.status === 'failed' ? 'badge failed' : 'badge skipped'}>{MARK[c.status]}</span>
                <span>
                  {c.title}
                  <span className="tg-detail">{c.detail}</span>
                </span>
              </li>
            ))}
          </ul>
          <h3 style={{ marginTop: '1rem' }}>Scenarios: {runnable.length} would run, {check.plan.length - runnable.length} would be skipped</h3>
          <div className="tg-plan table-wrap">
            <table className="table">
              <tbody>
                {check.plan.map((p) => (
                  <tr key={p.id}>
                    <td><code>{p.id}</code></td>
                    <td>{p.missing.length ? <span className="badge skipped">skipped: lacks {p.missing.join(', ')}</span> : <span className="badge neutral">runs</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="row" style={{ marginTop: '0.75rem' }}>
            <label className="field" style={{ flex: 1 }}>
              Scenarios or tags <span className="hint">empty: every scenario that would run</span>
              <input type="text" value={selection} placeholder="mtls-stolen-token-other-certificate mtls" onChange={(e) => setSelection(e.target.value)} />
            </label>
            <button type="button" className="btn primary" onClick={doRun} disabled={busy !== null || (!selection.trim() && !runnable.length)}>
              {busy === 'run' ? 'Starting…' : 'Run against this target'}
            </button>
          </div>
        </>
      )}
      {run && (
        <div className="note" style={{ marginTop: '1rem' }} role="status" aria-live="polite">
          <p>
            Run <a href={`/runs/${run.id}`}>{run.id}</a> against {target.name}: <span className={`badge ${run.status}`}>{run.status}</span>
          </p>
          {run.scenarios.length > 0 && (
            <ul aria-label="Run results">
              {run.scenarios.map((s) => (
                <li key={s.scenarioId}>
                  <span className={`badge ${s.status}`}>{s.status}</span> <code>{s.scenarioId}</code>
                </li>
              ))}
            </ul>
          )}
          <a className="btn small" href={`/runs/${run.id}`}>Open the run view</a>
        </div>
      )}
    </section>
  );
}
