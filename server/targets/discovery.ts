// An external authorization server's endpoints and keys: its discovery document (OpenID Connect
// Discovery 1.0 / RFC 8414, with RFC 8705 §5 mtls_endpoint_aliases), explicit settings from the target
// file on top, and its JWKS. Fetched once per run with the engine's own HTTPS client and CA bundle.
import type { JWK } from 'jose';
import type { ExternalAs } from '../../lib/target/schema.ts';
import { jsonBody, send } from '../engine/http-client.ts';

export interface DiscoveredAs {
  issuer: string;
  /** Token endpoint without client certificates. */
  tokenEndpoint: string;
  /** The mTLS alias (RFC 8705 §5), or the token endpoint when there is none. */
  mtlsTokenEndpoint: string;
  registrationEndpoint: string | null;
  /** RFC 7009 revocation endpoint (its mTLS alias when there is one). */
  revocationEndpoint?: string | null;
  jwksUri: string;
  jwks: { keys: JWK[] };
  /** PAR (the mTLS alias when there is one) and authorization endpoints, and the clients' redirect_uri (target file). */
  parEndpoint: string | null;
  authorizationEndpoint: string | null;
  redirectUri: string | null;
  /** Where the metadata came from ("discovery <url>", "target file"). */
  source: string;
}

/** A problem reaching or reading the authorization server (the message says which URL and why). */
export class DiscoveryError extends Error {}

async function getJson(url: string, ca: string, what: string): Promise<Record<string, unknown>> {
  const ex = await send({ method: 'GET', url, headers: { accept: 'application/json' }, ca, cert: null, timeoutMs: 10_000 });
  if (!ex.response) throw new DiscoveryError(`${what} ${url}: ${ex.error?.code ?? 'no response'}: ${ex.error?.message ?? ''}`.trim());
  if (ex.response.status !== 200) throw new DiscoveryError(`${what} ${url}: HTTP ${ex.response.status}`);
  const body = jsonBody(ex);
  if (!body) throw new DiscoveryError(`${what} ${url}: the response is not a JSON object`);
  return body;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export async function discover(as: ExternalAs, ca: string): Promise<DiscoveredAs> {
  const meta = as.discovery ? await getJson(as.discovery, ca, 'discovery') : {};
  const aliases = (meta.mtls_endpoint_aliases ?? {}) as Record<string, unknown>;
  const issuer = as.issuer ?? str(meta.issuer);
  const tokenEndpoint = as.tokenEndpoint ?? str(meta.token_endpoint);
  const jwksUri = as.jwksUri ?? str(meta.jwks_uri);
  const from = as.discovery ? `the discovery document ${as.discovery}` : 'the target file';
  if (!issuer) throw new DiscoveryError(`no issuer in ${from} (set authorizationServer.issuer)`);
  if (!tokenEndpoint) throw new DiscoveryError(`no token_endpoint in ${from} (set authorizationServer.tokenEndpoint)`);
  if (!jwksUri) throw new DiscoveryError(`no jwks_uri in ${from} (set authorizationServer.jwksUri)`);
  const jwks = await getJson(jwksUri, ca, 'JWKS');
  if (!Array.isArray(jwks.keys)) throw new DiscoveryError(`JWKS ${jwksUri}: no "keys" array`);
  return {
    issuer,
    tokenEndpoint,
    mtlsTokenEndpoint: as.mtlsTokenEndpoint ?? str(aliases.token_endpoint) ?? tokenEndpoint,
    registrationEndpoint: as.registrationEndpoint ?? str(meta.registration_endpoint),
    revocationEndpoint: str(aliases.revocation_endpoint) ?? str(meta.revocation_endpoint),
    jwksUri,
    jwks: { keys: jwks.keys as JWK[] },
    parEndpoint: as.parEndpoint ?? str(aliases.pushed_authorization_request_endpoint) ?? str(meta.pushed_authorization_request_endpoint),
    authorizationEndpoint: as.authorizationEndpoint ?? str(meta.authorization_endpoint),
    redirectUri: as.redirectUri ?? null,
    source: from,
  };
}
