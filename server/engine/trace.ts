// Records one run's trace: numbers and timestamps events, hands them to live listeners (CLI
// progress, the UI's SSE stream) and stores them with the run, scenario and step rows in SQLite
// through Prisma. Writes are serialized; a finished step's events and row are one transaction,
// stored before the next step starts, so a crash loses no completed step. A failed write is kept
// and retried with the next one (no gap in the stored trace); the run itself never sees it.
import { Prisma, type PrismaClient } from '../db/client.ts';
import type { TraceEvent, TraceEventBody, RunStatus, ScenarioStatus, StepStatus } from '../../lib/trace/events.ts';
import { BOOT_ID } from './recovery.ts';

export interface Scope {
  scenarioRunId: string | null;
  stepId: string | null;
}

export type TraceListener = (event: TraceEvent) => void;

/** Runs in progress in this process, for late subscribers (the UI opening a running run). */
export const liveRuns = new Map<string, RunRecorder>();

/** One statement of a write, run when the write runs (a Prisma query runs once). */
type Write = (tx: Prisma.TransactionClient) => Promise<unknown>;

/**
 * Trace writes wait behind other transactions on SQLite (one writer): generous limits, a failed
 * write is retried with the next anyway.
 */
const TRANSACTION_LIMITS = { maxWait: 10_000, timeout: 30_000 };

export class RunRecorder {
  private seq = 0;
  private pending: TraceEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Writes asked for and not stored yet (a failed transaction's are retried with the next). */
  private backlog: Write[] = [];
  private failures = 0;
  readonly events: TraceEvent[] = [];
  private readonly listeners = new Set<TraceListener>();

  constructor(readonly runId: string, private readonly prisma: PrismaClient | null) {}

  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(body: TraceEventBody, scope: Scope = { scenarioRunId: null, stepId: null }): TraceEvent {
    const event = { runId: this.runId, seq: this.seq++, at: new Date().toISOString(), ...scope, ...body } as TraceEvent;
    this.events.push(event);
    this.pending.push(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        console.error('trace listener failed:', err);
      }
    }
    return event;
  }

  /**
   * Stores `writes` after everything asked before, in one transaction with whatever earlier writes
   * failed. After three failed attempts in a row the backlog is given up (and said so), so one bad
   * row cannot block the rest of the run.
   */
  private write(...writes: Write[]): Promise<void> {
    const prisma = this.prisma;
    if (!prisma) return this.chain;
    this.backlog.push(...writes);
    this.chain = this.chain.then(async () => {
      const batch = this.backlog.splice(0);
      if (!batch.length) return;
      try {
        // An interactive transaction, statement by statement: each statement's plan is compiled once
        // and cached by Prisma, where the array form compiles the whole batch (the events' JSON
        // included) in its query compiler every time: ~30 ms of CPU per consent journey.
        await prisma.$transaction(async (tx) => {
          for (const w of batch) await w(tx);
        }, TRANSACTION_LIMITS);
        this.failures = 0;
      } catch (err) {
        this.failures += 1;
        const dropped = this.failures >= 3;
        console.error(`trace: database write failed for run ${this.runId}${dropped ? `; ${batch.length} writes given up after 3 attempts` : '; kept for the next write'}:`, err);
        if (dropped) this.failures = 0;
        else this.backlog.unshift(...batch);
      }
    });
    return this.chain;
  }

  /**
   * The events emitted since the last write: one multi-row INSERT through Prisma's raw query API
   * (the documented bulk pattern); `event.createMany` spent ~1.7 ms of CPU per batch in Prisma's
   * query compiler, a sixth of a catalogue run. `at` is ISO text, which Prisma reads back as a Date.
   */
  private takeEvents(): Write[] {
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return [];
    const rows = batch.map((e) => Prisma.sql`(${e.runId}, ${e.seq}, ${e.at}, ${e.scenarioRunId}, ${e.stepId}, ${e.type}, ${JSON.stringify(e)})`);
    return [(p) => p.$executeRaw`INSERT INTO "Event" ("runId", "seq", "at", "scenarioRunId", "stepId", "type", "payload") VALUES ${Prisma.join(rows)}`];
  }

  createRun(run: { trigger: string; target: string; selection: string[]; scenarios: { id: string; scenarioId: string; title: string; position: number }[] }): Promise<void> {
    return this.write((p) =>
      p.run.create({
        data: {
          id: this.runId, status: 'running', pid: process.pid, bootId: BOOT_ID, trigger: run.trigger, target: run.target, selection: JSON.stringify(run.selection),
          scenarios: { create: run.scenarios.map((s) => ({ id: s.id, scenarioId: s.scenarioId, title: s.title, position: s.position, status: 'pending' })) },
        },
      }),
    );
  }

  scenarioStarted(id: string): Promise<void> {
    const startedAt = new Date();
    return this.write((p) => p.scenarioRun.update({ where: { id }, data: { status: 'running', startedAt } }));
  }

  scenarioFinished(id: string, status: ScenarioStatus, durationMs: number, failure: unknown): Promise<void> {
    const data = { status, finishedAt: new Date(), durationMs: Math.round(durationMs), failure: failure ? JSON.stringify(failure) : null };
    return this.write(...this.takeEvents(), (p) => p.scenarioRun.update({ where: { id }, data }));
  }

  stepFinished(step: { id: string; scenarioRunId: string; position: number; name: string; kind: string; status: StepStatus; durationMs: number }): Promise<void> {
    const data = { ...step, durationMs: Math.round(step.durationMs) };
    return this.write(...this.takeEvents(), (p) => p.step.create({ data }));
  }

  runFinished(status: RunStatus, summary: unknown): Promise<void> {
    const data = { status, finishedAt: new Date(), summary: JSON.stringify(summary) };
    return this.write(...this.takeEvents(), (p) => p.run.update({ where: { id: this.runId }, data }));
  }
}
