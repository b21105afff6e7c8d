// POST /api/runs starts scenarios against the bundled stack or a stored target and answers at once with the run id;
// GET /api/runs lists stored runs; GET /api/runs/:id returns one with its scenarios and steps;
// GET /api/runs/:id/events streams its trace (Server-Sent Events, or JSON for non-streaming clients).
import type { ControlRequest } from '../index.ts';
import { HttpError, readJson, sendJson, sendError } from '../http.ts';
import { select } from '../../engine/catalogue.ts';
import { runScenarios } from '../../engine/runner.ts';
import { bundledTarget } from '../../engine/target.ts';
import { liveRuns } from '../../engine/trace.ts';
import { targetForRun } from './targets.ts';
import type { TraceEvent } from '../../../lib/trace/events.ts';
import type { Stack } from '../../stack-types.ts';
import { RunQueue } from '../run-queue.ts';

/** One run queue per stack (tests run several stacks in one process). */
const runQueues = new WeakMap<Stack, RunQueue>();

export async function startRun({ req, res, stack }: ControlRequest): Promise<void> {
  const body = (await readJson(req)) as { scenarios?: unknown; target?: unknown };
  // A typo ("taget") must not silently run against the bundled stack.
  const extra = Object.keys(body).filter((k) => k !== 'scenarios' && k !== 'target');
  if (extra.length) throw new HttpError(400, 'invalid_request', `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k.slice(0, 50)}"`).slice(0, 5).join(', ')}: the body takes "scenarios" and "target"`);
  const wanted = body.scenarios;
  if (!Array.isArray(wanted) || !wanted.length || !wanted.every((w) => typeof w === 'string')) {
    throw new HttpError(400, 'invalid_request', 'body must be {"scenarios": ["<id or tag>", ...], "target"?: "<target id>"}');
  }
  if (body.target !== undefined && (typeof body.target !== 'string' || !body.target)) throw new HttpError(400, 'invalid_request', '"target" must be a target id (GET /api/targets)');
  const { selected, unknown } = select(stack.catalogue.get().scenarios, wanted as string[]);
  if (unknown.length) throw new HttpError(400, 'invalid_request', `no scenario or tag named ${unknown.join(', ')}`);
  const queue = runQueues.get(stack) ?? runQueues.set(stack, new RunQueue(stack.config.runs.concurrency, stack.config.runs.queue)).get(stack)!;
  if (!queue.hasRoom()) {
    return sendJson(res, 429, {
      error: 'too_many_runs',
      error_description: `${stack.config.runs.concurrency} runs are executing and ${stack.config.runs.queue} waiting (FAPI_RUN_CONCURRENCY, FAPI_RUN_QUEUE): retry later`,
    }, { 'retry-after': '5' });
  }
  // Taken at once (a slot or a place in the queue), so concurrent requests cannot all pass the check.
  const turn = queue.turn();
  let target;
  try {
    // An external target (routes/targets.ts), or the bundled stack.
    target = typeof body.target === 'string' && body.target !== 'bundled' ? await targetForRun(stack, body.target) : bundledTarget(stack);
  } catch (err) {
    void turn.then((release) => release());
    throw err;
  }
  // The web UI's own pages fetch same-origin (browsers say so in Sec-Fetch-Site); anything else is an API client.
  const trigger = req.headers['sec-fetch-site'] === 'same-origin' ? 'ui' : 'api';
  const runId = await new Promise<string>((resolve, reject) => {
    runScenarios({
      scenarios: selected, target, trigger, selection: wanted as string[], prisma: stack.db.prisma, onStart: resolve, turn,
    }).catch(reject).finally(() => void turn.then((release) => release()));
  });
  sendJson(res, 202, { runId, target: target.name, events: `/api/runs/${runId}/events`, scenarios: selected.map((s) => s.scenario.id) });
}

export async function listRuns({ res, stack, query }: ControlRequest): Promise<void> {
  const take = Math.min(Math.max(Number(query.get('limit') ?? 30) || 30, 1), 200);
  const runs = await stack.db.prisma.run.findMany({
    orderBy: { createdAt: 'desc' }, take,
    include: { scenarios: { select: { scenarioId: true, title: true, status: true, durationMs: true, failure: true }, orderBy: { position: 'asc' } } },
  });
  sendJson(res, 200, {
    runs: runs.map((r) => ({
      ...r, selection: JSON.parse(r.selection) as string[], summary: r.summary ? (JSON.parse(r.summary) as unknown) : null,
      // A failure's step and explanation (the list's one-liner); the run's own page has the rest.
      scenarios: r.scenarios.map(({ failure, ...s }) => ({ ...s, failure: failure ? failureLine(failure) : null })),
    })),
  });
}

function failureLine(stored: string): { step: number | null; explanation: string } | null {
  try {
    const f = JSON.parse(stored) as { step?: unknown; explanation?: unknown; message?: unknown };
    const explanation = typeof f.explanation === 'string' ? f.explanation : typeof f.message === 'string' ? f.message : null;
    return explanation ? { step: typeof f.step === 'number' ? f.step : null, explanation } : null;
  } catch {
    return null;
  }
}

export async function getRun({ res, stack, params }: ControlRequest): Promise<void> {
  const run = await stack.db.prisma.run.findUnique({
    where: { id: params.id! },
    include: { scenarios: { orderBy: { position: 'asc' }, include: { steps: { orderBy: { position: 'asc' } } } } },
  });
  if (!run) return sendError(res, 404, 'not_found', `no run "${params.id}"`);
  sendJson(res, 200, {
    ...run,
    selection: JSON.parse(run.selection) as string[],
    summary: run.summary ? (JSON.parse(run.summary) as unknown) : null,
    scenarios: run.scenarios.map((s) => ({ ...s, failure: s.failure ? (JSON.parse(s.failure) as unknown) : null })),
  });
}

async function storedEvents(stack: ControlRequest['stack'], runId: string, after: number): Promise<TraceEvent[]> {
  const rows = await stack.db.prisma.event.findMany({ where: { runId, seq: { gt: after } }, orderBy: { seq: 'asc' } });
  return rows.map((r) => JSON.parse(r.payload) as TraceEvent);
}

/** How often a stream follows a run another instance runs (sharing this database) in the stored trace. */
const FOLLOW_MS = 500;

/**
 * The stored events of a run this process does not run; while it is `running` (another instance on
 * the same database runs it), the new events as they are stored, until run.finished or the run stops.
 */
async function followStored(stack: ControlRequest['stack'], runId: string, after: number, write: (e: TraceEvent) => void, end: () => void, req: ControlRequest['req']): Promise<void> {
  let last = after;
  let closed = false;
  req.on('close', () => (closed = true));
  for (;;) {
    const running = (await stack.db.prisma.run.findUnique({ where: { id: runId }, select: { status: true } }))?.status === 'running';
    for (const e of await storedEvents(stack, runId, last)) {
      last = e.seq;
      write(e);
      if (e.type === 'run.finished') return end();
    }
    if (!running || closed) return closed ? undefined : end();
    await new Promise((r) => setTimeout(r, FOLLOW_MS));
  }
}

export async function runEvents({ req, res, stack, params, query }: ControlRequest): Promise<void> {
  const runId = params.id!;
  const live = liveRuns.get(runId);
  const after = Number(req.headers['last-event-id'] ?? query.get('after') ?? -1);
  const exists = live ?? (await stack.db.prisma.run.findUnique({ where: { id: runId }, select: { id: true } }));
  if (!exists) return sendError(res, 404, 'not_found', `no run "${runId}"`);
  if (!(req.headers.accept ?? '').includes('text/event-stream')) {
    const events = live ? live.events.filter((e) => e.seq > after) : await storedEvents(stack, runId, after);
    return sendJson(res, 200, { runId, live: !!live, events });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const write = (e: TraceEvent) => res.write(`id: ${e.seq}\nevent: trace\ndata: ${JSON.stringify(e)}\n\n`);
  const end = () => {
    res.write('event: end\ndata: {}\n\n');
    res.end();
  };
  if (!live) return followStored(stack, runId, after, write, end, req);
  let last = after;
  const unsubscribe = live.subscribe((e) => {
    if (e.seq <= last) return;
    last = e.seq;
    write(e);
    if (e.type === 'run.finished') {
      unsubscribe();
      end();
    }
  });
  for (const e of live.events) {
    if (e.seq <= last) continue;
    last = e.seq;
    write(e);
    if (e.type === 'run.finished') {
      unsubscribe();
      return end();
    }
  }
  req.on('close', unsubscribe);
}
