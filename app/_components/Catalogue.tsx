'use client';
// The catalogue's filter (tags, text) and grouped scenario cards; the filter is kept in the URL.
import { matchesQuery } from '../_lib/search.ts';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { ScenarioDto } from '../_lib/types.ts';
import { Tag, tagLabel } from './Badges.tsx';

const FILTER_TAGS = ['mtls', 'dpop', 'attack', 'happy-path', 'fapi'];

const GROUPS: { id: string; title: string; blurb: string; match: (s: ScenarioDto) => boolean }[] = [
  { id: 'happy', title: 'Happy paths', blurb: 'Bound tokens doing their job for their rightful owner.', match: (s) => s.tags.includes('happy-path') },
  { id: 'mtls', title: 'mTLS and certificate attacks', blurb: 'Stolen certificate-bound tokens, and certificates that must not pass.', match: (s) => s.tags.includes('mtls') || s.tags.includes('tls') },
  { id: 'dpop', title: 'DPoP attacks', blurb: 'Stolen DPoP-bound tokens, replayed and broken proofs.', match: (s) => s.tags.includes('dpop') },
  { id: 'forgery', title: 'Forged tokens', blurb: 'Tokens the identity provider never signed.', match: (s) => s.tags.includes('forgery') },
  { id: 'other', title: 'Token endpoint and more', blurb: 'Client authentication, scopes, audiences, registration.', match: () => true },
];

export function Catalogue({ scenarios, initialTag, initialQuery }: { scenarios: ScenarioDto[]; initialTag: string | null; initialQuery: string }) {
  const [tag, setTag] = useState<string | null>(initialTag);
  const [query, setQuery] = useState(initialQuery);
  const sync = (t: string | null, q: string) => {
    const p = new URLSearchParams();
    if (t) p.set('tag', t);
    if (q) p.set('q', q);
    history.replaceState(null, '', p.size ? `?${p}` : location.pathname);
  };
  const shown = useMemo(() => {
    return scenarios.filter(
      (s) => (!tag || (s.tags as string[]).includes(tag)) && matchesQuery(s, query),
    );
  }, [scenarios, tag, query]);
  const grouped = useMemo(() => {
    const left = new Set(shown);
    return GROUPS.map((g) => {
      const items = [...left].filter(g.match);
      items.forEach((i) => left.delete(i));
      return { ...g, items };
    }).filter((g) => g.items.length);
  }, [shown]);
  return (
    <>
      <div className="filters" role="search">
        <span className="muted small" id="filter-label">Filter</span>
        <div className="tags" role="group" aria-labelledby="filter-label">
          <button type="button" className="tag" aria-pressed={tag === null} onClick={() => { setTag(null); sync(null, query); }}>all ({scenarios.length})</button>
          {FILTER_TAGS.map((t) => (
            <button key={t} type="button" className={`tag ${t}`} aria-pressed={tag === t} onClick={() => { const next = tag === t ? null : t; setTag(next); sync(next, query); }}>
              {tagLabel(t)} ({scenarios.filter((s) => (s.tags as string[]).includes(t)).length})
            </button>
          ))}
        </div>
        <label className="visually-hidden" htmlFor="scenario-search">Search scenarios</label>
        <input id="scenario-search" type="search" placeholder="Search: stolen, expired, jti, RFC 9449…" value={query} onChange={(e) => { setQuery(e.target.value); sync(tag, e.target.value); }} />
        <span className="muted small" role="status" aria-live="polite">{shown.length} shown</span>
      </div>
      {grouped.map((g) => (
        <section key={g.id} aria-labelledby={`group-${g.id}`} data-group={g.id}>
          <div className="group-title">
            <h2 id={`group-${g.id}`}>{g.title}</h2>
            <span className="muted small">{g.blurb}</span>
          </div>
          <div className="grid-auto">
            {g.items.map((s) => (
              <article key={s.id} className="card scenario-card" data-scenario-card={s.id}>
                <h3><Link prefetch={false} href={`/scenarios/${s.id}`}>{s.title}</Link></h3>
                <p className="story">{s.summary}</p>
                <div className="meta">
                  {s.tags.map((t) => <Tag key={t} tag={t} />)}
                  <span className="faint small" style={{ marginLeft: 'auto' }}>{s.references[0]}</span>
                </div>
              </article>
            ))}
          </div>
        </section>
      ))}
      {!shown.length ? <div className="empty">No scenario matches this filter.</div> : null}
    </>
  );
}
