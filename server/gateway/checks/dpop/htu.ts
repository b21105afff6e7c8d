// dpop.htu — RFC 9449 §4.3 (9): htu equals the URL the client addressed, without query and fragment,
// after normalising scheme and host case, percent-encoding, dot segments and the default port
// (RFC 3986 §6.2.2-3). The gateway
// compares with its configured public origins, never with the Host header a client controls.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** RFC 3986 §6.2.2.1-2: percent-encoded unreserved characters decoded, the other escapes' hex upper-cased. */
function normalizePercentEncoding(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

/** scheme://host[:port]/path with case, percent-encoding, dot segments and default port normalised, or null when not such a URL (userinfo included). */
export function normalizeHtu(value: string): string | null {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null;
  // A request URI never carries userinfo (RFC 9110 §4.2.4): "https://attacker@host/" is not this URL.
  if (url.username || url.password) return null;
  return `${url.protocol}//${url.host}${url.pathname.includes('%') ? normalizePercentEncoding(url.pathname) : url.pathname}`;
}

/** The normalised URLs a request URL may be addressed as (one per public origin), remembered per listener and URL. */
const acceptedMemo = new WeakMap<readonly string[], Map<string, ReadonlySet<string | null>>>();
function acceptedFor(publicUrl: string, publicOrigins: readonly string[]): ReadonlySet<string | null> {
  let byUrl = acceptedMemo.get(publicOrigins);
  if (!byUrl) acceptedMemo.set(publicOrigins, (byUrl = new Map()));
  let accepted = byUrl.get(publicUrl);
  if (!accepted) {
    const path = new URL(publicUrl).pathname;
    accepted = new Set(publicOrigins.map((o) => normalizeHtu(o + path)));
    // Paths are client-chosen: keep the memo bounded.
    if (byUrl.size >= 1_000) byUrl.delete(byUrl.keys().next().value!);
    byUrl.set(publicUrl, accepted);
  }
  return accepted;
}

/** Normalised htu values seen recently (a client sends the same htu with every proof to one URL). */
const normalized = new Map<string, string | null>();
function normalizedHtu(htu: string): string | null {
  let got = normalized.get(htu);
  if (got === undefined) {
    got = normalizeHtu(htu);
    if (normalized.size >= 1_000) normalized.delete(normalized.keys().next().value!);
    normalized.set(htu, got);
  }
  return got;
}

export const dpopHtu: Check = {
  id: 'dpop.htu',
  run({ proof, publicUrl, publicOrigins }) {
    const htu = proof!.claims.htu as string;
    const got = normalizedHtu(htu);
    const accepted = acceptedFor(publicUrl, publicOrigins);
    const inputs = { htu, expected: publicUrl };
    if (!got) return fail(`htu "${htu.slice(0, 100)}" is not an http(s) URL without userinfo`, INVALID_PROOF, inputs);
    return accepted.has(got) ? pass(`htu ${got}`, inputs) : fail(`htu ${got} is not this request's URL ${publicUrl}`, INVALID_PROOF, inputs);
  },
};
