// The 404 page: what was not found and where to go instead (unknown addresses, scenarios, runs).
import Link from 'next/link';

export const metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <div className="not-found">
      <div className="eyebrow">404</div>
      <h1>This page does not exist</h1>
      <p className="lede">The address may be mistyped, or the scenario or run it names is not in this sandbox (runs live in its database; a fresh data folder starts empty).</p>
      <ul className="not-found-links">
        <li><Link prefetch={false} href="/">The scenario catalogue</Link></li>
        <li><Link prefetch={false} href="/runs">Every stored run</Link></li>
        <li><Link prefetch={false} href="/pki">The certificates</Link></li>
      </ul>
    </div>
  );
}
