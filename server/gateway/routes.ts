// The gateway's routes as a table: which path prefix enforces which binding, how the token is
// validated (signed JWT or introspection), and what it must grant. Every route proxies to the
// mock Open Banking API at /open-banking/v3.1/aisp, or (payments) at /open-banking/v3.1/pisp.
import type { Binding } from '../../lib/trace/decision.ts';
import type { SandboxConfig } from '../config.ts';
import { RESOURCES } from '../resources.ts';
import type { RevocationMode } from './trust.ts';

export interface Route {
  id: string;
  /** Public path prefix; the rest of the path is forwarded under UPSTREAM_BASE. */
  prefix: string;
  binding: Binding;
  /** jwt: verify the signature locally; introspection: the phantom-token pattern (RFC 7662). */
  token: 'jwt' | 'introspection';
  audience: string;
  scope: string;
  /** Demand a server nonce in DPoP proofs (RFC 9449 §9). */
  dpopNonce: boolean;
  /**
   * Client certificates: `chain` (RFC 5280 §6 path to a trusted CA, revocation) or `binding-only`: any
   * certificate, self-signed included, and only its binding to the token is checked (RFC 8705 §2.2, §6.2).
   */
  certificates: 'chain' | 'binding-only';
  /** Client certificate revocation: ignore, crl (unknown status accepted, said so) or strict (refused). */
  revocation: RevocationMode;
  summary: string;
  /** Where the rest of the path goes upstream (default UPSTREAM_BASE). */
  upstream?: string;
}

export const UPSTREAM_BASE = '/open-banking/v3.1/aisp';
export const PISP_UPSTREAM_BASE = '/open-banking/v3.1/pisp';


export function buildRoutes(config: SandboxConfig): Route[] {
  const audience = config.gateway.externalIssuer?.audience ?? RESOURCES.obApi;
  const ob = { token: 'jwt', audience, scope: 'accounts', dpopNonce: false, certificates: 'chain', revocation: config.gateway.revocation } as const;
  return [
    { id: 'ob-api', prefix: UPSTREAM_BASE, binding: config.gateway.binding, ...ob,
      summary: `The FAPI route: a sender-constrained token is required (${config.gateway.binding === 'either' ? 'mTLS or DPoP, as the token is bound' : config.gateway.binding}).` },
    { id: 'ob-api-mtls', prefix: `/mtls${UPSTREAM_BASE}`, binding: 'mtls', ...ob,
      summary: 'Certificate-bound tokens only (RFC 8705).' },
    { id: 'ob-api-mtls-self-signed', prefix: `/mtls-self-signed${UPSTREAM_BASE}`, binding: 'mtls', ...ob, certificates: 'binding-only', revocation: 'ignore',
      summary: 'Certificate-bound tokens of self_signed_tls_client_auth clients: any certificate, only its binding to the token is checked (RFC 8705 §2.2, §6.2).' },
    { id: 'ob-api-dpop', prefix: `/dpop${UPSTREAM_BASE}`, binding: 'dpop', ...ob,
      summary: 'DPoP-bound tokens only (RFC 9449).' },
    { id: 'ob-api-dpop-nonce', prefix: `/dpop-nonce${UPSTREAM_BASE}`, binding: 'dpop', ...ob, dpopNonce: true,
      summary: 'DPoP-bound tokens with a server-provided nonce (RFC 9449 §9).' },
    { id: 'ob-api-phantom', prefix: `/phantom${UPSTREAM_BASE}`, binding: config.gateway.binding, ...ob, token: 'introspection', audience: RESOURCES.obApiOpaque,
      summary: 'Opaque tokens, introspected at the IdP (phantom-token pattern), then the same binding checks.' },
    { id: 'ob-api-bearer', prefix: `/bearer${UPSTREAM_BASE}`, binding: 'bearer', ...ob,
      summary: 'Insecure on purpose, for teaching: any valid token, no binding check; a DPoP-bound token is even accepted as Bearer without a proof, which RFC 9449 §7.2 forbids. Shows why stolen tokens matter.' },
    { id: 'ob-pisp', prefix: PISP_UPSTREAM_BASE, upstream: PISP_UPSTREAM_BASE, binding: config.gateway.binding, ...ob, scope: 'payments',
      summary: 'The Payment Initiation API (domestic payments): a sender-constrained token with the payments scope.' },
  ];
}

/** The route whose prefix matches the path (prefix boundary respected), or null. */
export function matchRoute(routes: readonly Route[], path: string): { route: Route; rest: string } | null {
  for (const route of routes) {
    if (path === route.prefix || path.startsWith(`${route.prefix}/`)) return { route, rest: path.slice(route.prefix.length) };
  }
  return null;
}
