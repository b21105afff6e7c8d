'use client';
// The run history table with a re-run button per run (POST /api/runs with the same selection).
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { RunListItem } from '../_lib/types.ts';
import { rerun } from '../_lib/client-api.ts';
import { dateTime, ms } from '../_lib/format.ts';
import { StatusBadge } from './Badges.tsx';

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
        <table className="table" data-table="runs">
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
              const duration = r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.createdAt) : null;
              const c = r.summary;
              return (
                <tr key={r.id} data-run-row={r.id}>
                  <td>
                    <Link prefetch={false} href={`/runs/${r.id}`}><code>{r.id}</code></Link>
                    <div className="faint small">{dateTime(r.createdAt)} · target {r.target}</div>
                  </td>
                  <td><StatusBadge status={r.status} /></td>
                  <td>
                    <div className="row" style={{ gap: '0.3rem' }}>
                      {r.scenarios.slice(0, 6).map((s) => (
                        <span key={s.scenarioId} className={`badge ${s.status}`} title={`${s.title}: ${s.status}`}>{s.scenarioId}</span>
                      ))}
                      {r.scenarios.length > 6 ? <span className="faint small">+{r.scenarios.length - 6} more</span> : null}
                    </div>
                    {c ? <div className="small muted" style={{ marginTop: 4 }}>{c.passed} passed{c.failed ? `, ${c.failed} failed` : ''}{c.error ? `, ${c.error} errors` : ''}{c.skipped ? `, ${c.skipped} skipped` : ''}</div> : null}
                  </td>
                  <td className="nowrap">{ms(duration)}</td>
                  <td>{r.trigger}</td>
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
