// RFC 9449 §11.1 replay cache on SQLite: claiming (jkt, jti) is one INSERT OR IGNORE, atomic across
// processes and durable across a kill -9 (WAL). Rows expire with the acceptance window.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/** A replay cache: claims (jkt, jti) once. Answers at once in-process, or later from another process. */
export interface ReplayCache {
  claim(jkt: string, jti: string, expiresAt: number): boolean | Promise<boolean>;
  close(): void;
}

export class ReplayStore implements ReplayCache {
  private readonly insert: Database.Statement<[string, number]>;
  private readonly purge: Database.Statement<[number]>;
  private readonly timer: NodeJS.Timeout;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO DpopProofSeen (key, expiresAt) VALUES (?, ?)');
    this.purge = db.prepare('DELETE FROM DpopProofSeen WHERE expiresAt < ?');
    this.timer = setInterval(() => this.purge.run(Math.floor(Date.now() / 1000)), 60_000);
    this.timer.unref();
  }

  /** Records the proof; false when this key already used this jti (a replay). */
  claim(jkt: string, jti: string, expiresAt: number): boolean {
    const key = createHash('sha256').update(`${jkt}\0${jti}`).digest('base64url');
    return this.insert.run(key, Math.ceil(expiresAt)).changes === 1;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
