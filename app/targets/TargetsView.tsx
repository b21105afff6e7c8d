'use client';
// The Targets page body: the stored targets (name, servers, sender constraint, capabilities, last
// check), the selected one's check and runs, and the add / edit form.
import { useCallback, useEffect, useState } from 'react';
import { deleteTarget, getTarget, listTargets, type TargetSummary } from './api.ts';
import { TargetForm } from './TargetForm.tsx';
import { CheckPanel } from './CheckPanel.tsx';
import { ExampleTargets } from './ExampleTargets.tsx';
import './targets.css';

export function TargetsView() {
  const [targets, setTargets] = useState<TargetSummary[] | null>(null);
  const [keyConfigured, setKeyConfigured] = useState(true);
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<TargetSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A new key gives a fresh form (the starter YAML) after each save.
  const [formKey, setFormKey] = useState(0);

  const reload = useCallback(async () => {
    try {
      const data = await listTargets();
      setTargets(data.targets);
      setKeyConfigured(data.externalGatewayKey);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const current = targets?.find((t) => t.id === selected) ?? null;

  const remove = async (t: TargetSummary) => {
    if (!window.confirm(`Delete target ${t.name}? Its runs stay in the history.`)) return;
    await deleteTarget(t.id).catch((e: Error) => setError(e.message));
    if (selected === t.id) setSelected(null);
    await reload();
  };

  const edit = async (t: TargetSummary) => setEditing(await getTarget(t.id));

  return (
    <div className="tg-layout">
      <div className="stack">
        {error && <p className="error-box" role="alert">{error}</p>}
        {!keyConfigured && (
          <p className="note">
            To put your gateway in front of the sandbox's mock Open Banking API, start the sandbox with <code>FAPI_EXTERNAL_GATEWAY_KEY</code> set and
            have your gateway send that value in <code>x-sandbox-gateway-key</code> (README, "Your own gateway").
          </p>
        )}
        <section aria-labelledby="targets-title">
          <h2 id="targets-title">Your targets</h2>
          {targets === null && <p className="muted">Loading…</p>}
          {targets?.length === 0 && <p className="empty">No targets yet. Add one: your gateway's URL, and which authorization server issues its tokens.</p>}
          <ul className="tg-list">
            {targets?.map((t) => (
              <li key={t.id} className="card tight tg-item" aria-current={t.id === selected ? 'true' : undefined} data-target={t.name}>
                <div className="row-between">
                  <h3 style={{ margin: 0 }}>{t.name}</h3>
                  {t.lastCheck && <span className={`badge ${t.lastCheck.ok ? 'passed' : 'failed'}`}>{t.lastCheck.ok ? 'checked OK' : 'check failed'}</span>}
                </div>
                {t.description && <p className="muted small" style={{ margin: '0.25rem 0' }}>{t.description}</p>}
                {t.errors.length > 0 ? (
                  <p className="error-box">This target no longer loads: line {t.errors[0]!.line ?? '?'}, {t.errors[0]!.path}: {t.errors[0]!.message}</p>
                ) : (
                  <dl className="kv">
                    <dt>Gateway</dt>
                    <dd><code>{t.resourceServer}</code></dd>
                    <dt>Authorization server</dt>
                    <dd><code>{t.authorizationServer}</code></dd>
                    <dt>Sender constraint</dt>
                    <dd>{t.senderConstraint}</dd>
                  </dl>
                )}
                <div className="tg-caps" aria-label="Capabilities">
                  {(t.lastCheck?.capabilities ?? t.capabilities).map((c) => (
                    <span key={c} className="badge neutral">{c}</span>
                  ))}
                </div>
                <div className="row">
                  <button type="button" className="btn small primary" onClick={() => setSelected(t.id)}>Check and run</button>
                  <button type="button" className="btn small" onClick={() => void edit(t)}>Edit</button>
                  <button type="button" className="btn small ghost" onClick={() => void remove(t)}>Delete</button>
                </div>
              </li>
            ))}
          </ul>
        </section>
        <ExampleTargets
          stored={targets?.map((t) => t.name) ?? []}
          onAdded={async (t) => {
            setSelected(t.id);
            await reload();
          }}
        />
      </div>
      <div className="stack">
        {current && <CheckPanel target={current} onChecked={() => void reload()} />}
        <TargetForm
          key={editing?.id ?? `new-${formKey}`}
          editing={editing}
          onCancel={() => setEditing(null)}
          onSaved={async (t) => {
            setEditing(null);
            setFormKey((k) => k + 1);
            setSelected(t.id);
            await reload();
          }}
        />
      </div>
    </div>
  );
}
