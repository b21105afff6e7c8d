'use client';
// The main navigation; marks the current section with aria-current, and shows whether every
// listener of the sandbox is up (GET /api/health). Links never prefetch (prefetch={false} across
// app/): every page is rendered on demand, and prefetching them all competes with a running
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

export function Nav() {
  const path = usePathname() ?? '/';
  const [health, setHealth] = useState<'ok' | 'bad' | 'unknown'>('unknown');
  useEffect(() => {
    let alive = true;
    fetch('/api/health', { cache: 'no-store' })
      .then((r) => alive && setHealth(r.ok ? 'ok' : 'bad'))
      .catch(() => alive && setHealth('bad'));
    return () => {
      alive = false;
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
      <span className="topbar-status" role="status">
        <span className={`dot ${health === 'ok' ? 'ok' : health === 'bad' ? 'bad' : ''}`} aria-hidden="true" />
        {health === 'ok' ? 'all listeners up' : health === 'bad' ? 'sandbox degraded' : 'checking…'}
      </span>
    </>
  );
}
