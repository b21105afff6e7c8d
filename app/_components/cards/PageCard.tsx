// A bank page as the customer saw it, in miniature: the address, the heading, who asks for what in
// plain words, the form (what was typed, the password masked; the accounts with the ones ticked; the
// button pressed), the facts (when access ends, who is signed in) and any error shown.
import type { TraceEventOf } from '../../../lib/trace/events.ts';
import { pageModel } from '../../_lib/journey.ts';
import { shortPath } from '../../_lib/lanes.ts';

/** What kind of page this is, from what is on it. */
function pageKind(e: TraceEventOf<'browser.page'>): 'sign-in' | 'consent' | 'error' | 'page' {
  const fields = e.forms.flatMap((f) => f.fields);
  if (fields.some((f) => f.type === 'password')) return 'sign-in';
  if (fields.some((f) => f.type === 'checkbox' || f.type === 'radio') || e.forms.some((f) => f.buttons.some((b) => b.name === 'decision'))) return 'consent';
  return e.status >= 400 ? 'error' : 'page';
}

const TITLES = { 'sign-in': 'Bank sign-in page', consent: 'Consent page', error: 'Bank error page', page: 'Bank page' } as const;

export function PageCard({ e, submit }: { e: TraceEventOf<'browser.page'>; submit: TraceEventOf<'browser.submit'> | null }) {
  const kind = pageKind(e);
  const m = pageModel(e, submit);
  const url = URL.parse(e.url);
  const trouble = e.status >= 400 || !!e.alert;
  return (
    <div role="group" className={`card page-card${trouble ? ' is-fail' : ''}`} aria-label={TITLES[kind]} data-card="page" data-page={kind}>
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">{kind === 'error' ? '!' : 'Web'}</span>
        <h3>{TITLES[kind]}</h3>
        {e.status !== 200 ? <span className="badge fail">HTTP {e.status}</span> : null}
      </div>
      {trouble || kind === 'page' ? <p className={`small ${trouble ? 'validity-bad' : 'muted'}`} style={{ marginTop: '-0.35rem' }}>{e.label}</p> : null}
      <div className="browser-frame">
        <div className="browser-bar">
          <span className="browser-dots" aria-hidden="true"><i /><i /><i /></span>
          <span className="browser-url" title={e.url}>{url ? `${url.host}${shortPath(e.url)}` : e.url}</span>
        </div>
        <div className="browser-tab small">{e.title}</div>
        <div className="browser-page">
          {m.heading ? <div className="bp-heading" data-page-heading="">{m.heading}</div> : null}
          {m.alert ? <div className="bp-alert" role="note">{m.alert}</div> : null}
          {m.paragraphs.map((p, i) => <p key={i} className="bp-text">{p}</p>)}
          {m.sections.map((s, i) => (
            <div key={i} className="bp-section" data-permissions={kind === 'consent' ? '' : undefined}>
              {s.heading ? <div className="bp-subheading">{s.heading}</div> : null}
              <ul>{s.items.map((it, j) => <li key={j}>{it}</li>)}</ul>
            </div>
          ))}
          {m.inputs.map((f, i) => (
            <div key={i} className="bp-input">
              <span className="bp-label">{f.label}</span>
              <span className="bp-box" data-input={f.type}>{f.value ?? ''}</span>
            </div>
          ))}
          {m.choices.length ? (
            <ul className="bp-choices" aria-label="Accounts offered">
              {m.choices.map((c) => (
                <li key={c.value} className={c.picked ? 'picked' : undefined} data-account={c.value} data-picked={c.picked ? 'true' : 'false'}>
                  <span className="bp-tick" aria-hidden="true">{c.picked ? '✓' : ''}</span>
                  <span>{c.label}</span>
                  {c.picked ? <span className="badge pass">ticked</span> : <span className="faint small">not ticked</span>}
                </li>
              ))}
            </ul>
          ) : null}
          {m.facts.length ? (
            <dl className="bp-facts">
              {m.facts.map((f, i) => (
                <div key={i} style={{ display: 'contents' }}>
                  <dt>{f.term}</dt>
                  <dd>{f.value}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {m.buttons.length ? (
            <div className="bp-buttons">
              {m.buttons.map((b, i) => (
                <span key={i} className={`bp-button${b.pressed ? ' pressed' : ''}`} data-pressed={b.pressed ? 'true' : 'false'}>
                  {b.text}{b.pressed ? <span className="visually-hidden"> (pressed)</span> : null}
                </span>
              ))}
            </div>
          ) : null}
          {!m.heading && !m.sections.length && !m.inputs.length && !m.choices.length ? <p className="bp-text faint">(the page's text was not recorded in this run)</p> : null}
        </div>
      </div>
    </div>
  );
}
