// What a scenario runs against: endpoints, trust, credentials, name mappings (clients, resources,
// scopes, routes) and, where the target exposes them, the server-side decisions. The same engine runs
// against the bundled stack, an external gateway or IdP (server/targets/), or a mix; where a server
// is external its internal checks are not observable and only what the client sees is judged.
import { SignJWT, importJWK, type JWK } from 'jose';
import type { CertSummary, Decision } from '../../lib/trace/decision.ts';
import type { Capability } from '../../lib/target/capabilities.ts';
import type { Stack } from '../stack-types.ts';
import { RESOURCES } from '../resources.ts';
import { mintCertificate, type MintRequest } from '../pki/mint.ts';
import { passwordOf } from '../idp/interactions/users.ts';
import { CALLBACK_PATH } from '../tpp/callback.ts';
import type { Signer } from '../directory/index.ts';
import type { RequestObjectKey } from './crypto/request-object.ts';
import { REQUEST_OBJECT_KEYS } from '../idp/clients.ts';

export interface CertMaterial {
  name: string;
  /** Leaf + issuer chain (PEM), as presented in the handshake. */
  chain: string;
  key: string;
  summary: CertSummary;
}

/** A client a scenario names (tpp-alpha, tpp-dpop, ...), as registered at the target's authorization server. */
export interface TargetClient {
  clientId: string;
  /** Authentication method when the scenario does not say. */
  auth?: 'tls_client_auth' | 'self_signed_tls_client_auth' | 'private_key_jwt';
  /** The certificate (by name) it authenticates with, when the target file says (used by the target check). */
  certificate?: string;
  /** private_key_jwt signing key (private JWK with alg). */
  key: JWK | null;
  /** A registered DPoP key (private JWK); null: actors get a fresh key per run. */
  dpopKey: JWK | null;
  /** The key its RFC 9101 request objects are signed with; absent or null: its private_key_jwt key. */
  requestObjectKey?: RequestObjectKey | null;
}

export type GatewayListener = 'gateway' | 'gatewayStrict';

export interface Target {
  name: string;
  endpoints: {
    issuer: string;
    /** Token endpoint on the mTLS alias (client certificates requested). */
    token: string;
    /** Token endpoint on the issuer's origin (no client certificate). */
    tokenPlain: string;
    registration: string | null;
    /** RFC 7009 token revocation (on the mTLS alias when there is one); absent or null: none. */
    revocation?: string | null;
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
  /** The client a scenario names; null when the target does not provide it. */
  client(name: string): TargetClient | null;
  /** The RFC 8707 resource indicator a scenario names ({{resources.payments-api}}); null when unknown. */
  resource(name: string): string | null;
  /** The target's scope for a scope a scenario asks for. */
  scope(name: string): string;
  /** The URL of a scenario path (a catalogue route + rest) on this target; null when the route is not served. */
  gatewayUrl(path: string, via: GatewayListener): string | null;
  /** The sign-in password of a test customer (the engine plays the customer in the browser); null when unknown. */
  psuPassword(username: string): string | null;
  /** Public keys of the IdP (for the hs256-public-key forgery). */
  idpPublicJwks: { keys: JWK[] };
  /**
   * Server-side decisions by x-fapi-interaction-id; null when no server is observable. Which servers
   * are observable: the gateway-checks and idp-checks capabilities. May answer asynchronously (a
   * database other instances share).
   */
  decisions: ((interactionId: string) => Decision[] | Promise<Decision[]>) | null;
  /** Signs access-token claims with the authorization server's own key (the bundled IdP's); null when we do not hold it. */
  signAccessToken: ((header: Record<string, unknown>, claims: Record<string, unknown>) => Promise<string>) | null;
  /** Issues a certificate with a chosen flaw; null when the target has no CA for us. */
  mint: ((req: MintRequest) => Promise<CertMaterial>) | null;
  capabilities: ReadonlySet<Capability>;
  /** A message-signing key of the sandbox directory (OBIE detached JWS); null or absent when the target has none. */
  signer?: (name: string) => Signer | null;
}

/** Everything the bundled stack can do. */
export const BUNDLED_CAPABILITIES: readonly Capability[] = [
  'mtls', 'dpop', 'mtls-route', 'dpop-route', 'dpop-nonce', 'phantom', 'bearer-route', 'strict-tls', 'dcr', 'mint', 'revocation', 'token-revocation', 'self-signed-route', 'gateway-checks', 'idp-checks',
  'consent-journey', 'payments', 'issuer-key', 'par',
];

/** The bundled stack's resource indicators, by the names scenarios use. */
export const BUNDLED_RESOURCES: Readonly<Record<string, string>> = {
  'ob-api': RESOURCES.obApi,
  'ob-api-opaque': RESOURCES.obApiOpaque,
  'payments-api': RESOURCES.payments,
};

/** A certificate of the sandbox PKI, by name (null when there is none). */
export function pkiCertificate(stack: Pick<Stack, 'pki'>, name: string): CertMaterial | null {
  if (!stack.pki.index.certificates.some((c) => c.name === name)) return null;
  const m = stack.pki.cert(name);
  return { name, chain: m.chain, key: m.key, summary: m.entry };
}

/** Signs with the bundled IdP's key of the header's kid (else its first key), as the IdP signs access tokens. */
export function idpSigner(stack: Pick<Stack, 'pki'>): NonNullable<Target['signAccessToken']> {
  return async (header, claims) => {
    const keys = stack.pki.idpJwks.keys;
    const jwk = keys.find((k) => k.kid === header.kid) ?? keys[0]!;
    const alg = jwk.alg ?? 'PS256';
    return new SignJWT(claims).setProtectedHeader({ ...header, alg, ...(jwk.kid ? { kid: jwk.kid } : {}) }).sign(await importJWK(jwk, alg));
  };
}

/** A seeded client of the bundled IdP (every name maps to itself; registered clients too); request objects are signed with its directory key. */
export function bundledClient(stack: Pick<Stack, 'pki' | 'directory'>, name: string): TargetClient {
  const key = stack.pki.index.keys.some((k) => k.clientId === name) ? stack.pki.clientKey(name) : null;
  const signer = REQUEST_OBJECT_KEYS[name] ? stack.directory.signer(REQUEST_OBJECT_KEYS[name]) : null;
  return { clientId: name, key, dpopKey: null, ...(signer ? { requestObjectKey: { alg: signer.alg, kid: signer.kid, key: signer.privateKey } } : {}) };
}

export function bundledTarget(stack: Stack): Target {
  const { pki, idp, urls } = stack;
  return {
    name: 'bundled',
    endpoints: {
      issuer: idp.issuer,
      token: idp.endpoints.token,
      tokenPlain: `${idp.issuer}/token`,
      registration: idp.endpoints.registration,
      revocation: idp.endpoints.revocation,
      par: idp.endpoints.par,
      authorization: idp.endpoints.authorization,
      callback: `${urls.ui}${CALLBACK_PATH}`,
      gateway: urls.gateway,
      gatewayStrict: urls.gatewayStrict,
    },
    ca: pki.rootCa,
    certificate: (name) => pkiCertificate(stack, name),
    client: (name) => bundledClient(stack, name),
    resource: (name) => BUNDLED_RESOURCES[name] ?? null,
    scope: (name) => name,
    gatewayUrl: (path, via) => (via === 'gatewayStrict' ? urls.gatewayStrict : urls.gateway) + path,
    psuPassword: (username) => passwordOf(username) ?? null,
    idpPublicJwks: idp.publicJwks,
    decisions: (id) => stack.decisions.lookup(id),
    signAccessToken: idpSigner(stack),
    mint: (req) => mintCertificate(pki, req),
    capabilities: new Set(BUNDLED_CAPABILITIES),
    signer: (name) => directorySigner(stack, name),
  };
}

/** A signing key of the stack's sandbox directory by certificate name (e.g. tpp-alpha-signing), or null. */
export function directorySigner(stack: Pick<Stack, 'directory'>, name: string): Signer | null {
  try {
    return stack.directory.signer(name);
  } catch {
    return null;
  }
}
