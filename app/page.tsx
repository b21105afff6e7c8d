// Catalogue: every scenario, grouped and filterable by tag, each with its one-line story.
import { controlGet } from './_lib/server-api.ts';
import type { ScenarioList } from './_lib/types.ts';
import { Catalogue } from './_components/Catalogue.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: { absolute: 'fapi-sandbox · scenario catalogue' } };

export default async function CataloguePage({ searchParams }: { searchParams: Promise<{ tag?: string; q?: string }> }) {
  const [list, params] = await Promise.all([controlGet<ScenarioList>('/api/scenarios'), searchParams]);
  return (
    <>
      <div className="page-header">
        <div>
          <div className="eyebrow">Scenario catalogue</div>
          <h1>Watch sender-constrained tokens hold, and attacks fail</h1>
          <p className="lede">
            Each scenario is a short story: a client gets a token bound to its certificate (RFC 8705) or its DPoP key (RFC 9449), and
            someone tries to misuse it. Run one to see every TLS handshake, token and <code>cnf</code> check, step by step.
          </p>
        </div>
        <a className="btn" href="/compare">DPoP versus mTLS →</a>
      </div>
      {list?.errors.length ? (
        <div className="error-box" role="alert" style={{ marginBottom: '1rem' }}>
          {list.errors.length} scenario file(s) have errors:
          <ul>{list.errors.map((e) => <li key={e.text}><code>{e.text}</code></li>)}</ul>
        </div>
      ) : null}
      <Catalogue scenarios={list?.scenarios ?? []} initialTag={params.tag ?? null} initialQuery={params.q ?? ''} />
    </>
  );
}
