// Conformance: the FAPI 2.0 Security Profile requirements on authorization and resource servers, the
// scenarios that check each one, the ones no outside test can observe, and the mutation score; the
// same content as docs/CONFORMANCE.md, from GET /api/conformance.
import Link from 'next/link';
import { controlGet } from '../_lib/server-api.ts';
import type { ConformanceModel, CoveredRequirement } from '../../lib/conformance/model.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Conformance' };

function Rows({ rows, label }: { rows: CoveredRequirement[]; label: string }) {
  return (
    // Its own scroll container on phones (focusable, so keyboards can scroll it), never the page.
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
    <table className="table">
      <thead><tr><th scope="col">Requirement</th><th scope="col">What it asks</th><th scope="col">Scenarios</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td><code>{r.id}</code></td>
            <td>{r.text}</td>
            <td>
              {r.scenarios.length === 0 ? <strong>not covered yet</strong> : r.scenarios.map((s, i) => (
                <span key={s.id}>{i > 0 ? ', ' : ''}<Link prefetch={false} href={`/scenarios/${s.id}`} title={s.title}>{s.id}</Link></span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

export default async function ConformancePage() {
  const model = await controlGet<ConformanceModel>('/api/conformance');
  if (!model) return <p className="error-box">The conformance data is not available.</p>;
  const observable = model.requirements.filter((r) => !r.unobservable);
  const covered = observable.filter((r) => r.scenarios.length > 0).length;
  const m = model.mutants;
  const measured = m?.checks.filter((c) => c.observable) ?? [];
  const killed = measured.filter((c) => c.killedBy.length > 0).length;
  return (
    <>
      <div className="page-header">
        <div>
          <div className="eyebrow">FAPI 2.0 Security Profile</div>
          <h1>Conformance</h1>
          <p className="lede">
            {covered} of {observable.length} requirements that a test from outside can observe are checked by at least one scenario.
            A scenario counts when its references cite the requirement. The same page is <code>docs/CONFORMANCE.md</code>.
          </p>
        </div>
      </div>
      <h2>Authorization server</h2>
      <Rows rows={observable.filter((r) => r.party === 'authorization server')} label="Authorization server requirements" />
      <h2>Resource server</h2>
      <Rows rows={observable.filter((r) => r.party === 'resource server')} label="Resource server requirements" />
      <h2>Not observable from outside</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Requirements not observable from outside">
      <table className="table">
        <thead><tr><th scope="col">Requirement</th><th scope="col">What it asks</th><th scope="col">Why</th></tr></thead>
        <tbody>
          {model.requirements.filter((r) => r.unobservable).map((r) => (
            <tr key={r.id}><td><code>{r.id}</code></td><td>{r.text}</td><td>{r.unobservable}</td></tr>
          ))}
        </tbody>
      </table>
      </div>
      <h2>Mutation score</h2>
      {m ? (
        <p>Measured {m.generatedAt}: {killed} of {measured.length} observable checks make at least one scenario fail when disabled.</p>
      ) : (
        <p>Not measured yet: <code>docs/mutants.json</code> does not exist (<code>npm run mutants</code> writes it).</p>
      )}
    </>
  );
}
