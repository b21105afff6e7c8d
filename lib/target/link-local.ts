// Link-local addresses (RFC 3927 169.254.0.0/16, RFC 4291 §2.5.6 fe80::/10, and IPv4-mapped forms):
// where cloud metadata services answer (169.254.169.254). Never a target endpoint, never dialled.

/** The eight 16-bit groups of an IPv6 address (brackets allowed), or null. */
function ipv6Groups(host: string): number[] | null {
  const h = host.replace(/^\[|\]$/g, '').split('%')[0]!.toLowerCase();
  if (!h.includes(':')) return null;
  let tail: number[] = [];
  let text = h;
  // A trailing dotted IPv4 part (::ffff:169.254.1.1).
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (dotted) {
    const b = dotted[2]!.split('.').map(Number);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    text = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = [...parse(rest ?? ''), ...tail];
  const groups = rest === undefined ? [...left, ...tail] : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** Whether a host name or address literal (as a URL's hostname, or a resolved address) is link-local. */
export function isLinkLocal(host: string): boolean {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host.startsWith('169.254.');
  const g = ipv6Groups(host);
  if (!g) return false;
  if ((g[0]! & 0xffc0) === 0xfe80) return true;
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms of 169.254.0.0/16.
  return g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0) && g[6]! >> 8 === 169 && (g[6]! & 0xff) === 254;
}
