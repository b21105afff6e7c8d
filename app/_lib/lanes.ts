// Which lane of the sequence diagram (Client, Gateway, Identity provider, API) a request went to,
// and how far it got: refused in the handshake, refused by a check, or forwarded to the API.
import type { ExchangeView } from '../../lib/trace/timeline.ts';
import { refusingCheck } from '../../lib/trace/timeline.ts';
import type { ConfigDto } from './types.ts';

export type Lane = 'client' | 'gateway' | 'idp' | 'api';

export const LANES: { id: Lane; label: string; short: string }[] = [
  { id: 'client', label: 'Client', short: 'Client' },
  { id: 'gateway', label: 'Gateway', short: 'Gateway' },
  { id: 'idp', label: 'Identity provider', short: 'IdP' },
  { id: 'api', label: 'API', short: 'API' },
];

export const LANE_X: Record<Lane, number> = { client: 12.5, gateway: 37.5, idp: 62.5, api: 87.5 };

function origin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function laneOf(ex: ExchangeView, config: ConfigDto | null): Lane {
  const source = ex.decisions[0]?.source;
  if (source) return source === 'idp' ? 'idp' : 'gateway';
  const o = origin(ex.http.request.url);
  if (config && o) {
    const u = config.urls;
    if (o === origin(u.idp) || o === origin(u.idpMtls)) return 'idp';
    if (o === origin(u.gateway) || o === origin(u.gatewayStrict)) return 'gateway';
    if (o === origin(u.api)) return 'api';
  }
  const path = URL.parse(ex.http.request.url)?.pathname ?? '';
  return /\/(token|reg|request|auth|par)\b/.test(path) ? 'idp' : 'gateway';
}

export interface ArrowPlan {
  to: Lane;
  label: string;
  /** The handshake or connection failed: the request never reached the server. */
  tlsRefused: boolean;
  /** A server check refused it. */
  refusedBy: string | null;
  /** The gateway let it through to the upstream API. */
  forwarded: boolean;
  status: number | null;
}

export function planArrow(ex: ExchangeView, config: ConfigDto | null): ArrowPlan {
  const to = laneOf(ex, config);
  const refusal = refusingCheck(ex);
  const status = ex.http.response?.status ?? null;
  const path = URL.parse(ex.http.request.url)?.pathname ?? ex.http.request.url;
  const segments = path.split('/').filter(Boolean);
  const short = path.length > 18 && segments.length > 1 ? `…/${segments.at(-1)}` : path;
  return {
    to,
    label: `${ex.http.request.method} ${short}`,
    tlsRefused: !ex.http.response,
    refusedBy: refusal?.check.id ?? null,
    forwarded: to === 'gateway' && !!ex.decisions.length && !refusal && status !== null && status < 500,
    status,
  };
}
