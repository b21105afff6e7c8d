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
  return parts.every(isCanonicalSegment);
}

/** base64url character -> its 6-bit value, -1 for anything else. */
const B64URL = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) B64URL[c.charCodeAt(0)] = i;

/**
 * One segment: only the alphabet, a length an encoder produces (not 1 mod 4), and the last character's
 * unused low bits zero (4 of them after 2 leftover characters, 2 after 3). The same verdict as decoding
 * and re-encoding, without either.
 */
function isCanonicalSegment(p: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(p)) return false;
  const rest = p.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = B64URL[p.charCodeAt(p.length - 1)]!;
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

/**
 * A JOSE header segment decoded once: a DPoP client sends the same header (typ, alg, jwk) with every
 * proof, so the decoded object is kept per segment string (bounded) and shared, read-only.
 */
const headers = new Map<string, Readonly<Record<string, unknown>> | null>();
const HEADER_LIMIT = 5_000;
export function decodeHeader(segment: string): Readonly<Record<string, unknown>> | null {
  let header = headers.get(segment);
  if (header === undefined) {
    header = decodeJson(segment);
    if (header) deepFreeze(header);
    if (headers.size >= HEADER_LIMIT) headers.delete(headers.keys().next().value!);
    headers.set(segment, header);
  }
  return header;
}

function deepFreeze(value: object): void {
  for (const v of Object.values(value)) if (v !== null && typeof v === 'object') deepFreeze(v);
  Object.freeze(value);
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
  // A frozen jwk is a shared decoded header's (decodeHeader): its thumbprint cannot change.
  if (!Object.isFrozen(jwk)) return thumbprintOf(jwk);
  let t = thumbprints.get(jwk);
  if (t === undefined) thumbprints.set(jwk, (t = thumbprintOf(jwk)));
  return t;
}
const thumbprints = new WeakMap<object, string | null>();

function thumbprintOf(jwk: Record<string, unknown>): string | null {
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
