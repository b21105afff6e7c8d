'use client';
// Add or edit a target: a few fields that write a starting target file, the YAML itself (typed,
// pasted or loaded from a file), and the server's verdict on it (each error with its line and field).
import { useState, type ChangeEvent } from 'react';
import { EMPTY_FORM, targetYaml, type TargetFormFields } from './starter-yaml.ts';
import { ApiError, type ApiFieldError } from '../_lib/client-api.ts';
import { createTarget, updateTarget, type TargetSummary } from './api.ts';

export function TargetForm({ editing, onSaved, onCancel }: { editing: TargetSummary | null; onSaved: (t: TargetSummary) => void; onCancel: () => void }) {
  const [fields, setFields] = useState<TargetFormFields>(EMPTY_FORM);
  const [yaml, setYaml] = useState(editing?.yaml ?? targetYaml(EMPTY_FORM));
  const [errors, setErrors] = useState<ApiFieldError[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // The fields write the YAML only while it is still what they wrote: hand edits are never overwritten silently.
  const handEdited = !editing && yaml !== targetYaml(fields);
  const set = <K extends keyof TargetFormFields>(key: K, value: TargetFormFields[K]) => {
    const next = { ...fields, [key]: value };
    setFields(next);
    if (!handEdited) setYaml(targetYaml(next));
  };

  const loadFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) setYaml(await file.text());
  };

  const save = async () => {
    setBusy(true);
    setErrors([]);
    setMessage(null);
    try {
      onSaved(editing ? await updateTarget(editing.id, yaml) : await createTarget(yaml));
    } catch (err) {
      setMessage((err as Error).message);
      if (err instanceof ApiError) setErrors(err.errors);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="target-form-title">
      <h2 id="target-form-title">{editing ? `Edit ${editing.name}` : 'Add a target'}</h2>
      {!editing && (
        <fieldset className="tg-fields" aria-label="Quick start">
          <label className="field">
            Name
            <input type="text" value={fields.name} onChange={(e) => set('name', e.target.value)} />
          </label>
          <label className="field">
            Sender constraint your gateway enforces
            <select value={fields.senderConstraint} onChange={(e) => set('senderConstraint', e.target.value as TargetFormFields['senderConstraint'])}>
              <option value="mtls">mTLS (RFC 8705)</option>
              <option value="dpop">DPoP (RFC 9449)</option>
              <option value="both">both</option>
            </select>
          </label>
          <label className="field">
            Authorization server
            <select value={fields.authorizationServer} onChange={(e) => set('authorizationServer', e.target.value as TargetFormFields['authorizationServer'])}>
              <option value="bundled">the sandbox IdP (bundled)</option>
              <option value="discovery">yours (discovery URL)</option>
            </select>
          </label>
          {fields.authorizationServer === 'discovery' ? (
            <label className="field">
              Discovery URL
              <input type="text" value={fields.discovery} onChange={(e) => set('discovery', e.target.value)} />
            </label>
          ) : (
            <span />
          )}
          <label className="field">
            Gateway base URL
            <input type="text" value={fields.gatewayUrl} onChange={(e) => set('gatewayUrl', e.target.value)} />
          </label>
          <label className="field">
            CA bundle for your servers <span className="hint">a PEM file, relative to the sandbox directory</span>
            <input type="text" value={fields.trust} placeholder="certs/my-ca.pem" onChange={(e) => set('trust', e.target.value)} />
          </label>
        </fieldset>
      )}
      {handEdited ? (
        <p className="note small" data-hand-edited="">
          The target file below was edited by hand, so the quick-start fields no longer change it.{' '}
          <button type="button" className="btn small" onClick={() => setYaml(targetYaml(fields))}>Rewrite it from the fields</button>
        </p>
      ) : null}
      <label className="field">
        Target file (YAML) <span className="hint">schemas/target.schema.json; README "Your own gateway" explains every field</span>
        <textarea className="tg-editor" spellCheck={false} value={yaml} onChange={(e) => setYaml(e.target.value)} aria-describedby="target-form-errors" />
      </label>
      <div className="row" style={{ marginTop: '0.75rem' }}>
        <button type="button" className="btn primary" onClick={save} disabled={busy}>
          {editing ? 'Save changes' : 'Add target'}
        </button>
        <label className="btn">
          Load a file…
          <input type="file" accept=".yaml,.yml,text/yaml" onChange={loadFile} className="visually-hidden" />
        </label>
        {editing && (
          <button type="button" className="btn ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <div id="target-form-errors" role="alert">
        {message && <p className="error-box" style={{ marginTop: '0.75rem' }}>{message}</p>}
        {errors.length > 0 && (
          <ul className="tg-errors">
            {errors.map((e, i) => (
              <li key={i}>
                {e.line ? `line ${e.line}: ` : ''}
                <code>{e.path}</code>: {e.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
