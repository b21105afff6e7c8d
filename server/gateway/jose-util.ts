// Tolerant decoding of JOSE segments (malformed input yields null, never an exception), and the
// RFC 7638 JWK thumbprint computed synchronously (a hash of ~100 bytes: no reason to go async).
import { createHash } from 'node:crypto';

/** Decodes one base64url segment holding a JSON object, or returns null. */
export function decodeJson(segment: string): Record<string, unknown> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The members RFC 7638 §3.2 hashes, per key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * RFC 7638 §3 thumbprint, SHA-256, base64url: of the required members only, in lexicographic order,
 * without whitespace. Null for an unknown kty or a required member that is missing or not a string.
 */
export function jwkThumbprint(jwk: Record<string, unknown>): string | null {
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)];
  if (!members) return null;
  const canonical: Record<string, string> = {};
  for (const m of members) {
    const v = jwk[m];
    if (typeof v !== 'string' || v === '') return null;
    canonical[m] = v;
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
