// Scenario: the story, the actors and the planned steps, and the Run button with the live timeline.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { controlGet } from '../../_lib/server-api.ts';
import type { ScenarioDto } from '../../_lib/types.ts';
import { Tag } from '../../_components/Badges.tsx';
import { LiveRun } from '../../_components/LiveRun.tsx';
import { paragraphs } from '../../_lib/format.ts';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const s = await controlGet<ScenarioDto>(`/api/scenarios/${encodeURIComponent((await params).id)}`);
  return { title: s?.title ?? 'Scenario' };
}

function stepKind(step: object): string {
  return ['token', 'call', 'register', 'revoke', 'mint', 'clock', 'wait'].find((k) => k in step) ?? Object.keys(step).find((k) => k !== 'name' && k !== 'expect') ?? 'step';
}

export default async function ScenarioPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const s = await controlGet<ScenarioDto>(`/api/scenarios/${encodeURIComponent(id)}`);
  if (!s) return notFound();
  const attackers = new Set(Object.entries(s.actors).filter(([name, a]) => /mallory|attacker|eve/i.test(`${name} ${a.description ?? ''}`)).map(([n]) => n));
  return (
    <>
      <div className="crumbs"><Link prefetch={false} href="/">Catalogue</Link> / <code>{s.id}</code></div>
      <div className="page-header">
        <div>
          <h1>{s.title}</h1>
          <p className="lede">{s.summary}</p>
          <div className="row" style={{ marginTop: '0.75rem' }}>
            {s.tags.map((t) => <Tag key={t} tag={t} />)}
            <span className="faint small">{s.references.join(' · ')}</span>
          </div>
        </div>
      </div>
      {/* The Run button right under the title (above the fold on a 1280×720 screen); the live timeline under it. */}
      <LiveRun scenarios={[s.id]} />
      <div className="story-grid">
        <div className="stack">
          <section className="card accent" aria-labelledby="teaches">
            <h2 id="teaches">What it shows</h2>
            {paragraphs(s.teaches).map((p, i) => <p key={i}>{p}</p>)}
            <h3>What a gateway should do</h3>
            {paragraphs(s.gatewayShould).map((p, i) => <p key={i}>{p}</p>)}
          </section>
        </div>
        <div className="stack">
          <section className="card" aria-labelledby="actors">
            <h2 id="actors">Actors</h2>
            {Object.entries(s.actors).map(([name, a]) => (
              <div className="actor" key={name}>
                <span className={`avatar${attackers.has(name) ? ' attacker' : ''}`} aria-hidden="true">{name[0]!.toUpperCase()}</span>
                <div>
                  <strong>{name}</strong>{attackers.has(name) ? <span className="badge fail" style={{ marginLeft: 6 }}>attacker</span> : null}
                  <div className="small muted">
                    {a.certificate ? <>certificate <code>{a.certificate}</code></> : 'no client certificate'}
                    {a.client ? <> · client <code>{a.client}</code></> : null}
                    {a.dpopKey ? <> · DPoP key <code>{a.dpopKey}</code></> : null}
                  </div>
                  {a.description ? <div className="small">{a.description}</div> : null}
                </div>
              </div>
            ))}
          </section>
          <section className="card" aria-labelledby="plan">
            <h2 id="plan">Steps</h2>
            <ol className="planned-steps">
              {s.steps.map((st, i) => (
                <li key={i}>{st.name} <span className="faint small">({stepKind(st)})</span></li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </>
  );
}
