'use client';
// The main navigation; marks the current section with aria-current, and shows whether every
// listener of the sandbox is up (GET /api/health, asked again every few seconds with a timeout, so a
// stopped sandbox shows as stopped instead of a stale green). Links never prefetch (prefetch={false}
// across app/): every page is rendered on demand, and prefetching them all competes with a running
// scenario for the sandbox's CPU (it tripled the time to the first trace event on 2 cores).
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';

const LINKS = [
  { href: '/', label: 'Catalogue', match: (p: string) => p === '/' || p.startsWith('/scenarios') },
  { href: '/compare', label: 'Compare', match: (p: string) => p.startsWith('/compare') },
  { href: '/runs', label: 'Runs', match: (p: string) => p.startsWith('/runs') },
  { href: '/pki', label: 'PKI', match: (p: string) => p.startsWith('/pki') },
  { href: '/playground', label: 'Playground', match: (p: string) => p.startsWith('/playground') },
  { href: '/targets', label: 'Targets', match: (p: string) => p.startsWith('/targets') },
  { href: '/conformance', label: 'Conformance', match: (p: string) => p.startsWith('/conformance') },
];

/** How often the header asks, and how long it waits for an answer. */
const POLL_MS = 5_000;
const TIMEOUT_MS = 3_000;

type Health = 'ok' | 'degraded' | 'stopped' | 'unknown';

async function askHealth(): Promise<Health> {
  try {
    const r = await fetch('/api/health', { cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
    return r.ok ? 'ok' : 'degraded';
  } catch {
    return 'stopped';
  }
}

const WORDS: Record<Health, string> = { ok: 'all listeners up', degraded: 'sandbox degraded', stopped: 'sandbox stopped', unknown: 'checking…' };

export function Nav() {
  const path = usePathname() ?? '/';
  const [health, setHealth] = useState<Health>('unknown');
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const h = await askHealth();
      if (!alive) return;
      setHealth(h);
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, []);
  return (
    <>
      <nav className="nav" aria-label="Main">
        {LINKS.map((l) => (
          <Link prefetch={false} key={l.href} href={l.href} aria-current={l.match(path) ? 'page' : undefined}>
            {l.label}
          </Link>
        ))}
      </nav>
      <span className={`topbar-status ${health}`} role="status" data-health={health}>
        <span className={`dot ${health === 'ok' ? 'ok' : health === 'unknown' ? '' : 'bad'}`} aria-hidden="true" />
        {WORDS[health]}
        {health === 'stopped' ? <>: run <code>npm start</code></> : null}
      </span>
    </>
  );
}
