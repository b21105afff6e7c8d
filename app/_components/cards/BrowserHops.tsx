// The customer's browser's requests, compact: one line each (method, path, status, where a redirect
// leads), the raw HTTP one click away. The front channel: no client certificate, no token; the
// bank's session lives in cookies.
import type { ExchangeView } from '../../../lib/trace/timeline.ts';
import { shortPath } from '../../_lib/lanes.ts';
import { ms } from '../../_lib/format.ts';
import { HttpBadge } from '../Badges.tsx';
import { RawHttp } from './HttpCard.tsx';

export function BrowserHops({ exchanges, first }: { exchanges: ExchangeView[]; first: boolean }) {
  return (
    <div className="hops" role="group" aria-label="Requests of the customer's browser" data-card="hops">
      {first ? (
        <p className="small muted hops-note">
          <span className="lane-dot browser" aria-hidden="true" /> The customer's browser: no client certificate and no token, the
          bank keeps its session in cookies.
        </p>
      ) : null}
      <ol>
        {exchanges.map((ex, i) => {
          const { request, response } = ex.http;
          const location = response?.headers.location;
          const to = typeof location === 'string' ? shortPath(new URL(location, request.url).toString()) : null;
          return (
            <li key={i} data-hop={request.method} data-exchange={ex.http.interactionId ?? ''}>
              <details>
                <summary>
                  <span className="hop-method">{request.method}</span>
                  <code className="hop-path" title={request.url}>{shortPath(request.url)}</code>
                  <HttpBadge status={response?.status ?? null} />
                  {to ? <span className="small muted">→ <code>{to}</code></span> : null}
                  <span className="faint small hop-ms">{ms(ex.http.durationMs)}</span>
                </summary>
                <div className="hop-raw"><RawHttp http={ex.http} /></div>
              </details>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
