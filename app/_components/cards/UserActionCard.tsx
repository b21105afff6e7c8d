// What the customer did on a bank page: who signed in (the password is never recorded), which
// accounts were ticked, Allow or Don't allow; the form fields the browser sent.
import type { TraceEventOf } from '../../../lib/trace/events.ts';
import { shortPath } from '../../_lib/lanes.ts';

const MASK = /^•+$/;

export function UserActionCard({ e, page }: { e: TraceEventOf<'browser.submit'>; page: TraceEventOf<'browser.page'> | null }) {
  const fields = page?.forms.flatMap((f) => f.fields) ?? [];
  const buttons = page?.forms.flatMap((f) => f.buttons) ?? [];
  const labelOf = (name: string, value: string) => fields.find((f) => f.name === name && (f.type !== 'checkbox' || f.value === value))?.label;
  const entries = Object.entries(e.fields).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })));
  const decision = entries.find((x) => x.name === 'decision')?.value;
  return (
    <div role="group" className={`card user-action${decision === 'reject' ? ' declined' : ''}`} aria-label="User action" data-card="user-action">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">PSU</span>
        <h3>User action</h3>
      </div>
      <p className="user-said" data-action-label="">{e.label}</p>
      <table className="claims-table">
        <caption className="visually-hidden">Form fields the browser sent</caption>
        <thead><tr><th scope="col">Field</th><th scope="col">Value sent</th></tr></thead>
        <tbody>
          {entries.map(({ name, value }, i) => {
            const secret = MASK.test(value);
            const button = buttons.find((b) => b.name === name && b.value === value);
            const label = button ? `pressed “${button.text}”` : labelOf(name, value);
            return (
              <tr key={i} data-field={name}>
                <th scope="row"><code>{name}</code></th>
                <td>
                  <code>{value}</code>
                  {secret ? <span className="small muted"> masked: the engine never records a password</span> : null}
                  {label && !secret && label.toLowerCase() !== name.toLowerCase() ? <div className="small muted">{label}</div> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="small muted" style={{ margin: '0.4rem 0 0' }}>Posted to <code title={e.url}>{shortPath(e.url)}</code> with the page's anti-forgery token.</p>
    </div>
  );
}
