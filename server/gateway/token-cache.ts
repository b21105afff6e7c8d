// Verified access tokens, kept until their exp: a token seen again skips the signature verification
// (RFC 9068 §4 step 3), never the checks. Only successful verifications are cached, with the decoded
// JOSE header and claims, so the header checks, claims, scope and binding still run on every request.
import type { AccessTokenClaims } from './context.ts';

const LIMIT = 10_000;

export interface VerifiedToken {
  header: Record<string, unknown>;
  claims: AccessTokenClaims;
}

export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedToken>();

  get(token: string, now: number): VerifiedToken | undefined {
    const hit = this.entries.get(token);
    if (hit && typeof hit.claims.exp === 'number' && hit.claims.exp > now) return hit;
    if (hit) this.entries.delete(token);
    return undefined;
  }

  set(token: string, verified: VerifiedToken): void {
    if (typeof verified.claims.exp !== 'number') return;
    if (this.entries.size >= LIMIT) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, verified);
  }
}
