// What the checks need from outside the request: the issuer's keys and identity, the DPoP replay
// cache and nonce source, the introspection client, the clock and the tunable windows.
import type { JWTVerifyGetKey } from 'jose';
import type { ReplayCache } from './dpop/replay-store.ts';
import type { NonceSource } from './dpop/nonce.ts';
import type { Introspector } from './introspection.ts';
import type { TrustAnchors } from './trust.ts';
import type { VerifiedTokenCache } from './token-cache.ts';

export interface GatewayDeps {
  issuer: string;
  /** Resolves the verification key for an access token header (local or remote JWKS). */
  accessTokenKeys: JWTVerifyGetKey;
  accessTokenAlgs: readonly string[];
  verifiedTokens: VerifiedTokenCache;
  dpopAlgs: readonly string[];
  clockToleranceSeconds: number;
  dpopIatWindowSeconds: number;
  certClockToleranceSeconds: number;
  /** Seconds since the epoch (whole seconds); tests pin it to probe the windows' edges. */
  clock: () => number;
  /** Request bodies larger than this are cut off with 413 while being forwarded. */
  maxBodyBytes: number;
  trust: TrustAnchors;
  replay: ReplayCache;
  nonces: NonceSource;
  introspect: Introspector;
}
