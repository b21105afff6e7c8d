'use client';
// The Playground form and results: a token from the IdP (POST /api/playground/token) or pasted, then
// a gateway call (POST /api/playground/call) with a chosen certificate, route and DPoP mutations.
// Results are the engine's trace events, drawn with the run view's own cards.
import { useMemo, useState, type ReactNode } from 'react';
import type { TraceEvent } from '../../lib/trace/events.ts';
import { buildTimeline, refusingCheck } from '../../lib/trace/timeline.ts';
import { postJson } from '../_lib/client-api.ts';
import { decodeJwt } from '../_lib/jwt.ts';
import { issuedTokens, type TokenOrigin } from '../_lib/tokens.ts';
import type { PlaygroundOptions } from '../_lib/types.ts';
import { HttpBadge } from './Badges.tsx';
import { ExchangeDetail } from './StepDetail.tsx';

interface Result {
  id: number;
  kind: 'token' | 'call';
  title: string;
  status: number | null;
  events: TraceEvent[];
}

type Jti = 'random' | 'reuse' | 'custom';

function Section({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  return (
    <fieldset>
      <legend>{n} · {title}</legend>
      <div className="stack" style={{ gap: '0.7rem' }}>{children}</div>
    </fieldset>
  );
}

function CertSelect({ id, label, value, onChange, options }: { id: string; label: string; value: string; onChange: (v: string) => void; options: PlaygroundOptions['certificates'] }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">none: no client certificate</option>
        <optgroup label="Sandbox PKI">
          {options.filter((c) => !c.minted).map((c) => <option key={c.name} value={c.name}>{c.name} ({c.role})</option>)}
        </optgroup>
        {options.some((c) => c.minted) ? (
          <optgroup label="Minted on the PKI page">
            {options.filter((c) => c.minted).map((c) => <option key={c.name} value={c.name}>{c.name} ({c.role})</option>)}
          </optgroup>
        ) : null}
      </select>
    </div>
  );
}

export function Playground({ options }: { options: PlaygroundOptions }) {
  const firstRoute = options.routes[0]?.prefix ?? '/open-banking/v3.1/aisp';
  // 1 · token
  const [client, setClient] = useState('tpp-alpha');
  const [tokenCert, setTokenCert] = useState('tpp-alpha');
  const [auth, setAuth] = useState('auto');
  const [bindDpop, setBindDpop] = useState(false);
  const [bindKey, setBindKey] = useState('client-key');
  const [scope, setScope] = useState('accounts');
  const [token, setToken] = useState('');
  // 2 · request
  const [callCert, setCallCert] = useState('tpp-alpha');
  const [via, setVia] = useState<'gateway' | 'gatewayStrict'>('gateway');
  const [route, setRoute] = useState(firstRoute);
  const [resource, setResource] = useState(options.resources[0] ?? '/accounts');
  const [method, setMethod] = useState('GET');
  const [scheme, setScheme] = useState('auto');
  const [tokenIn, setTokenIn] = useState<'header' | 'query'>('header');
  // 3 · DPoP
  const [sendDpop, setSendDpop] = useState(false);
  const [proofKey, setProofKey] = useState('client-key');
  const [htm, setHtm] = useState('');
  const [htu, setHtu] = useState('');
  const [iatOffset, setIatOffset] = useState('0');
  const [jtiMode, setJtiMode] = useState<Jti>('random');
  const [jti, setJti] = useState('');
  const [ath, setAth] = useState('auto');
  const [alg, setAlg] = useState('ES256');
  const [privateJwk, setPrivateJwk] = useState(false);
  const [omit, setOmit] = useState<string[]>([]);

  const [results, setResults] = useState<Result[]>([]);
  const [busy, setBusy] = useState<null | 'token' | 'call'>(null);
  const [error, setError] = useState<string | null>(null);

  const decoded = useMemo(() => (token ? decodeJwt(token.trim()) : null), [token]);
  const cnf = decoded?.claims.cnf as Record<string, string> | undefined;
  const lastJti = useMemo(() => {
    for (const r of results) {
      const p = r.events.findLast((e) => e.type === 'dpop.proof');
      if (p && p.type === 'dpop.proof' && typeof p.proof.claims.jti === 'string') return p.proof.claims.jti;
    }
    return null;
  }, [results]);
  const issued = useMemo(() => {
    const steps = results.filter((r) => r.kind === 'token').flatMap((r) => buildTimeline(r.events).scenarios.flatMap((s) => s.steps.map((st) => ({ st, r }))));
    const map = new Map<string, TokenOrigin>();
    for (const { st, r } of steps) for (const [k, v] of issuedTokens([st], () => `by “Get a token” #${r.id}`)) map.set(k, v);
    return map;
  }, [results]);

  const push = (r: Omit<Result, 'id'>) => {
    setResults((list) => [{ ...r, id: (list[0]?.id ?? 0) + 1 }, ...list].slice(0, 8));
    // Bring the new answer into view (below the form on narrow screens).
    requestAnimationFrame(() => document.querySelector('[data-result]')?.scrollIntoView({ block: 'nearest' }));
  };

  const getToken = async () => {
    setBusy('token');
    setError(null);
    try {
      const r = await postJson<{ status: number | null; token: string | null; events: TraceEvent[] }>('/api/playground/token', {
        client, certificate: tokenCert || null, auth, dpop: bindDpop, dpopKey: bindKey, scope,
      });
      if (r.token) setToken(r.token);
      push({ kind: 'token', title: `Token for ${client}${tokenCert ? ` with ${tokenCert}` : ''}${bindDpop ? `, DPoP-bound to ${bindKey}` : ''}`, status: r.status, events: r.events });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const send = async () => {
    setBusy('call');
    setError(null);
    const offset = Number(iatOffset) || 0;
    const dpop = sendDpop
      ? {
          key: proofKey, ath, embedPrivateKey: privateJwk, omitClaims: omit,
          ...(htm ? { htm } : {}), ...(htu ? { htu } : {}), ...(offset ? { iatOffset: offset } : {}), ...(alg !== 'ES256' ? { alg } : {}),
          ...(jtiMode === 'reuse' && lastJti ? { jti: lastJti } : jtiMode === 'custom' && jti ? { jti } : {}),
        }
      : null;
    const path = `${route}${resource}`;
    try {
      const r = await postJson<{ status: number | null; events: TraceEvent[] }>('/api/playground/call', {
        certificate: callCert || null, via, method, path, tokenIn, ...(dpop ? { dpop } : {}),
        ...(token.trim() ? { token: token.trim() } : {}), ...(scheme !== 'auto' ? { scheme } : {}),
      });
      push({ kind: 'call', title: `${method} ${path} with ${callCert || 'no certificate'}${sendDpop ? ` + DPoP (${proofKey})` : ''}`, status: r.status, events: r.events });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const chooseClient = (id: string) => {
    setClient(id);
    const c = options.clients.find((x) => x.clientId === id);
    if (c) {
      setTokenCert(c.certificate ?? '');
      setBindDpop(c.binding === 'dpop');
    }
  };

  return (
    <div className="pg-layout">
      <form className="pg-panel" onSubmit={(e) => { e.preventDefault(); void send(); }} aria-label="Playground request" data-form="playground">
        <Section n={1} title="A token">
          <div className="form-grid" style={{ gridTemplateColumns: '1fr 1fr' }}>
            <div className="field">
              <label htmlFor="pg-client">Client</label>
              <select id="pg-client" value={client} onChange={(e) => chooseClient(e.target.value)}>
                {options.clients.map((c) => <option key={c.clientId} value={c.clientId}>{c.clientId} ({c.binding === 'none' ? 'bearer' : c.binding})</option>)}
              </select>
            </div>
            <CertSelect id="pg-token-cert" label="Certificate at the token endpoint" value={tokenCert} onChange={setTokenCert} options={options.certificates} />
            <div className="field">
              <label htmlFor="pg-auth">Client authentication</label>
              <select id="pg-auth" value={auth} onChange={(e) => setAuth(e.target.value)}>
                <option value="auto">auto (certificate or private_key_jwt)</option>
                <option value="tls_client_auth">tls_client_auth</option>
                <option value="self_signed_tls_client_auth">self_signed_tls_client_auth</option>
                <option value="private_key_jwt">private_key_jwt</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="pg-scope">Scope</label>
              <input id="pg-scope" type="text" value={scope} onChange={(e) => setScope(e.target.value)} />
            </div>
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={bindDpop} onChange={(e) => setBindDpop(e.target.checked)} />
            <span>Bind with DPoP, to
              <select aria-label="DPoP key to bind to" value={bindKey} onChange={(e) => setBindKey(e.target.value)} style={{ width: 'auto', marginLeft: 6, padding: '0.1rem 0.3rem' }}>
                {options.keys.map((k) => <option key={k.name} value={k.name}>{k.name}</option>)}
              </select>
            </span>
          </label>
          <button type="button" className="btn" onClick={() => void getToken()} disabled={busy !== null} data-action="get-token">
            {busy === 'token' ? 'Asking the identity provider…' : 'Get a token'}
          </button>
          <div className="field">
            <label htmlFor="pg-token">Access token <span className="hint">from above, or paste one</span></label>
            <textarea id="pg-token" value={token} onChange={(e) => setToken(e.target.value)} rows={3} placeholder="eyJ…" spellCheck={false} />
            {token ? (
              <span className="small muted" data-token-binding>
                {cnf?.['x5t#S256'] ? <>bound to a certificate: <code>x5t#S256 {cnf['x5t#S256']}</code></> : cnf?.jkt ? <>bound to a DPoP key: <code>jkt {cnf.jkt}</code></> : decoded ? 'no cnf: a bearer token' : 'not a JWT (opaque, or not a token)'}
              </span>
            ) : null}
          </div>
        </Section>
        <Section n={2} title="The request">
          <CertSelect id="pg-call-cert" label="Certificate presented to the gateway" value={callCert} onChange={setCallCert} options={options.certificates} />
          <div className="form-grid" style={{ gridTemplateColumns: '1fr 1fr' }}>
            <div className="field" style={{ gridColumn: '1 / -1' }}>
              <label htmlFor="pg-route">Gateway route</label>
              <select id="pg-route" value={route} onChange={(e) => setRoute(e.target.value)}>
                {options.routes.map((r) => <option key={r.id} value={r.prefix}>{r.prefix} ({r.binding})</option>)}
              </select>
              <span className="hint">{options.routes.find((r) => r.prefix === route)?.summary}</span>
            </div>
            <div className="field">
              <label htmlFor="pg-resource">Resource</label>
              <select id="pg-resource" value={resource} onChange={(e) => setResource(e.target.value)}>
                {options.resources.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor="pg-listener">Listener</label>
              <select id="pg-listener" value={via} onChange={(e) => setVia(e.target.value as 'gateway' | 'gatewayStrict')}>
                <option value="gateway">lenient (checks as HTTP 401)</option>
                <option value="gatewayStrict">strict TLS (handshake refusals)</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="pg-method">Method</label>
              <select id="pg-method" value={method} onChange={(e) => setMethod(e.target.value)}>
                {['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].map((m) => <option key={m}>{m}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor="pg-scheme">Authorization scheme</label>
              <select id="pg-scheme" value={scheme} onChange={(e) => setScheme(e.target.value)}>
                <option value="auto">auto (DPoP with a proof)</option>
                <option value="Bearer">Bearer</option>
                <option value="DPoP">DPoP</option>
              </select>
            </div>
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={tokenIn === 'query'} onChange={(e) => setTokenIn(e.target.checked ? 'query' : 'header')} />
            <span>Send the token in the query string (must be refused)</span>
          </label>
        </Section>
        <Section n={3} title="DPoP proof">
          <label className="checkbox">
            <input type="checkbox" checked={sendDpop} onChange={(e) => setSendDpop(e.target.checked)} data-field="send-dpop" />
            <span>Send a DPoP proof, signed with
              <select aria-label="DPoP proof key" value={proofKey} onChange={(e) => setProofKey(e.target.value)} style={{ width: 'auto', marginLeft: 6, padding: '0.1rem 0.3rem' }}>
                {options.keys.map((k) => <option key={k.name} value={k.name}>{k.name}</option>)}
              </select>
            </span>
          </label>
          {sendDpop ? (
            <>
              <div className="form-grid" style={{ gridTemplateColumns: '1fr 1fr' }}>
                <div className="field">
                  <label htmlFor="pg-htm">htm override</label>
                  <input id="pg-htm" type="text" value={htm} onChange={(e) => setHtm(e.target.value)} placeholder={method} />
                </div>
                <div className="field">
                  <label htmlFor="pg-iat">iat offset (s)</label>
                  <input id="pg-iat" type="number" value={iatOffset} onChange={(e) => setIatOffset(e.target.value)} step={1} />
                </div>
                <div className="field" style={{ gridColumn: '1 / -1' }}>
                  <label htmlFor="pg-htu">htu override</label>
                  <input id="pg-htu" type="text" value={htu} onChange={(e) => setHtu(e.target.value)} placeholder="the request URL" />
                </div>
                <div className="field">
                  <label htmlFor="pg-jti">jti</label>
                  <select id="pg-jti" value={jtiMode} onChange={(e) => setJtiMode(e.target.value as Jti)}>
                    <option value="random">fresh (random)</option>
                    <option value="reuse" disabled={!lastJti}>reuse the last proof's jti</option>
                    <option value="custom">custom</option>
                  </select>
                  {jtiMode === 'custom' ? <input aria-label="custom jti" type="text" value={jti} onChange={(e) => setJti(e.target.value)} /> : null}
                </div>
                <div className="field">
                  <label htmlFor="pg-ath">ath</label>
                  <select id="pg-ath" value={ath} onChange={(e) => setAth(e.target.value)}>
                    <option value="auto">hash of the token</option>
                    <option value="omit">omitted</option>
                    <option value="wrong">hash of another token</option>
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="pg-alg">alg</label>
                  <select id="pg-alg" value={alg} onChange={(e) => setAlg(e.target.value)}>
                    <option value="ES256">ES256 (signed)</option>
                    <option value="none">none (unsigned)</option>
                    <option value="HS256">HS256 (made-up secret)</option>
                  </select>
                </div>
              </div>
              <label className="checkbox">
                <input type="checkbox" checked={privateJwk} onChange={(e) => setPrivateJwk(e.target.checked)} />
                <span>Put the private key in the <code>jwk</code> header</span>
              </label>
              <div className="row small" role="group" aria-label="Omit claims">
                <span className="muted">Omit:</span>
                {['jti', 'htm', 'htu', 'iat', 'ath'].map((c) => (
                  <label key={c} className="checkbox" style={{ fontWeight: 500 }}>
                    <input type="checkbox" aria-label={`omit ${c}`} checked={omit.includes(c)} onChange={(e) => setOmit(e.target.checked ? [...omit, c] : omit.filter((x) => x !== c))} />
                    <code>{c}</code>
                  </label>
                ))}
              </div>
            </>
          ) : null}
        </Section>
        <button type="submit" className="btn primary big" disabled={busy !== null} data-action="send">
          {busy === 'call' ? 'Sending…' : 'Send to the gateway'}
        </button>
        {error ? <p className="error-box" role="alert">{error}</p> : null}
      </form>
      <div className="stack" aria-live="polite">
        {!results.length ? (
          <div className="empty">
            <p><strong>Try the stolen-token replay:</strong> get a token as <code>tpp-alpha</code>, choose <code>mallory</code> as the certificate presented to
              the gateway, and send. Then send it again with <code>tpp-alpha</code>.</p>
          </div>
        ) : null}
        {results.map((r) => {
          const step = buildTimeline(r.events).scenarios[0]?.steps[0];
          return (
            <section key={r.id} className="timeline" data-result={r.kind} data-status-code={r.status ?? ''}>
              <div className="timeline-head">
                <span className="badge neutral">#{r.id}</span>
                <h3>{r.title}</h3>
                <HttpBadge status={r.status} />
                {step?.exchanges.map((ex) => refusingCheck(ex)).filter(Boolean).map((x) => (
                  <span key={x!.check.id} className="badge fail" data-refused-by={x!.check.id}>refused by {x!.check.id}</span>
                ))}
              </div>
              <div className="step-body" style={{ borderTop: 'none' }}>
                {step?.exchanges.map((ex, i) => <ExchangeDetail key={i} ex={ex} issued={issued} />)}
                {!step?.exchanges.length ? <p className="muted">No request was sent.</p> : null}
              </div>
            </section>
          );
        })}
      </div>
    </div>
  );
}
