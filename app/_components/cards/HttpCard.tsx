// The raw HTTP request and response of an exchange: request line, headers, body; long values
// (tokens, proofs) truncated with a toggle and a copy button.
import type { ExchangeView } from '../../../lib/trace/timeline.ts';
import { CopyButton, Truncated } from '../Code.tsx';
import { HttpBadge } from '../Badges.tsx';
import { ms } from '../../_lib/format.ts';
import { curlOf } from '../../_lib/curl.ts';

function Headers({ headers }: { headers: Record<string, string | string[]> }) {
  const entries = Object.entries(headers);
  if (!entries.length) return null;
  return (
    <dl className="http-headers">
      {entries.flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((one, i) => (
          <div key={`${k}-${i}`} style={{ display: 'contents' }}>
            <dt>{k}:</dt>
            <dd>
              <Truncated value={one} max={110} />
              {one.length > 110 ? <> <CopyButton value={one} /></> : null}
            </dd>
          </div>
        )),
      )}
    </dl>
  );
}

function pretty(body: string, contentType: string | undefined): string {
  if ((contentType ?? '').includes('json') || /^[[{]/.test(body.trim())) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  // Form bodies one field per line, values decoded (what the fields say, not their percent-encoding).
  if ((contentType ?? '').includes('x-www-form-urlencoded')) return [...new URLSearchParams(body)].map(([k, v]) => `${k}=${v}`).join('\n&');
  return body;
}

function Body({ body, contentType }: { body: string | undefined; contentType: string | undefined }) {
  if (!body) return <p className="faint small">(no body)</p>;
  const text = pretty(body, contentType);
  return (
    <div className="stack" style={{ gap: '0.4rem' }}>
      <pre className="code" tabIndex={0}>{text.length > 6000 ? `${text.slice(0, 6000)}\n… (${text.length} characters)` : text}</pre>
      <div><CopyButton value={body} label="Copy body" /></div>
    </div>
  );
}

const ct = (h: Record<string, string | string[]>) => {
  const v = h['content-type'];
  return Array.isArray(v) ? v[0] : v;
};

/** Masks the values of password fields in a form body (runs recorded before the engine masked them). */
function masked(body: string | undefined, contentType: string | undefined): string | undefined {
  if (!body || !(contentType ?? '').includes('x-www-form-urlencoded') || !/(^|&)pass(word)?=/i.test(body)) return body;
  const form = new URLSearchParams(body);
  for (const name of [...form.keys()]) if (/^pass(word)?$/i.test(name)) form.set(name, '•'.repeat(8));
  return form.toString();
}

/** The request and response side by side (also inside the browser's hop list). */
export function RawHttp({ http, certificate = null }: { http: ExchangeView['http']; certificate?: string | null }) {
  const { request, response, error } = http;
  return (
    <div className="grid-2">
      <div>
        <div className="row-between">
          <div className="eyebrow">Request</div>
          <CopyButton value={curlOf({ ...request, body: masked(request.body, ct(request.headers)) }, certificate)} label="Copy as curl" />
        </div>
        <div className="http-line">{request.method} <Truncated value={request.url} max={120} /></div>
        <Headers headers={request.headers} />
        <Body body={masked(request.body, ct(request.headers))} contentType={ct(request.headers)} />
      </div>
      <div>
        <div className="eyebrow">Response</div>
        {response ? (
          <>
            <div className="http-line"><HttpBadge status={response.status} /></div>
            <Headers headers={response.headers} />
            <Body body={response.body} contentType={ct(response.headers)} />
          </>
        ) : (
          <p className="error-box">No response: {error ?? 'the connection failed'}</p>
        )}
      </div>
    </div>
  );
}

export function HttpCard({ ex }: { ex: ExchangeView }) {
  return (
    <div className="card wide" role="group" aria-label="Raw HTTP" data-card="http">
      <details className="disclosure">
        <summary>
          Raw HTTP request and response <span className="faint small">({ms(ex.http.durationMs)} round trip)</span>
        </summary>
        <RawHttp http={ex.http} certificate={ex.tls?.clientCertificateName ?? null} />
      </details>
    </div>
  );
}
