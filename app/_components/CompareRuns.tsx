'use client';
// The two paired scenarios run together and drawn side by side, each headed by the comparison that
// stopped the attacker (cnf against what was presented). Shows the latest stored run of the pair
// until "Run both" starts a new one.
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import type { TraceEvent } from '../../lib/trace/events.ts';
import { buildTimeline, refusingCheck, type ScenarioView } from '../../lib/trace/timeline.ts';
import { getJson, startRun } from '../_lib/client-api.ts';
import { bindingOf, tokensOf } from '../_lib/tokens.ts';
import type { RunListItem } from '../_lib/types.ts';
import { PAIR } from '../_lib/compare.ts';
import { StatusBadge } from './Badges.tsx';
import { BindingCompare } from './cards/TokenCard.tsx';
import { PresentBar, ScenarioTimeline } from './Timeline.tsx';
import { usePresentation } from './usePresentation.ts';
import { useConfig } from './useConfig.ts';
import { useRunStream } from './useRunStream.ts';

const BINDING_CHECKS = new Set(['mtls.cnf-thumbprint-match', 'dpop.cnf-jkt-match']);

function DecisiveBinding({ scenario }: { scenario: ScenarioView }) {
  for (const step of scenario.steps) {
    for (const ex of step.exchanges) {
      const refusal = refusingCheck(ex);
      if (!refusal || !BINDING_CHECKS.has(refusal.check.id)) continue;
      const token = tokensOf(ex).find((t) => t.direction === 'sent' && t.role === 'access_token');
      if (!token) continue;
      return (
        <div className="card tight" data-decisive={refusal.check.id}>
          <h4>What stopped the attacker (step {step.index + 1})</h4>
          <BindingCompare b={bindingOf(token, ex)} />
          <p className="small" style={{ margin: 0 }}><code>{refusal.check.id}</code> failed: the gateway answered {ex.http.response?.status}.</p>
        </div>
      );
    }
  }
  return null;
}

export function CompareRuns({ titles }: { titles: { mtls: string; dpop: string } }) {
  const config = useConfig();
  const [stored, setStored] = useState<{ id: string; events: TraceEvent[] } | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const live = useRunStream(runId);

  useEffect(() => {
    let alive = true;
    (async () => {
      const { runs } = await getJson<{ runs: RunListItem[] }>('/api/runs?limit=50');
      const last = runs.find((r) => r.status !== 'running' && [PAIR.mtls, PAIR.dpop].every((id) => r.scenarios.some((s) => s.scenarioId === id)));
      if (!last || !alive) return;
      const { events } = await getJson<{ events: TraceEvent[] }>(`/api/runs/${last.id}/events`);
      if (alive) setStored({ id: last.id, events });
    })()
      .catch((err: unknown) => alive && setError((err as Error).message))
      .finally(() => alive && setLoading(false));
    return () => {
      alive = false;
    };
  }, []);

  const events = runId ? live.events : (stored?.events ?? []);
  const lastRunId = runId ?? stored?.id ?? null;
  const run = useMemo(() => buildTimeline(events), [events]);
  const byId = (id: string) => run.scenarios.find((s) => s.scenarioId === id) ?? null;
  const steps = Math.max(0, ...run.scenarios.map((s) => s.steps.length));
  const present = usePresentation(steps);
  const running = !!runId && !live.done;

  return (
    <>
      <div className="run-bar">
        <button
          type="button"
          className="btn primary big"
          data-action="run-both"
          disabled={running}
          onClick={async () => {
            setError(null);
            try {
              setRunId(await startRun([PAIR.mtls, PAIR.dpop]));
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          {running ? <><span className="spinner" aria-hidden="true" /> Running…</> : '▶ Run both side by side'}
        </button>
        {events.length ? <StatusBadge status={run.status} /> : null}
        {lastRunId ? <Link prefetch={false} className="small" href={`/runs/${lastRunId}`}>{runId ? 'This run' : 'Latest run of the pair'}: {lastRunId}</Link> : null}
        {!events.length && !loading ? <span className="muted small">No run of the pair yet: press the button.</span> : null}
      </div>
      {error ? <p className="error-box" role="alert">{error}</p> : null}
      {run.scenarios.length ? <PresentBar present={present} steps={steps} /> : null}
      <div className="compare-cols">
        {(['mtls', 'dpop'] as const).map((kind) => {
          const scenario = byId(PAIR[kind]);
          return (
            <div key={kind} data-compare={kind}>
              <div className="col-head">
                <span className={`tag ${kind}`}>{kind === 'mtls' ? 'mTLS' : 'DPoP'}</span>
                <h3 style={{ margin: 0 }}><Link prefetch={false} href={`/scenarios/${PAIR[kind]}`}>{titles[kind]}</Link></h3>
              </div>
              {scenario ? (
                <div className="stack">
                  <DecisiveBinding scenario={scenario} />
                  <ScenarioTimeline scenario={scenario} config={config} autoOpen={false} level={4} present={present} />
                </div>
              ) : (
                <div className="empty">{loading ? 'Loading…' : running ? 'Starting…' : 'Not run yet.'}</div>
              )}
            </div>
          );
        })}
      </div>
    </>
  );
}
