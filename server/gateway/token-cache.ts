// Verified access tokens, kept until their exp: a token seen again skips the signature check.
// Only successful verifications are cached, and claims are still checked on every request.
import type { AccessTokenClaims } from './context.ts';

const LIMIT = 10_000;

export class VerifiedTokenCache {
  private readonly entries = new Map<string, AccessTokenClaims>();

  get(token: string, now: number): AccessTokenClaims | undefined {
    const claims = this.entries.get(token);
    if (claims && typeof claims.exp === 'number' && claims.exp > now) return claims;
    if (claims) this.entries.delete(token);
    return undefined;
  }

  set(token: string, claims: AccessTokenClaims): void {
    if (typeof claims.exp !== 'number') return;
    if (this.entries.size >= LIMIT) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, claims);
  }
}
