// Keeps what the gateway and the IdP decided, by x-fapi-interaction-id: in memory for the engine
// and the UI to join at once, and in the database for history, written off the request path in small
// transactions (a ~3 KB row costs 100-400 µs to write to SQLite here; PostgreSQL takes larger batches,
// written asynchronously). The history is bounded: a token bucket
// lets `persistPerSecond` rows a second reach disk (refusals first, bursts up to `burst`), and while
// the event loop is more than half busy only refusals do; the rest stay in memory only, counted and
// reported. A scenario run or a person at the UI never comes near either limit. The interaction id
// is the client's choice, so what one id keeps is bounded too: its last `perIdLimit` decisions (in
// memory and read back from SQLite), within `totalLimit` decisions in memory in all.
import { performance as nodePerformance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Db } from '../db/client.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import { RateBudget, refusalsFirst } from './budget.ts';
import { KeyRing } from '../key-ring.ts';

export interface DecisionStoreOptions {
  /** Interaction ids kept in memory (oldest evicted first). */
  memoryLimit?: number;
  /** Decisions kept in memory in all (oldest interaction ids evicted first). */
  totalLimit?: number;
  /** Decisions kept and answered per interaction id (the newest). */
  perIdLimit?: number;
  /** Decisions written to SQLite per second, sustained; the rest are kept in memory only. */
  persistPerSecond?: number;
  /** Decisions that may be written at once after a quiet spell (a scenario run's burst). */
  burst?: number;
  flushEveryMs?: number;
  /** Whether the process is too busy to write successes (default: event loop utilisation above 50 % since the last flush). */
  busy?: () => boolean;
  /** Where "kept in memory only" is reported (at most every 10 s). */
  log?: (message: string) => void;
  /**
   * Other instances share this database (FAPI_SHARED_DATABASE): a decision someone may look up is
   * written before the answer goes out, and lookups read the database too, so the engine or the UI of
   * one instance sees what another instance's gateway or IdP decided.
   */
  shared?: boolean;
}

export interface DecisionStats {
  recorded: number;
  persisted: number;
  /** Recorded under a flood (beyond persistPerSecond, or successes while busy): in memory until evicted, never on disk. */
  memoryOnly: number;
  /** Gateway workers' successful decisions not forwarded here under a flood (server/gateway/workers.ts). */
  notForwarded: number;
}

/** True when the event loop was more than half busy since the previous call. */
function eventLoopBusy(): () => boolean {
  let last = nodePerformance.eventLoopUtilization();
  return () => {
    const now = nodePerformance.eventLoopUtilization();
    const busy = nodePerformance.eventLoopUtilization(now, last).utilization > 0.5;
    last = now;
    return busy;
  };
}

const LATEST = 500;

/** Where decision rows go: the SQLite handle (synchronous) or the PostgreSQL pool. */
export interface DecisionRows {
  /** Rows per write: on SQLite small, so one event-loop turn never stalls for long (a DPoP decision row is ~5 KB). */
  chunk: number;
  write(rows: Decision[]): void | Promise<void>;
  /** The newest `limit` payloads of one interaction id, oldest first. */
  select(interactionId: string, limit: number): string[] | Promise<string[]>;
  count(interactionId: string): number | Promise<number>;
}

export function sqliteDecisionRows(sqlite: Database.Database): DecisionRows {
  const insert = sqlite.prepare<[string, string, string, number, string]>(
    'INSERT INTO Decision (interactionId, source, at, status, payload) VALUES (?, ?, ?, ?, ?)',
  );
  const select = sqlite.prepare<[string, number], { payload: string }>(
    'SELECT payload FROM (SELECT id, payload FROM Decision WHERE interactionId = ? ORDER BY id DESC LIMIT ?) ORDER BY id',
  );
  const count = sqlite.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM Decision WHERE interactionId = ?');
  // `at` in the form Prisma writes DateTime on SQLite, so Prisma reads these rows as well.
  const write = sqlite.transaction((rows: Decision[]) => {
    for (const d of rows) insert.run(d.interactionId, d.source, d.at.replace(/Z$/, '+00:00'), d.response.status, JSON.stringify(d));
  });
  return {
    chunk: 2,
    write,
    select: (id, limit) => select.all(id, limit).map((r) => r.payload),
    count: (id) => count.get(id)!.n,
  };
}

export function postgresDecisionRows(pool: pg.Pool): DecisionRows {
  return {
    chunk: 100,
    async write(rows) {
      await pool.query(
        'INSERT INTO "Decision" ("interactionId", "source", "at", "status", "payload") SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp(3)[], $4::int[], $5::text[])',
        [rows.map((d) => d.interactionId), rows.map((d) => d.source), rows.map((d) => d.at.replace(/Z$/, '')), rows.map((d) => d.response.status), rows.map((d) => JSON.stringify(d))],
      );
    },
    async select(id, limit) {
      const r = await pool.query<{ payload: string }>(
        'SELECT payload FROM (SELECT id, payload FROM "Decision" WHERE "interactionId" = $1 ORDER BY id DESC LIMIT $2) newest ORDER BY id',
        [id, limit],
      );
      return r.rows.map((row) => row.payload);
    },
    async count(id) {
      return (await pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM "Decision" WHERE "interactionId" = $1', [id])).rows[0]!.n;
    },
  };
}

/** The decision rows of the sandbox database, whichever it is. */
export function decisionRowsFor(db: Db): DecisionRows {
  return db.provider === 'postgresql' ? postgresDecisionRows(db.pool) : sqliteDecisionRows(db.sqlite);
}

/** An interaction id's newest decisions and how many it had in all. */
interface History {
  decisions: Decision[];
  total: number;
}

export class DecisionStore {
  private readonly recent = new Map<string, History>();
  /** The ids of `recent` in insertion order (server/key-ring.ts: evicting through the Map's own order got slow once it was full). */
  private readonly order: KeyRing<string>;
  private inMemory = 0;
  /** The last LATEST decisions in arrival order (a ring), for the live feed. */
  private readonly ring: Decision[] = [];
  private ringNext = 0;
  private pending: Decision[] = [];
  /** Selected for disk, written CHUNK rows per event-loop turn. */
  private writing: Decision[] = [];
  private writer: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(d: Decision) => void>();
  private closed = false;
  /** The write in flight (PostgreSQL), awaited by flush. */
  private inFlight: Promise<void> | null = null;
  private readonly shared: boolean;
  private readonly memoryLimit: number;
  private readonly totalLimit: number;
  private readonly perIdLimit: number;
  private readonly budget: RateBudget;
  private readonly flushEveryMs: number;
  private readonly log: (message: string) => void;
  private readonly busy: () => boolean;
  private lastReport = -Infinity;
  private reportedMemoryOnly = 0;
  private readonly counts: DecisionStats = { recorded: 0, persisted: 0, memoryOnly: 0, notForwarded: 0 };

  constructor(private readonly rows: DecisionRows | null, opts: DecisionStoreOptions = {}) {
    this.memoryLimit = opts.memoryLimit ?? 20_000;
    // One more than the limit: a new id is added before the oldest goes.
    this.order = new KeyRing(this.memoryLimit + 1);
    this.totalLimit = opts.totalLimit ?? 20_000;
    this.perIdLimit = opts.perIdLimit ?? 100;
    const perSecond = opts.persistPerSecond ?? 200;
    this.budget = new RateBudget(perSecond, opts.burst ?? perSecond * 10);
    this.flushEveryMs = opts.flushEveryMs ?? 200;
    this.log = opts.log ?? ((m) => console.warn(`[fapi-sandbox] ${m}`));
    this.busy = opts.busy ?? eventLoopBusy();
    this.shared = !!opts.shared && !!rows;
  }

  /**
   * Records a decision; call before the response is sent so a client can look it up at once.
   * `lookedUp` false: the id was not the client's choice, no one will ask for it soon. Shared mode
   * writes the others through at once, outside the budget: the answer waits for the returned promise
   * (PostgreSQL), so another instance that looks the decision up after the answer finds it.
   */
  record(decision: Decision, lookedUp?: boolean): void | Promise<void> {
    this.counts.recorded++;
    const history = this.recent.get(decision.interactionId);
    if (history) {
      history.decisions.push(decision);
      history.total++;
      if (history.decisions.length > this.perIdLimit) history.decisions.shift();
      else this.inMemory++;
    } else {
      this.recent.set(decision.interactionId, { decisions: [decision], total: 1 });
      this.order.push(decision.interactionId);
      this.inMemory++;
    }
    while (this.recent.size > this.memoryLimit || this.inMemory > this.totalLimit) {
      const oldest = this.order.shift()!;
      this.inMemory -= this.recent.get(oldest)!.decisions.length;
      this.recent.delete(oldest);
    }
    this.ring[this.ringNext] = decision;
    this.ringNext = (this.ringNext + 1) % LATEST;
    for (const listener of this.listeners) listener(decision);
    if (!this.rows || this.closed) return;
    if (this.shared && lookedUp !== false) return this.writeThrough(decision);
    this.pending.push(decision);
    this.timer ??= setTimeout(() => this.flushNow(), this.flushEveryMs);
  }

  /** One interaction id's newest decisions (at most perIdLimit), from memory or the database, and how many older ones are left out. */
  async history(interactionId: string): Promise<{ decisions: Decision[]; omitted: number }> {
    if (this.shared) {
      const decisions = await this.joined(interactionId);
      return { decisions, omitted: Math.max(0, (await this.rows!.count(interactionId)) - decisions.length) };
    }
    const hit = this.recent.get(interactionId);
    if (hit) return { decisions: hit.decisions, omitted: hit.total - hit.decisions.length };
    if (!this.rows) return { decisions: [], omitted: 0 };
    const decisions = (await this.rows.select(interactionId, this.perIdLimit)).map((p) => JSON.parse(p) as Decision);
    return { decisions, omitted: decisions.length ? (await this.rows.count(interactionId)) - decisions.length : 0 };
  }

  /** Decisions for one interaction id (the newest perIdLimit), from memory or the database. */
  async get(interactionId: string): Promise<Decision[]> {
    return (await this.history(interactionId)).decisions;
  }

  /** Only the in-memory decisions (synchronous). */
  peek(interactionId: string): Decision[] {
    return this.recent.get(interactionId)?.decisions ?? [];
  }

  /** What the in-process engine joins to an exchange: this instance's decisions; shared, every instance's, from the database too. */
  lookup(interactionId: string): Decision[] | Promise<Decision[]> {
    return this.shared ? this.joined(interactionId) : this.peek(interactionId);
  }

  /** This instance's decisions for an id with those the database has (other instances'), once each, by time. */
  private async joined(interactionId: string): Promise<Decision[]> {
    const seen = new Map<string, Decision>();
    for (const d of this.recent.get(interactionId)?.decisions ?? []) seen.set(JSON.stringify(d), d);
    for (const payload of await this.rows!.select(interactionId, this.perIdLimit)) if (!seen.has(payload)) seen.set(payload, JSON.parse(payload) as Decision);
    return [...seen.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-this.perIdLimit);
  }

  private writeThrough(decision: Decision): void | Promise<void> {
    const failed = (err: unknown) => this.log(`decision store: write failed: ${(err as Error).message}`);
    try {
      const written = this.rows!.write([decision]);
      if (!written) {
        this.counts.persisted++;
        return;
      }
      return written.then(() => void this.counts.persisted++, failed);
    } catch (err) {
      failed(err);
    }
  }

  /** Latest decisions, newest first (UI live feed; at most 500). */
  latest(limit: number): Decision[] {
    const out: Decision[] = [];
    for (let i = 1; i <= Math.min(limit, LATEST); i++) {
      const d = this.ring[(this.ringNext - i + LATEST) % LATEST];
      if (!d) break;
      out.push(d);
    }
    return out;
  }

  subscribe(listener: (d: Decision) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Counts decisions a gateway worker did not forward (it reports how many). */
  noteNotForwarded(count: number): void {
    this.counts.notForwarded += count;
  }

  stats(): DecisionStats {
    return { ...this.counts };
  }

  /** Stores what is pending; later decisions (requests still in flight at shutdown) stay in memory only. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Writes every pending decision the budget allows, now (at stop, and in tests). */
  async flush(): Promise<void> {
    this.selectPending();
    if (this.writer) {
      clearImmediate(this.writer);
      this.writer = null;
    }
    await this.inFlight;
    while (this.writing.length) await this.writeChunk();
  }

  /** Moves pending decisions to the write queue within the budget; counts the others. */
  private selectPending(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (!batch.length || !this.rows) return;
    const eligible = this.busy() ? batch.filter((d) => d.response.status >= 400) : batch;
    const rows = refusalsFirst(eligible, this.budget.take(eligible.length));
    this.counts.memoryOnly += batch.length - rows.length;
    for (const d of rows) this.writing.push(d);
    this.reportMemoryOnly(performance.now());
  }

  private flushNow(): void {
    this.selectPending();
    if (this.writing.length && !this.inFlight) this.writer ??= setImmediate(() => this.writeSome());
  }

  /** One chunk per event-loop turn; an asynchronous write (PostgreSQL) finishes before the next starts. */
  private writeSome(): void {
    this.writer = null;
    const next = () => {
      if (this.writing.length) this.writer ??= setImmediate(() => this.writeSome());
    };
    const pending = this.writeChunk();
    if (!pending) return next();
    this.inFlight = pending.then(() => {
      this.inFlight = null;
      next();
    });
  }

  private writeChunk(): Promise<void> | undefined {
    const rows = this.writing.splice(0, this.rows!.chunk);
    if (!rows.length) return undefined;
    const done = () => void (this.counts.persisted += rows.length);
    const failed = (err: unknown) => this.log(`decision store: write failed: ${(err as Error).message}`);
    try {
      const written = this.rows!.write(rows);
      if (written) return written.then(done, failed);
      done();
    } catch (err) {
      failed(err);
    }
    return undefined;
  }

  private reportMemoryOnly(now: number): void {
    const fresh = this.counts.memoryOnly - this.reportedMemoryOnly;
    if (fresh <= 0 || now - this.lastReport < 10_000) return;
    this.lastReport = now;
    this.reportedMemoryOnly = this.counts.memoryOnly;
    this.log(`decision history: ${fresh} decisions kept in memory only (the history takes ${this.budget.perSecond}/s, bursts of ${this.budget.burst}, and only refusals while the gateway is busy)`);
  }
}
