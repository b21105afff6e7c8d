// Folds a run's trace events into the shape a timeline shows: scenarios, their steps, and inside a
// step its HTTP exchanges with the handshake, DPoP proof, tokens and server decisions that belong to
// each. Pure and incremental-safe (rebuild from the events so far); events of unknown types are kept.
import type { Decision } from './decision.ts';
import type { ExpectationResult, ScenarioStatus, StepKind, StepStatus, TraceEvent, TraceEventOf } from './events.ts';

/** One HTTP request of a step, with everything the trace recorded about it. */
export interface ExchangeView {
  /** The client's view of the TLS handshake (null for plain HTTP). */
  tls: TraceEventOf<'tls.handshake'>['tls'] | null;
  /** DPoP proofs built for this request. */
  proofs: TraceEventOf<'dpop.proof'>[];
  /** Tokens decoded before the request (client assertions, forged tokens). */
  sent: TraceEventOf<'token.decoded'>[];
  http: TraceEventOf<'http.exchange'>;
  /** What the gateway / IdP decided (empty when the target does not expose it). */
  decisions: Decision[];
  unobservable: string | null;
  /** Tokens decoded from the response (an issued access token). */
  received: TraceEventOf<'token.decoded'>[];
}

export interface StepView {
  id: string;
  index: number;
  name: string;
  kind: StepKind | string;
  actor: string | null;
  status: StepStatus | 'running';
  durationMs: number | null;
  reason: string | null;
  exchanges: ExchangeView[];
  expectations: ExpectationResult[];
  /** Every event of the step in order (the generic renderer uses the ones no card claims). */
  events: TraceEvent[];
}

export interface ScenarioView {
  scenarioRunId: string;
  scenarioId: string;
  title: string;
  status: ScenarioStatus | 'running' | 'pending';
  durationMs: number | null;
  reason: string | null;
  steps: StepView[];
  /** Scenario-level events outside any step. */
  events: TraceEvent[];
}

export interface RunView {
  runId: string | null;
  target: string | null;
  status: TraceEventOf<'run.finished'>['status'] | 'running';
  durationMs: number | null;
  counts: TraceEventOf<'run.finished'>['counts'] | null;
  scenarios: ScenarioView[];
  /** Events that belong to no scenario (beyond run.started / run.finished). */
  events: TraceEvent[];
  startedAt: string | null;
}

/** Event types the timeline folds into its structure; anything else is rendered generically. */
export const STRUCTURAL_TYPES = new Set([
  'run.started', 'run.finished', 'scenario.started', 'scenario.finished', 'step.started', 'step.finished',
  'tls.handshake', 'http.exchange', 'token.decoded', 'dpop.proof', 'server.decision', 'server.decision.unobservable', 'expectation.result',
]);

function newStep(e: Partial<TraceEventOf<'step.started'>> & { stepId: string }): StepView {
  return {
    id: e.stepId, index: e.index ?? 0, name: e.name ?? `step ${(e.index ?? 0) + 1}`, kind: e.kind ?? 'step', actor: e.actor ?? null,
    status: 'running', durationMs: null, reason: null, exchanges: [], expectations: [], events: [],
  };
}

/** Builds the run view from its events (in seq order). */
export function buildTimeline(events: readonly TraceEvent[]): RunView {
  const run: RunView = { runId: null, target: null, status: 'running', durationMs: null, counts: null, scenarios: [], events: [], startedAt: null };
  const scenarios = new Map<string, ScenarioView>();
  const steps = new Map<string, StepView>();
  // Handshakes, proofs and outgoing tokens wait here until their request's http.exchange arrives.
  const pending = new Map<string, { tls: ExchangeView['tls']; proofs: ExchangeView['proofs']; sent: ExchangeView['sent'] }>();

  const scenarioOf = (id: string, title = ''): ScenarioView => {
    let s = scenarios.get(id);
    if (!s) {
      s = { scenarioRunId: id, scenarioId: title, title, status: 'pending', durationMs: null, reason: null, steps: [], events: [] };
      scenarios.set(id, s);
      run.scenarios.push(s);
    }
    return s;
  };
  const stepOf = (e: TraceEvent): StepView | null => {
    if (!e.stepId) return null;
    let st = steps.get(e.stepId);
    if (!st) {
      st = newStep({ stepId: e.stepId, index: Number(e.stepId.split('-').pop()) || 0 });
      steps.set(e.stepId, st);
      if (e.scenarioRunId) scenarioOf(e.scenarioRunId).steps.push(st);
    }
    return st;
  };
  const pendingOf = (stepId: string) => {
    let p = pending.get(stepId);
    if (!p) pending.set(stepId, (p = { tls: null, proofs: [], sent: [] }));
    return p;
  };

  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    run.runId ??= e.runId;
    const step = stepOf(e);
    step?.events.push(e);
    const lastExchange = step?.exchanges.at(-1);
    switch (e.type) {
      case 'run.started':
        run.target = e.target;
        run.startedAt = e.at;
        for (const s of e.scenarios) Object.assign(scenarioOf(s.scenarioRunId, s.title), { scenarioId: s.id, title: s.title });
        break;
      case 'run.finished':
        Object.assign(run, { status: e.status, durationMs: e.durationMs, counts: e.counts });
        break;
      case 'scenario.started':
        Object.assign(scenarioOf(e.scenarioRunId ?? e.scenarioId), { scenarioId: e.scenarioId, title: e.title, status: 'running' });
        break;
      case 'scenario.finished':
        Object.assign(scenarioOf(e.scenarioRunId ?? e.scenarioId), { status: e.status, durationMs: e.durationMs, reason: e.reason ?? null });
        break;
      case 'step.started':
        if (step) Object.assign(step, { index: e.index, name: e.name, kind: e.kind, actor: e.actor ?? null });
        break;
      case 'step.finished':
        if (step) Object.assign(step, { status: e.status, durationMs: e.durationMs, reason: e.reason ?? null });
        break;
      case 'tls.handshake':
        if (step) pendingOf(step.id).tls = e.tls;
        break;
      case 'dpop.proof':
        if (step) pendingOf(step.id).proofs.push(e);
        break;
      case 'token.decoded':
        if (!step) break;
        // A token decoded after the response is what the server issued; before it, what the client sends.
        if (lastExchange && e.role === 'access_token' && !pending.get(step.id)?.proofs.length && !pending.get(step.id)?.tls && !pending.get(step.id)?.sent.length) {
          lastExchange.received.push(e);
        } else pendingOf(step.id).sent.push(e);
        break;
      case 'http.exchange': {
        if (!step) break;
        const p = pendingOf(step.id);
        step.exchanges.push({ tls: p.tls, proofs: p.proofs, sent: p.sent, http: e, decisions: [], unobservable: null, received: [] });
        pending.delete(step.id);
        break;
      }
      case 'server.decision':
        if (lastExchange) lastExchange.decisions.push(e.decision);
        break;
      case 'server.decision.unobservable':
        if (lastExchange) lastExchange.unobservable = e.reason;
        break;
      case 'expectation.result':
        step?.expectations.push(e.result);
        break;
      default:
        if (!step) (e.scenarioRunId ? scenarioOf(e.scenarioRunId).events : run.events).push(e);
    }
  }
  for (const s of run.scenarios) s.steps.sort((a, b) => a.index - b.index);
  return run;
}

/** The first check a server failed in this exchange, with the deciding server. */
export function refusingCheck(exchange: ExchangeView): { decision: Decision; check: Decision['checks'][number] } | null {
  for (const decision of exchange.decisions) {
    const check = decision.checks.find((c) => c.outcome === 'fail');
    if (check) return { decision, check };
  }
  return null;
}

/** The first refusing check of any exchange of the step. */
export function stepRefusal(step: StepView): ReturnType<typeof refusingCheck> {
  for (const ex of step.exchanges) {
    const r = refusingCheck(ex);
    if (r) return r;
  }
  return null;
}
