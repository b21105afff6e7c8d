'use client';
// The compatibility matrix's example targets (docs/COMPATIBILITY.md): one click stores one, when its
// product (nginx, HAProxy, Apache + mod_auth_openidc, a Node RS library) is installed here; otherwise
// the button is off and says what to install. Start the product as its file's header says.
import { useEffect, useState } from 'react';
import { createTarget, listExamples, type ExampleTarget, type TargetSummary } from './api.ts';

export function ExampleTargets({ stored, onAdded }: { stored: readonly string[]; onAdded: (t: TargetSummary) => void }) {
  const [examples, setExamples] = useState<ExampleTarget[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listExamples().then((d) => setExamples(d.examples), (e: Error) => setError(e.message));
  }, []);

  const add = async (e: ExampleTarget) => {
    setError(null);
    try {
      onAdded(await createTarget(e.yaml));
    } catch (err) {
      setError(`${e.id}: ${(err as Error).message}`);
    }
  };

  return (
    <section aria-labelledby="examples-title">
      <h2 id="examples-title">Example targets</h2>
      <p className="muted small">
        The gateways and libraries of the compatibility matrix (<code>docs/COMPATIBILITY.md</code>). Each runs in front of this sandbox's mock
        OB API on <code>https://localhost:9543</code>; its file under <code>examples/targets/</code> says how to start it.
      </p>
      {error && <p className="error-box" role="alert">{error}</p>}
      {examples === null && !error && <p className="muted">Loading…</p>}
      <ul className="tg-list">
        {examples?.map((e) => {
          const added = stored.includes(e.id);
          return (
            <li key={e.id} className="card tight tg-item" data-example={e.id}>
              <div className="row-between">
                <h3 style={{ margin: 0 }}>{e.id}</h3>
                <button type="button" className="btn small" disabled={added || e.missing !== null} onClick={() => void add(e)}>
                  {added ? 'Added' : 'Add'}
                </button>
              </div>
              <p className="muted small" style={{ margin: '0.25rem 0' }}>{e.product}{e.missing ? `: ${e.missing}` : ''}</p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
