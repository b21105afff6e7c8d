'use client';
// The Run button and the live timeline: POST /api/runs, then the run's events over SSE fill the
// sequence diagram step by step. Shows how long the first trace event took to appear.
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import { buildTimeline } from '../../lib/trace/timeline.ts';
import { startRun } from '../_lib/client-api.ts';
import { ms } from '../_lib/format.ts';
import { StatusBadge } from './Badges.tsx';
import { RunTimeline } from './Timeline.tsx';
import { useRunStream } from './useRunStream.ts';

export function LiveRun({ scenarios }: { scenarios: string[] }) {
  const [runId, setRunId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const clickedAt = useRef<number | null>(null);
  const [firstEventMs, setFirstEventMs] = useState<number | null>(null);
  const stream = useRunStream(runId);
  const run = useMemo(() => buildTimeline(stream.events), [stream.events]);

  useEffect(() => {
    if (stream.events.length && clickedAt.current !== null && firstEventMs === null) {
      // Measured after the commit that put the first event on the page.
      performance.mark('fapi:first-event-shown');
      setFirstEventMs(performance.now() - clickedAt.current);
    }
  }, [stream.events.length, firstEventMs]);
  useEffect(() => {
    if (stream.done) setBusy(false);
  }, [stream.done]);

  const go = async () => {
    clickedAt.current = performance.now();
    performance.mark('fapi:run-clicked');
    setFirstEventMs(null);
    setBusy(true);
    setError(null);
    try {
      const id = await startRun(scenarios);
      performance.mark('fapi:run-accepted');
      setRunId(id);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <div>
      <div className="run-bar">
        <button type="button" className="btn primary big" onClick={go} disabled={busy} data-action="run">
          {busy ? <><span className="spinner" aria-hidden="true" /> Running…</> : runId ? 'Run scenario again' : '▶ Run scenario'}
        </button>
        {runId ? (
          <span className="row" role="status" aria-live="polite">
            <StatusBadge status={run.status} />
            {run.durationMs !== null ? <span className="muted small">{ms(run.durationMs)} end to end</span> : null}
            {firstEventMs !== null ? <span className="latency" data-first-event-ms={Math.round(firstEventMs)}>first event {ms(firstEventMs)} after Run</span> : null}
            <Link prefetch={false} className="small" href={`/runs/${runId}`}>Permanent link to this run</Link>
          </span>
        ) : (
          <span className="muted small">Runs against the bundled identity provider and gateway; the timeline fills live.</span>
        )}
      </div>
      {error ? <p className="error-box" role="alert">{error}</p> : null}
      {stream.error && !stream.events.length ? <p className="error-box" role="alert">{stream.error}</p> : null}
      {runId ? <RunTimeline run={run} oneDuration /> : null}
    </div>
  );
}
