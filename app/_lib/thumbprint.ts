// Digests as people compare them: base64url thumbprints (x5t#S256, jkt, PKCE challenges) in groups of
// four characters, and the digests inside a sentence picked out to be set in a monospace face.

/** A base64url or hex digest of at least 27 characters (a SHA-256 thumbprint is 43), not an identifier such as a UUID. */
export const isDigestLike = (s: string) => /^[A-Za-z0-9_-]{27,}={0,2}$/.test(s) && !/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/i.test(s);

/** "qLf0TgJ9voZh…" → ["qLf0", "TgJ9", "voZh", …]. */
export function groupsOf(value: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += size) out.push(value.slice(i, i + size));
  return out;
}

/** A sentence cut into plain text and digests (32+ base64url characters with a digit), in order. */
export function digestParts(text: string): { text: string; digest: boolean }[] {
  const out: { text: string; digest: boolean }[] = [];
  let last = 0;
  for (const m of text.matchAll(/[A-Za-z0-9_-]{32,}/g)) {
    if (!/\d/.test(m[0])) continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index), digest: false });
    out.push({ text: m[0], digest: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), digest: false });
  return out;
}
