// RFC 9449 §11.1 replay cache on SQLite: claiming (jkt, jti) is one INSERT OR IGNORE, atomic across
// processes and durable across a kill -9 (WAL). Rows expire with the acceptance window and are
// purged every second in small steps, so a long DPoP load never meets one long DELETE.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/** A replay cache: claims (jkt, jti) once. Answers at once in-process, or later from another process. */
export interface ReplayCache {
  claim(jkt: string, jti: string, expiresAt: number): boolean | Promise<boolean>;
  /** Several claims at once (a gateway worker's batch), in one transaction where it can. */
  claimMany?(claims: readonly (readonly [jkt: string, jti: string, expiresAt: number])[]): boolean[];
  close(): void;
}

/** Expired rows deleted per step; a step costs a few milliseconds at most. */
const PURGE_STEP = 250;

export class ReplayStore implements ReplayCache {
  private readonly insert: Database.Statement<[string, number]>;
  private readonly purgeStep: Database.Statement<[number, number]>;
  private readonly many: (claims: readonly (readonly [string, string, number])[]) => boolean[];
  private readonly timer: NodeJS.Timeout;
  private purging: NodeJS.Immediate | null = null;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO DpopProofSeen (key, expiresAt) VALUES (?, ?)');
    this.purgeStep = db.prepare('DELETE FROM DpopProofSeen WHERE key IN (SELECT key FROM DpopProofSeen WHERE expiresAt < ? LIMIT ?)');
    this.many = db.transaction((claims: readonly (readonly [string, string, number])[]) => claims.map(([jkt, jti, exp]) => this.claim(jkt, jti, exp)));
    this.timer = setInterval(() => this.purge(), 1_000);
    this.timer.unref();
  }

  /** Records the proof; false when this key already used this jti (a replay). */
  claim(jkt: string, jti: string, expiresAt: number): boolean {
    const key = createHash('sha256').update(`${jkt}\0${jti}`).digest('base64url');
    return this.insert.run(key, Math.ceil(expiresAt)).changes === 1;
  }

  claimMany(claims: readonly (readonly [string, string, number])[]): boolean[] {
    return this.many(claims);
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
