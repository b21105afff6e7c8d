// Decodes a compact JWS for display (no verification), or returns null for anything else.
import type { DecodedJwt } from '../../lib/trace/events.ts';

export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!header || typeof header !== 'object' || !claims || typeof claims !== 'object') return null;
    return { header: header as Record<string, unknown>, claims: claims as Record<string, unknown> };
  } catch {
    return null;
  }
}
