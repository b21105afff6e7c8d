// DPoP card: the decoded proof, and each claim against what the request actually was (htm, htu,
// iat age, jti seen before, ath, jkt against cnf.jkt), with the gateway's verdict per claim.
import type { CheckResult } from '../../../lib/checks/catalogue.ts';
import type { DecodedJwt } from '../../../lib/trace/events.ts';
import type { ExchangeView } from '../../../lib/trace/timeline.ts';
import { authorizationToken, decodeJwt } from '../../_lib/jwt.ts';
import { JsonView, Truncated } from '../Code.tsx';
import { OutcomeBadge } from '../Badges.tsx';

interface Row {
  claim: string;
  proof: string;
  request: string;
  check: CheckResult | null;
}

const s = (v: unknown) => (v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v));

const verdictText = (c: CheckResult | null, fresh: string, seen: string) =>
  !c ? 'not checked here' : c.outcome === 'skip' ? 'not reached (an earlier check failed)' : c.outcome === 'fail' ? seen : fresh;

function rows(proof: DecodedJwt, jkt: string | null, ex: ExchangeView, checks: Map<string, CheckResult>): Row[] {
  const c = proof.claims;
  const req = ex.http.request;
  const url = URL.parse(req.url);
  const htuCheck = checks.get('dpop.htu') ?? null;
  const iatCheck = checks.get('dpop.iat-window') ?? null;
  const jtiCheck = checks.get('dpop.jti-unique') ?? null;
  const athCheck = checks.get('dpop.ath') ?? null;
  const jktCheck = checks.get('dpop.cnf-jkt-match') ?? null;
  const age = typeof iatCheck?.inputs?.ageSeconds === 'number'
    ? `${iatCheck.inputs.ageSeconds} s old (window ±${String(iatCheck.inputs.windowSeconds)} s)`
    : typeof c.iat === 'number' ? `${Math.round(Date.parse(ex.http.at) / 1000 - c.iat)} s old when sent` : '–';
  const out: Row[] = [
    { claim: 'htm', proof: s(c.htm), request: `method ${req.method}`, check: checks.get('dpop.htm') ?? null },
    { claim: 'htu', proof: s(c.htu), request: s(htuCheck?.inputs?.expected ?? (url ? `${url.origin}${url.pathname}` : req.url)), check: htuCheck },
    { claim: 'iat', proof: s(c.iat), request: age, check: iatCheck },
    { claim: 'jti', proof: s(c.jti), request: verdictText(jtiCheck, 'never seen before', 'SEEN BEFORE: a replay'), check: jtiCheck },
  ];
  if ('ath' in c || athCheck) out.push({ claim: 'ath', proof: s(c.ath), request: athCheck?.inputs?.expected ? `SHA-256 of the token: ${s(athCheck.inputs.expected)}` : 'SHA-256 of the access token', check: athCheck });
  if ('nonce' in c || checks.get('dpop.nonce')?.outcome === 'fail') out.push({ claim: 'nonce', proof: s(c.nonce), request: 'the server-provided DPoP-Nonce', check: checks.get('dpop.nonce') ?? null });
  const auth = authorizationToken(req.headers.authorization);
  const cnf = (auth ? decodeJwt(auth.token)?.claims.cnf : null) as { jkt?: unknown } | null | undefined;
  const tokenJkt = jktCheck?.inputs?.['cnf.jkt'] ?? cnf?.jkt;
  out.push({
    claim: 'jkt (of header jwk)', proof: jkt ?? s(jktCheck?.inputs?.proofJkt ?? checks.get('dpop.jwk-public')?.inputs?.jkt),
    request: auth ? (tokenJkt ? `token cnf.jkt ${s(tokenJkt)}` : 'the token has no cnf.jkt') : 'the token endpoint binds the new token to this key', check: jktCheck,
  });
  return out;
}

export function DpopCard({ ex }: { ex: ExchangeView }) {
  const header = ex.http.request.headers.dpop;
  const decisionChecks = ex.decisions.flatMap((d) => d.checks);
  const checks = new Map(decisionChecks.filter((c) => c.id.startsWith('dpop.')).map((c) => [c.id, c]));
  const idpCheck = decisionChecks.find((c) => c.id === 'idp.dpop-proof') ?? null;
  const proofs: { label: string; proof: DecodedJwt; jkt: string | null; mutations: string[] }[] = ex.proofs.map((p) => ({ label: p.label, proof: p.proof, jkt: p.jkt, mutations: p.mutations }));
  if (!proofs.length && typeof header === 'string') {
    const decoded = decodeJwt(header);
    if (decoded) proofs.push({ label: 'proof sent (replayed byte for byte)', proof: decoded, jkt: null, mutations: [] });
  }
  if (!proofs.length && !checks.size) return null;
  const failed = [...checks.values()].some((c) => c.outcome === 'fail') || idpCheck?.outcome === 'fail';
  return (
    <div role="group" className={`card${failed ? ' is-fail' : ''}`} aria-label="DPoP proof" data-card="dpop">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">PoP</span>
        <h3>DPoP proof</h3>
        {idpCheck ? <OutcomeBadge outcome={idpCheck.outcome}>idp.dpop-proof</OutcomeBadge> : null}
      </div>
      {!proofs.length ? <p className="muted small">No DPoP header on this request.</p> : null}
      {proofs.map((p, i) => (
        <div key={i} className="stack">
          <div className="row">
            <strong>{p.label}</strong>
            {p.mutations.map((m) => (
              <span key={m} className="badge warn" title="deliberately broken by the scenario">{m}</span>
            ))}
          </div>
          <table className="claims-table">
            <caption className="visually-hidden">Proof claims against the request</caption>
            <thead>
              <tr><th scope="col">Claim</th><th scope="col">In the proof</th><th scope="col">This request</th><th scope="col">Verdict</th></tr>
            </thead>
            <tbody>
              {rows(p.proof, p.jkt, ex, checks).map((r) => (
                <tr key={r.claim} className={r.check?.outcome === 'fail' ? 'fail' : undefined} data-claim={r.claim}>
                  <th scope="row"><code>{r.claim}</code></th>
                  <td className="val" data-label="In the proof"><Truncated value={r.proof} max={64} /></td>
                  <td className="val" data-label="This request"><Truncated value={r.request} max={72} /></td>
                  <td data-label="Verdict">{r.check ? <OutcomeBadge outcome={r.check.outcome} /> : <span className="faint small">–</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <details className="disclosure">
            <summary>Decoded proof (header and claims)</summary>
            <div className="grid-2">
              <JsonView value={p.proof.header} label="DPoP proof header" />
              <JsonView value={p.proof.claims} label="DPoP proof claims" />
            </div>
          </details>
        </div>
      ))}
      {idpCheck ? <p className="small muted" style={{ marginTop: '0.5rem' }}>Identity provider: {idpCheck.reason}</p> : null}
    </div>
  );
}
