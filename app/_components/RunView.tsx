'use client';
// One run: header (status, counts, duration, target, re-run) and the timeline from its event stream.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { buildTimeline } from '../../lib/trace/timeline.ts';
import type { RunDetail } from '../_lib/types.ts';
import { rerun } from '../_lib/client-api.ts';
import { countsText, dateTime, ms, runDuration } from '../_lib/format.ts';
import { StatusBadge } from './Badges.tsx';
import { RunTimeline, type StoredFailure } from './Timeline.tsx';
import { useRunStream } from './useRunStream.ts';

export function RunView({ run: stored }: { run: RunDetail }) {
  const router = useRouter();
  // Re-run streams in place (navigating first would show it finished); the address follows at once and
  // the stored page is loaded when the run ends.
  const [current, setCurrent] = useState(stored.id);
  const rerunning = current !== stored.id;
  const stream = useRunStream(current);
  const run = useMemo(() => buildTimeline(stream.events), [stream.events]);
  const [error, setError] = useState<string | null>(null);
  const status = stream.events.length ? run.status : stored.status;
  const counts = rerunning ? run.counts : run.counts ?? stored.summary;
  // One duration per run, the stored one (as the Runs list shows it): once a live run ends, the page asks for it.
  const duration = rerunning ? null : runDuration(stored);
  useEffect(() => {
    if (!stream.done) return;
    if (rerunning) router.replace(`/runs/${current}`);
    else if (stored.finishedAt === null) router.refresh();
  }, [stream.done, rerunning, current, stored.finishedAt, router]);
  return (
    <>
      <div className="page-header">
        <div>
          <div className="eyebrow">Run</div>
          <h1 className="row">
            {stored.scenarios.length === 1 ? stored.scenarios[0]!.title : `${stored.scenarios.length} scenarios`} <StatusBadge status={status} big />
          </h1>
          <p className="lede">
            {rerunning ? <>Re-run of {stored.id}, running now</> : <>Started {dateTime(stored.createdAt)} from the {stored.trigger}</>} against <strong>{stored.target}</strong>
            {duration !== null ? <> · <span data-run-duration="">{ms(duration)}</span></> : null}
            {counts ? <> · {countsText(counts)}</> : null}
          </p>
          {stored.scenarios.length === 1 ? (
            <p className="small"><Link prefetch={false} href={`/scenarios/${stored.scenarios[0]!.scenarioId}`}>About this scenario →</Link></p>
          ) : null}
        </div>
        <button
          type="button"
          className="btn primary"
          data-action="rerun"
          onClick={async () => {
            try {
              const id = await rerun(stored);
              window.history.pushState(null, '', `/runs/${id}`);
              setCurrent(id);
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          Re-run
        </button>
      </div>
      {error ? <p className="error-box" role="alert">{error}</p> : null}
      {stream.error && !stream.events.length ? <p className="error-box" role="alert">{stream.error}</p> : null}
      {!stream.events.length && !stream.error ? <p className="muted">Loading the trace…</p> : null}
      <RunTimeline run={run} level={2} oneDuration stored={stored.scenarios.length ? new Map(stored.scenarios.map((s) => [s.id, s.failure as StoredFailure | null])) : undefined} />
    </>
  );
}
