// dpop.htu — RFC 9449 §4.3 (9): htu equals the URL the client addressed, without query and fragment,
// after normalising scheme and host case and the default port (RFC 3986 §6.2.2-3). The gateway
// compares with its configured public origins, never with the Host header a client controls.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';

/** scheme://host[:port]/path with case and default port normalised, or null when not such a URL (userinfo included). */
export function normalizeHtu(value: string): string | null {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null;
  // A request URI never carries userinfo (RFC 9110 §4.2.4): "https://attacker@host/" is not this URL.
  if (url.username || url.password) return null;
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export const dpopHtu: Check = {
  id: 'dpop.htu',
  run({ proof, publicUrl, publicOrigins }) {
    const htu = proof!.claims.htu as string;
    const got = normalizeHtu(htu);
    const path = new URL(publicUrl).pathname;
    const accepted = publicOrigins.map((o) => normalizeHtu(o + path));
    const inputs = { htu, expected: publicUrl };
    if (!got) return fail(`htu "${htu.slice(0, 100)}" is not an http(s) URL without userinfo`, INVALID_PROOF, inputs);
    return accepted.includes(got) ? pass(`htu ${got}`, inputs) : fail(`htu ${got} is not this request's URL ${publicUrl}`, INVALID_PROOF, inputs);
  },
};
