'use client';
// The run history table with a re-run button per run (POST /api/runs with the same selection), and
// for a failed run why it failed (the engine's explanation on one line, all of them on expand).
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { RunListItem } from '../_lib/types.ts';
import { rerun } from '../_lib/client-api.ts';
import { countsText, dateTime, ms, runDuration } from '../_lib/format.ts';
import { StatusBadge } from './Badges.tsx';
import { explanationParts } from '../_lib/explain.ts';

/** Why the run's scenarios failed: the first one's explanation on one line, every one on expand. */
function FailureLines({ run }: { run: RunListItem }) {
  const failed = run.scenarios.filter((s) => s.failure);
  if (!failed.length) return null;
  const line = (s: RunListItem['scenarios'][number]) => {
    const p = explanationParts(s.failure!.explanation, s.title);
    return `${p.step !== null ? `step ${p.step}: ` : ''}${p.what}`;
  };
  return (
    <details className="why-failed" data-why-failed="">
      <summary>
        <span className="why-line why-closed" title={failed[0]!.failure!.explanation}><strong>{failed[0]!.scenarioId}</strong> {line(failed[0]!)}</span>
        <span className="why-line why-open">Why {failed.length === 1 ? 'it' : `${failed.length} scenarios`} failed</span>
      </summary>
      <ul>
        {failed.map((s) => {
          const p = explanationParts(s.failure!.explanation, s.title);
          return (
            <li key={s.scenarioId}>
              <strong>{s.scenarioId}</strong>: {line(s)}
              {p.fix ? <div className="small muted"><strong>Fix:</strong> {p.fix}</div> : null}
            </li>
          );
        })}
      </ul>
    </details>
  );
}

export function RunsTable({ runs }: { runs: RunListItem[] }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!runs.length) return <div className="empty">No runs yet. Pick a scenario in the <Link prefetch={false} href="/">catalogue</Link> and press Run.</div>;
  const again = async (run: RunListItem) => {
    setBusy(run.id);
    setError(null);
    try {
      router.push(`/runs/${await rerun(run)}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(null);
    }
  };
  return (
    <>
      {error ? <p className="error-box" role="alert">{error}</p> : null}
      <div className="table-wrap">
        <table className="table cards-sm" data-table="runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Scenarios</th>
              <th scope="col">Duration</th>
              <th scope="col">Trigger</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const duration = runDuration(r);
              return (
                <tr key={r.id} data-run-row={r.id}>
                  <td>
                    <Link prefetch={false} href={`/runs/${r.id}`}><code>{r.id}</code></Link>
                    <div className="faint small">{dateTime(r.createdAt)} · target {r.target}</div>
                  </td>
                  <td data-label="Status"><StatusBadge status={r.status} /></td>
                  <td data-label="Scenarios">
                    <div className="row" style={{ gap: '0.3rem' }}>
                      {r.scenarios.slice(0, 6).map((s) => (
                        <span key={s.scenarioId} className={`badge ${s.status}`} title={s.failure ? s.failure.explanation : `${s.title}: ${s.status}`}>{s.scenarioId}</span>
                      ))}
                      {r.scenarios.length > 6 ? <span className="faint small">+{r.scenarios.length - 6} more</span> : null}
                    </div>
                    {r.summary ? <div className="small muted" style={{ marginTop: 4 }}>{countsText(r.summary)}</div> : null}
                    <FailureLines run={r} />
                  </td>
                  <td className="nowrap" data-label="Duration">{ms(duration)}</td>
                  <td data-label="Trigger">{r.trigger}</td>
                  <td>
                    <button type="button" className="btn small" onClick={() => void again(r)} disabled={busy !== null} data-action="rerun">
                      {busy === r.id ? 'Starting…' : 'Re-run'}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
