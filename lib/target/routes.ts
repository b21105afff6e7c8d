// The catalogue's gateway routes: the path prefixes scenarios call (e.g. /dpop-nonce/open-banking/v3.1/aisp/accounts).
// The bundled gateway serves all of them; an external target maps the ones it serves to its own URLs.
import type { Capability } from './capabilities.ts';

/** The Open Banking API path every route forwards to (OBIE Account and Transaction API v3.1). */
export const OB_BASE = '/open-banking/v3.1/aisp';

export const ROUTE_IDS = ['fapi', 'mtls', 'dpop', 'dpop-nonce', 'phantom', 'bearer', 'mtls-self-signed', 'pisp'] as const;

export type RouteId = (typeof ROUTE_IDS)[number];

export interface CatalogueRoute {
  /** Path prefix in scenario files and on the bundled gateway. */
  prefix: string;
  /** The capability a target needs to serve it (the FAPI route needs none: every target has it). */
  capability: Capability | null;
  summary: string;
}

export const CATALOGUE_ROUTES: Record<RouteId, CatalogueRoute> = {
  fapi: { prefix: OB_BASE, capability: null, summary: 'the FAPI route: sender-constrained tokens (mTLS or DPoP, as the token is bound)' },
  mtls: { prefix: `/mtls${OB_BASE}`, capability: 'mtls-route', summary: 'certificate-bound tokens only' },
  dpop: { prefix: `/dpop${OB_BASE}`, capability: 'dpop-route', summary: 'DPoP-bound tokens only' },
  'dpop-nonce': { prefix: `/dpop-nonce${OB_BASE}`, capability: 'dpop-nonce', summary: 'DPoP with a server-provided nonce' },
  phantom: { prefix: `/phantom${OB_BASE}`, capability: 'phantom', summary: 'opaque tokens, introspected' },
  bearer: { prefix: `/bearer${OB_BASE}`, capability: 'bearer-route', summary: 'the insecure baseline: plain bearer tokens' },
  'mtls-self-signed': { prefix: `/mtls-self-signed${OB_BASE}`, capability: 'self-signed-route', summary: 'certificate-bound tokens of self_signed_tls_client_auth clients: binding checked, no CA chain' },
  pisp: { prefix: '/open-banking/v3.1/pisp', capability: 'payments', summary: 'the Payment Initiation API (domestic payments): sender-constrained tokens, signed requests' },
};

/** The catalogue route a scenario path is under (longest prefix first), and the rest of the path. */
export function catalogueRouteOf(path: string): { id: RouteId; rest: string } | null {
  const ordered = [...ROUTE_IDS].sort((a, b) => CATALOGUE_ROUTES[b].prefix.length - CATALOGUE_ROUTES[a].prefix.length);
  for (const id of ordered) {
    const { prefix } = CATALOGUE_ROUTES[id];
    if (path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`)) return { id, rest: path.slice(prefix.length) };
  }
  return null;
}
