// Keeps what the gateway and the IdP decided, by x-fapi-interaction-id: in memory for the engine
// and the UI to join at once, and in SQLite (written in batches, off the request path) for history.
import type { PrismaClient } from '../db/client.ts';
import type { Decision } from '../../lib/trace/decision.ts';

const MEMORY_LIMIT = 20_000;
const FLUSH_EVERY_MS = 200;
const FLUSH_BATCH = 500;

export class DecisionStore {
  private readonly recent = new Map<string, Decision[]>();
  private pending: Decision[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(d: Decision) => void>();
  private closed = false;

  constructor(private readonly prisma: PrismaClient | null) {}

  /** Records a decision; call before the response is sent so a client can look it up at once. */
  record(decision: Decision): void {
    const list = this.recent.get(decision.interactionId);
    if (list) list.push(decision);
    else this.recent.set(decision.interactionId, [decision]);
    if (this.recent.size > MEMORY_LIMIT) this.recent.delete(this.recent.keys().next().value!);
    for (const listener of this.listeners) listener(decision);
    if (!this.prisma || this.closed) return;
    this.pending.push(decision);
    if (this.pending.length >= FLUSH_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Decisions for one interaction id, from memory or the database. */
  async get(interactionId: string): Promise<Decision[]> {
    const hit = this.recent.get(interactionId);
    if (hit) return hit;
    if (!this.prisma) return [];
    const rows = await this.prisma.decision.findMany({ where: { interactionId }, orderBy: { id: 'asc' } });
    return rows.map((r) => JSON.parse(r.payload) as Decision);
  }

  /** Only the in-memory decisions (synchronous, for the in-process engine). */
  peek(interactionId: string): Decision[] {
    return this.recent.get(interactionId) ?? [];
  }

  /** Latest decisions, newest first (UI live feed). */
  latest(limit: number): Decision[] {
    const all = [...this.recent.values()].flat();
    return all.slice(-limit).reverse();
  }

  subscribe(listener: (d: Decision) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores what is pending; later decisions (requests still in flight at shutdown) stay in memory only. */
  close(): Promise<void> {
    const done = this.flush();
    this.closed = true;
    return done;
  }

  /** Writes pending decisions; resolves when everything recorded so far is stored. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (!batch.length || !this.prisma) return this.flushing;
    const prisma = this.prisma;
    this.flushing = this.flushing.then(() =>
      prisma.decision
        .createMany({
          data: batch.map((d) => ({
            interactionId: d.interactionId,
            source: d.source,
            at: new Date(d.at),
            status: d.response.status,
            payload: JSON.stringify(d),
          })),
        })
        .then(() => undefined, (err: unknown) => console.error('decision store: write failed:', err)),
    );
    return this.flushing;
  }
}
