// How many decisions may be written or forwarded under a flood: a token bucket (`perSecond`
// sustained, bursts up to `burst`), and which to keep when not all may go (refusals first).
import type { Decision } from '../../lib/trace/decision.ts';

export class RateBudget {
  private tokens: number;
  private at = performance.now();

  constructor(readonly perSecond: number, readonly burst: number) {
    this.tokens = burst;
  }

  /** Takes up to `wanted` tokens; returns how many were granted. */
  take(wanted: number): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    const granted = Math.max(0, Math.min(wanted, Math.floor(this.tokens)));
    this.tokens -= granted;
    return granted;
  }
}

/** The `allowed` decisions of `batch` to keep: refusals (the attacks a user looks up) first, each in arrival order. */
export function refusalsFirst(batch: readonly Decision[], allowed: number): Decision[] {
  if (allowed >= batch.length) return [...batch];
  return [...batch.filter((d) => d.response.status >= 400), ...batch.filter((d) => d.response.status < 400)].slice(0, allowed);
}
