// Signature card: the OBIE detached JWS of a request (x-jws-signature, Message Signing v3.1.4+): its
// protected header (kid, alg, the critical http://openbanking.org.uk/iat, /iss, /tan), which bytes were
// signed against which were sent, the bank's verdict (the UK.OBIE.Signature.* error and the check that
// refused it), and the bank's own signature of its answer.
import type { TraceEventOf } from '../../../lib/trace/events.ts';
import type { ExchangeView } from '../../../lib/trace/timeline.ts';
import { Truncated } from '../Code.tsx';
import { OutcomeBadge } from '../Badges.tsx';

const OB = 'http://openbanking.org.uk/';

function protectedHeader(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'string') return null;
  const [h, payload] = value.split('.');
  if (!h || payload !== '') return null;
  try {
    const json = JSON.parse(atob(h.replace(/-/g, '+').replace(/_/g, '/'))) as unknown;
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The bank's refusal of the signature: the OBIE error code and the check id its message starts with. */
function refusal(ex: ExchangeView): { code: string; check: string; message: string } | null {
  const body = ex.http.response?.body;
  if (!body) return null;
  try {
    const first = (JSON.parse(body) as { Errors?: { ErrorCode?: string; Message?: string }[] }).Errors?.[0];
    if (!first?.ErrorCode?.startsWith('UK.OBIE.Signature.')) return null;
    const message = first.Message ?? '';
    return { code: first.ErrorCode, check: /^(jws\.[a-z0-9-]+):/.exec(message)?.[1] ?? '', message };
  } catch {
    return null;
  }
}

/** The header parameter each refusing check is about (jws.signature and jws.detached concern the whole JWS). */
const PARAM_OF: Record<string, string> = {
  'jws.alg': 'alg', 'jws.b64-absent': 'b64', 'jws.crit': 'crit', 'jws.tan': `${OB}tan`, 'jws.iat-window': `${OB}iat`,
  'jws.kid-known': 'kid', 'jws.kid-of-client': 'kid', 'jws.iss': `${OB}iss`,
};

const show = (v: unknown) => (v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v));

export function SignatureCard({ ex, signatures = [] }: { ex: ExchangeView; signatures?: TraceEventOf<'jws.signature'>[] }) {
  const sent = ex.http.request.headers['x-jws-signature'];
  const header = protectedHeader(sent);
  const answer = protectedHeader(ex.http.response?.headers['x-jws-signature']);
  if (!header && !answer) return null;
  const refused = refusal(ex);
  const signed = signatures[0] ?? null;
  const status = ex.http.response?.status ?? 0;
  const rows: [string, unknown][] = header
    ? [['alg', header.alg], ['kid', header.kid], [`${OB}iat`, header[`${OB}iat`]], [`${OB}iss`, header[`${OB}iss`]], [`${OB}tan`, header[`${OB}tan`]], ['crit', header.crit], ...('b64' in header ? [['b64', header.b64] as [string, unknown]] : [])]
    : [];
  return (
    <div role="group" className={`card${refused ? ' is-fail' : ''}`} aria-label="Message signature" data-card="signature">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">JWS</span>
        <h3>Message signature (x-jws-signature)</h3>
        {header ? <OutcomeBadge outcome={refused ? 'fail' : status >= 200 && status < 300 ? 'pass' : 'skip'}>{refused ? refused.code : status >= 200 && status < 300 ? 'accepted' : 'not judged'}</OutcomeBadge> : null}
      </div>
      {header ? (
        <>
          {signed ? (
            <div className="row">
              <strong>{signed.label}</strong>
              {signed.mutations.map((m) => <span key={m} className="badge warn" title="deliberately broken by the scenario">{m}</span>)}
            </div>
          ) : null}
          <table className="claims-table">
            <caption className="visually-hidden">Protected header of the detached JWS</caption>
            <thead><tr><th scope="col">Header parameter</th><th scope="col">Value</th></tr></thead>
            <tbody>
              {rows.map(([k, v]) => (
                <tr key={k} className={refused && PARAM_OF[refused.check] === k ? 'fail' : undefined}>
                  <th scope="row"><code>{k}</code></th>
                  <td className="val"><Truncated value={show(v)} max={72} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          {signed ? (
            <p className="small">
              Signed {signed.signedBytes} bytes, SHA-256 <code>{signed.signedSha256}</code>; sent SHA-256 <code>{signed.sentSha256}</code>
              {signed.signedSha256 === signed.sentSha256 ? ' (the same bytes)' : <strong> (not the bytes that were signed)</strong>}
            </p>
          ) : null}
          {refused ? (
            <p className="small">The bank refused it{refused.check ? <> at <code>{refused.check}</code></> : null}: {refused.message}</p>
          ) : null}
        </>
      ) : null}
      {answer ? <p className="small muted">The bank signed its answer: kid <code>{show(answer.kid)}</code>, iss <code>{show(answer[`${OB}iss`])}</code>.</p> : null}
    </div>
  );
}
