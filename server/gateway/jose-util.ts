// Tolerant decoding of JOSE segments: malformed input yields null, never an exception. Segments
// must be canonical base64url (RFC 7515 §2, RFC 4648 §3.5: no padding, unused bits zero), so no two
// spellings of one signature are accepted.

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
