// "Copy as curl": a recorded request as a curl command line to replay from the checkout's folder
// (POSIX shell quoting), with the client certificate the request presented (certs/clients/) and the
// sandbox's root CA. A replayed DPoP proof meets the replay check (its jti was used): that is the point.
import type { HttpMessage } from '../../lib/trace/events.ts';

/** Headers curl sets itself, or that would be wrong on a replay. */
const SKIPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding']);

/** A word for a POSIX shell: single-quoted, with each ' written as '\''. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlOf(request: HttpMessage, certificate: string | null = null): string {
  const parts = ['curl', '-i'];
  if (request.method !== 'GET' || request.body) parts.push('-X', request.method);
  parts.push(shellQuote(request.url));
  if (request.url.startsWith('https:')) {
    parts.push('--cacert', 'certs/ca/root-ca.pem');
    if (certificate) parts.push('--cert', `certs/clients/${certificate}.chain.pem`, '--key', `certs/clients/${certificate}.key.pem`);
  }
  for (const [name, value] of Object.entries(request.headers)) {
    if (SKIPPED.has(name.toLowerCase())) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push('-H', shellQuote(`${name}: ${v}`));
  }
  if (request.body) parts.push('--data-raw', shellQuote(request.body));
  return parts.join(' ');
}
