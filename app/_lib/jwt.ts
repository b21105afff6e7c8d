// Decodes a compact JWT for display only (no verification): the browser shows what was sent.
import type { DecodedJwt } from '../../lib/trace/events.ts';

function b64urlJson(part: string): unknown {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = b64urlJson(parts[0]!);
    const claims = b64urlJson(parts[1]!);
    if (!header || typeof header !== 'object' || !claims || typeof claims !== 'object') return null;
    return { header: header as Record<string, unknown>, claims: claims as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** The access token of an Authorization header value ("Bearer x" / "DPoP x"), with its scheme. */
export function authorizationToken(value: string | string[] | undefined): { scheme: string; token: string } | null {
  const v = Array.isArray(value) ? value[0] : value;
  const m = v ? /^(\S+)\s+(.+)$/.exec(v.trim()) : null;
  return m ? { scheme: m[1]!, token: m[2]! } : null;
}
