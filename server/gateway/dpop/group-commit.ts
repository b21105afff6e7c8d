// RFC 9449 §11.1 replay claims, group-committed: the claims of one event-loop turn go to the database
// together (one transaction on SQLite, one statement on PostgreSQL) and each answer waits for that
// write, so nothing accepted is lost on kill -9. Only the database accepts (instances share it); memory
// only refuses: a key claimed again before its write, or one this process wrote within its window.
import { createHash } from 'node:crypto';
import type { DurableClaims, ReplayCache } from './replay-store.ts';
import { KeyRing } from '../../key-ring.ts';

/** The stored key of a claim: SHA-256 of the proof key's thumbprint and the jti. */
export const replayKey = (jkt: string, jti: string): string => createHash('sha256').update(`${jkt}\0${jti}`).digest('base64url');

/** Claims per write at most (a bigger turn is written in several). */
const MAX_BATCH = 256;
/** Keys this process wrote that are kept to refuse replays in memory; older ones are left to the database. */
const RECENT_MAX = 4_096;

interface Waiter {
  resolve(fresh: boolean): void;
  reject(err: unknown): void;
}

export class GroupCommitReplay implements ReplayCache {
  /** Keys this process wrote → their expiry (s). */
  private readonly recent = new Map<string, number>();
  /** The same keys in the order written (server/key-ring.ts: a Map's own order costs a scan past deleted slots). */
  private readonly order: KeyRing<string>;
  /** Keys queued or being written → their answer. */
  private readonly pending = new Map<string, Promise<boolean>>();
  private keys: string[] = [];
  private expiries: number[] = [];
  private waiters: Waiter[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly store: DurableClaims, private readonly recentMax = RECENT_MAX) {
    this.order = new KeyRing(recentMax);
    this.timer = setInterval(() => this.forget(), 1_000);
    this.timer.unref();
  }

  /** False at once for a key this process wrote; else the answer of the write that carries the claim. */
  claim(jkt: string, jti: string, expiresAt: number): boolean | Promise<boolean> {
    const key = replayKey(jkt, jti);
    const known = this.recent.get(key);
    if (known !== undefined) {
      if (known >= Math.floor(Date.now() / 1000)) return false;
      this.recent.delete(key);
    }
    const earlier = this.pending.get(key);
    if (earlier) return earlier.then(() => false); // the first claim wins; a failed write fails both
    const answer = new Promise<boolean>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.keys.push(key);
    this.expiries.push(Math.ceil(expiresAt));
    this.pending.set(key, answer);
    if (this.keys.length >= MAX_BATCH) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
    return answer;
  }

  claimMany(claims: readonly (readonly [jkt: string, jti: string, expiresAt: number])[]): Promise<boolean[]> {
    return Promise.all(claims.map(([jkt, jti, exp]) => this.claim(jkt, jti, exp)));
  }

  /** Writes the queued claims at once and answers each from the result; an error refuses them all. */
  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const { keys, expiries, waiters } = this;
    if (!keys.length) return;
    this.keys = [];
    this.expiries = [];
    this.waiters = [];
    const settle = (fresh: boolean[]) => {
      for (let i = 0; i < keys.length; i++) {
        this.pending.delete(keys[i]!);
        if (fresh[i]) this.remember(keys[i]!, expiries[i]!);
        waiters[i]!.resolve(fresh[i] === true);
      }
    };
    const fail = (err: unknown) => {
      for (let i = 0; i < keys.length; i++) {
        this.pending.delete(keys[i]!);
        waiters[i]!.reject(err);
      }
    };
    try {
      const written = this.store.claimKeys(keys, expiries);
      if (Array.isArray(written)) settle(written);
      else written.then(settle, fail);
    } catch (err) {
      fail(err);
    }
  }

  private remember(key: string, expiresAt: number): void {
    if (!this.recentMax) return;
    if (this.order.size === this.recentMax) this.dropOldest();
    this.order.push(key);
    this.recent.set(key, expiresAt);
  }

  private dropOldest(): void {
    this.recent.delete(this.order.shift()!);
  }

  /** Drops expired keys from the oldest on (a straggler behind a later expiry is checked when looked up). */
  private forget(now = Math.floor(Date.now() / 1000)): void {
    while (this.order.size && (this.recent.get(this.order.oldest()!) ?? 0) < now) this.dropOldest();
  }

  /** Writes what is queued, then closes the store. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
    this.store.close();
  }
}
