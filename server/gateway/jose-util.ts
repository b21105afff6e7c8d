// Tolerant decoding of JOSE segments: malformed input yields null, never an exception. Segments
// must be canonical base64url (RFC 7515 §2, RFC 4648 §3.5: no padding, unused bits zero), so no two
// spellings of one signature are accepted. And the RFC 7638 JWK thumbprint, computed synchronously.
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

/**
 * Whether every segment of a compact JWS is canonical unpadded base64url: only the alphabet, and the
 * unused low bits of the last character zero (decoders ignore them, so "...Q" and "...R" would carry
 * the same signature bytes and a token would have several accepted spellings).
 */
export function isCanonicalCompact(parts: readonly string[]): boolean {
  return parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p) && p.length % 4 !== 1 && Buffer.from(p, 'base64url').toString('base64url') === p);
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
