// RFC 9449 §11.1 replay cache in the database: claiming (jkt, jti) is one insert that the primary key
// makes atomic across processes and instances: INSERT OR IGNORE on SQLite (durable across a kill -9 in
// WAL mode), INSERT ... ON CONFLICT DO NOTHING on PostgreSQL; the row count is the answer. Rows expire
// with the acceptance window and are purged every second in small steps, so a long DPoP load never
// meets one long DELETE. The gateway reaches them through GroupCommitReplay (group-commit.ts), which
// writes one event-loop turn's claims at once.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Db } from '../../db/client.ts';
import { GroupCommitReplay, replayKey } from './group-commit.ts';

/** A replay cache: claims (jkt, jti) once. Answers at once in-process, or later from another process. */
export interface ReplayCache {
  claim(jkt: string, jti: string, expiresAt: number): boolean | Promise<boolean>;
  /** Several claims at once (a gateway worker's batch), in one statement or transaction. */
  claimMany?(claims: readonly (readonly [jkt: string, jti: string, expiresAt: number])[]): boolean[] | Promise<boolean[]>;
  close(): void;
}

/** The database half of a replay cache: claims keys (replayKey) already distinct, in one write. */
export interface DurableClaims {
  /** Per key, true when this write recorded it (false: it was there already). */
  claimKeys(keys: readonly string[], expiresAt: readonly number[]): boolean[] | Promise<boolean[]>;
  close(): void;
}

/** The replay cache on the sandbox database, whichever it is: group-committed (group-commit.ts). */
export function replayStoreFor(db: Db): ReplayCache {
  return new GroupCommitReplay(db.provider === 'postgresql' ? new PostgresReplayStore(db.pool) : new ReplayStore(db.sqlite));
}

/** Expired rows deleted per step; a step costs a few milliseconds at most. */
const PURGE_STEP = 250;

/** On SQLite: synchronous, so the in-process gateway answers without a turn of the event loop. */
export class ReplayStore implements ReplayCache, DurableClaims {
  private readonly insert: Database.Statement<[string, number]>;
  private readonly purgeStep: Database.Statement<[number, number]>;
  private readonly many: (keys: readonly string[], expiresAt: readonly number[]) => boolean[];
  private readonly timer: NodeJS.Timeout;
  private purging: NodeJS.Immediate | null = null;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO DpopProofSeen (key, expiresAt) VALUES (?, ?)');
    this.purgeStep = db.prepare('DELETE FROM DpopProofSeen WHERE key IN (SELECT key FROM DpopProofSeen WHERE expiresAt < ? LIMIT ?)');
    this.many = db.transaction((keys: readonly string[], expiresAt: readonly number[]) => keys.map((key, i) => this.insert.run(key, Math.ceil(expiresAt[i]!)).changes === 1));
    this.timer = setInterval(() => this.purge(), 1_000);
    this.timer.unref();
  }

  /** Records the proof; false when this key already used this jti (a replay). */
  claim(jkt: string, jti: string, expiresAt: number): boolean {
    return this.insert.run(replayKey(jkt, jti), Math.ceil(expiresAt)).changes === 1;
  }

  claimMany(claims: readonly (readonly [string, string, number])[]): boolean[] {
    return this.many(claims.map(([jkt, jti]) => replayKey(jkt, jti)), claims.map(([, , exp]) => exp));
  }

  /** One transaction, one commit: a key twice in it is recorded the first time only. */
  claimKeys(keys: readonly string[], expiresAt: readonly number[]): boolean[] {
    return this.many(keys, expiresAt);
  }

  /** Deletes expired rows, PURGE_STEP per event-loop turn, until none is left. */
  purge(now: number = Math.floor(Date.now() / 1000)): void {
    if (this.purging) return;
    const step = () => {
      this.purging = null;
      if (this.purgeStep.run(now, PURGE_STEP).changes === PURGE_STEP) this.purging = setImmediate(step);
    };
    step();
  }

  close(): void {
    clearInterval(this.timer);
    if (this.purging) clearImmediate(this.purging);
    this.purging = null;
  }
}

/**
 * On PostgreSQL, shared by every instance on the database. A batch is one statement: the keys the
 * INSERT returned are the fresh ones; a key twice in one batch is fresh the first time only.
 */
export class PostgresReplayStore implements ReplayCache, DurableClaims {
  private readonly timer: NodeJS.Timeout;
  private purging: Promise<void> | null = null;

  constructor(private readonly pool: pg.Pool) {
    this.timer = setInterval(() => void this.purge(), 1_000);
    this.timer.unref();
  }

  async claim(jkt: string, jti: string, expiresAt: number): Promise<boolean> {
    return (await this.claimKeys([replayKey(jkt, jti)], [expiresAt]))[0]!;
  }

  claimMany(claims: readonly (readonly [string, string, number])[]): Promise<boolean[]> {
    return this.claimKeys(claims.map(([jkt, jti]) => replayKey(jkt, jti)), claims.map(([, , exp]) => exp));
  }

  /** One statement (atomic, one commit): the keys it returned are the fresh ones, each once. */
  async claimKeys(keys: readonly string[], expiresAt: readonly number[]): Promise<boolean[]> {
    if (keys.length === 1) {
      const r = await this.pool.query('INSERT INTO "DpopProofSeen" ("key", "expiresAt") VALUES ($1, $2) ON CONFLICT DO NOTHING', [keys[0], Math.ceil(expiresAt[0]!)]);
      return [r.rowCount === 1];
    }
    const r = await this.pool.query<{ key: string }>(
      'INSERT INTO "DpopProofSeen" ("key", "expiresAt") SELECT * FROM unnest($1::text[], $2::int[]) ON CONFLICT DO NOTHING RETURNING "key"',
      [keys, expiresAt.map((exp) => Math.ceil(exp))],
    );
    const fresh = new Set(r.rows.map((row) => row.key));
    return keys.map((k) => fresh.delete(k));
  }

  /** Deletes expired rows, PURGE_STEP per statement, until none is left; one purge at a time. */
  purge(now: number = Math.floor(Date.now() / 1000)): Promise<void> {
    this.purging ??= (async () => {
      try {
        while ((await this.pool.query(
          'DELETE FROM "DpopProofSeen" WHERE "key" IN (SELECT "key" FROM "DpopProofSeen" WHERE "expiresAt" < $1 LIMIT $2)',
          [now, PURGE_STEP],
        )).rowCount === PURGE_STEP);
      } catch {
        // The database is away for a moment: the next tick tries again.
      } finally {
        this.purging = null;
      }
    })();
    return this.purging;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
