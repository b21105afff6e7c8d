// What a scenario runs against: endpoints, trust, credentials, and (for the bundled stack) the
// server-side decisions. The same engine runs against an external gateway or IdP through this
// interface; there, server-side checks are not observable.
import type { JWK } from 'jose';
import type { CertSummary, Decision } from '../../lib/trace/decision.ts';
import type { Stack } from '../stack.ts';
import { mintCertificate, type MintRequest } from '../pki/mint.ts';
import { passwordOf } from '../idp/interactions/users.ts';
import { CALLBACK_PATH } from '../tpp/callback.ts';

export interface CertMaterial {
  name: string;
  /** Leaf + issuer chain (PEM), as presented in the handshake. */
  chain: string;
  key: string;
  summary: CertSummary;
}

export interface Target {
  name: string;
  endpoints: {
    issuer: string;
    /** Token endpoint on the mTLS alias (client certificates requested). */
    token: string;
    /** Token endpoint on the issuer's origin (no client certificate). */
    tokenPlain: string;
    registration: string | null;
    /** Pushed authorization requests (RFC 9126) on the mTLS alias, the authorization endpoint, and the redirect_uri the clients registered. */
    par: string | null;
    authorization: string | null;
    callback: string | null;
    gateway: string;
    gatewayStrict: string | null;
  };
  /** CA bundle (PEM) trusted for the servers. */
  ca: string;
  certificate(name: string): CertMaterial | null;
  clientKey(clientId: string): JWK | null;
  /** The sign-in password of a test customer (the engine plays the customer in the browser). */
  psuPassword(username: string): string | null;
  /** Public keys of the IdP (for the hs256-public-key forgery). */
  idpPublicJwks: { keys: JWK[] };
  /** Server-side decisions by x-fapi-interaction-id; null when the target does not expose them. */
  decisions: ((interactionId: string) => Decision[]) | null;
  /** Issues a certificate with a chosen flaw; null when the target has no CA for us. */
  mint: ((req: MintRequest) => Promise<CertMaterial>) | null;
  capabilities: ReadonlySet<string>;
}

/** Everything the bundled stack can do. */
export const BUNDLED_CAPABILITIES = [
  'mtls', 'dpop', 'dpop-nonce', 'phantom', 'bearer-route', 'strict-tls', 'dcr', 'mint', 'idp', 'gateway-checks', 'idp-checks', 'revocation',
  'consent-journey',
] as const;

export function bundledTarget(stack: Stack): Target {
  const { pki, idp, urls } = stack;
  return {
    name: 'bundled',
    endpoints: {
      issuer: idp.issuer,
      token: idp.endpoints.token,
      tokenPlain: `${idp.issuer}/token`,
      registration: idp.endpoints.registration,
      par: idp.endpoints.par,
      authorization: idp.endpoints.authorization,
      callback: `${urls.ui}${CALLBACK_PATH}`,
      gateway: urls.gateway,
      gatewayStrict: urls.gatewayStrict,
    },
    ca: pki.rootCa,
    certificate(name) {
      const found = pki.index.certificates.find((c) => c.name === name);
      if (!found) return null;
      const m = pki.cert(name);
      return { name, chain: m.chain, key: m.key, summary: m.entry };
    },
    clientKey(clientId) {
      return pki.index.keys.some((k) => k.clientId === clientId) ? pki.clientKey(clientId) : null;
    },
    psuPassword: (username) => passwordOf(username) ?? null,
    idpPublicJwks: idp.publicJwks,
    decisions: (id) => stack.decisions.peek(id),
    mint: (req) => mintCertificate(pki, req),
    capabilities: new Set(BUNDLED_CAPABILITIES),
  };
}
