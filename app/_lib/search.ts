// The catalogue's text search: id, title, summary, tags and RFC references ("RFC 8705 §3"), without
// case or spaces, so "rfc8705", "RFC 8705" and "9449 §7" all find what cites them.

const squash = (text: string) => text.toLowerCase().replace(/\s+/g, '');

export function matchesQuery(s: { id: string; title: string; summary: string; tags: readonly string[]; references: readonly string[] }, query: string): boolean {
  const q = squash(query);
  return !q || squash([s.id, s.title, s.summary, ...s.tags, ...s.references].join(' ')).includes(q);
}
