// Token-endpoint helpers for the IdP tests: client_credentials requests over the mTLS alias (or the
// plain issuer origin) with a certificate, a private_key_jwt assertion and / or a DPoP proof, and
// introspection as the gateway. Built on the engine's own HTTPS client and proof builders.
import { randomUUID } from 'node:crypto';
import type { Stack } from '../../server/stack.ts';
import { send, jsonBody, type Exchange } from '../../server/engine/http-client.ts';
import type { CertMaterial } from '../../server/engine/target.ts';
import { buildClientAssertion } from '../../server/engine/crypto/client-assertion.ts';
import { decodeJwt } from '../../server/engine/jwt.ts';
import type { JWK } from 'jose';
import { material } from './stack.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface TokenCall {
  clientId: string;
  /** A certificate from certs/ by name, a minted one, or none. */
  cert?: string | CertMaterial | null;
  scope?: string;
  resource?: string;
  /** A client assertion (private_key_jwt). */
  assertion?: string;
  /** A DPoP proof for POST <token endpoint>. */
  dpop?: string;
  /** Default: the mTLS alias; `plain` is the issuer's own token endpoint (no client certificate asked). */
  endpoint?: 'mtls' | 'plain';
  interactionId?: string;
}

export interface TokenResult {
  ex: Exchange;
  status: number | null;
  body: Record<string, unknown> | null;
  /** Claims of the access token when it is a JWT. */
  claims: Record<string, unknown> | null;
  header: Record<string, unknown> | null;
  interactionId: string;
}

function certOf(stack: Stack, cert: string | CertMaterial | null | undefined): CertMaterial | null {
  if (!cert) return null;
  return typeof cert === 'string' ? material(stack, cert) : cert;
}

export function tokenUrl(stack: Stack, endpoint: 'mtls' | 'plain' = 'mtls'): string {
  return endpoint === 'plain' ? `${stack.idp.issuer}/token` : stack.idp.endpoints.token;
}

/** POST a form to an IdP endpoint, with an interaction id and an optional client certificate. */
export async function postForm(stack: Stack, url: string, form: Record<string, string>, opts: { cert?: string | CertMaterial | null; headers?: Record<string, string>; interactionId?: string } = {}) {
  const interactionId = opts.interactionId ?? randomUUID();
  const ex = await send({
    method: 'POST', url, ca: stack.pki.rootCa, cert: certOf(stack, opts.cert),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-fapi-interaction-id': interactionId, ...opts.headers },
    body: new URLSearchParams(form).toString(),
  });
  return { ex, status: ex.response?.status ?? null, body: jsonBody(ex), interactionId };
}

/** client_credentials at the token endpoint. */
export async function requestToken(stack: Stack, call: TokenCall): Promise<TokenResult> {
  const form: Record<string, string> = { grant_type: 'client_credentials', client_id: call.clientId, scope: call.scope ?? 'accounts' };
  if (call.resource) form.resource = call.resource;
  if (call.assertion) Object.assign(form, { client_assertion_type: JWT_BEARER, client_assertion: call.assertion });
  const r = await postForm(stack, tokenUrl(stack, call.endpoint), form, {
    cert: call.cert ?? null, ...(call.dpop ? { headers: { dpop: call.dpop } } : {}), ...(call.interactionId ? { interactionId: call.interactionId } : {}),
  });
  const token = typeof r.body?.access_token === 'string' ? decodeJwt(r.body.access_token) : null;
  return { ...r, claims: token?.claims ?? null, header: token?.header ?? null };
}

/** A private_key_jwt assertion for a client whose key is in certs/keys (or the key given). */
export function assertion(stack: Stack, clientId: string, opts: { audience?: string; expiresIn?: number; key?: JWK; now?: number } = {}): Promise<string> {
  return buildClientAssertion({
    clientId, key: opts.key ?? stack.pki.clientKey(clientId), audience: opts.audience ?? stack.idp.issuer,
    now: opts.now ?? Date.now() / 1000, ...(opts.expiresIn !== undefined ? { expiresIn: opts.expiresIn } : {}),
  });
}

/** RFC 7662 introspection at the mTLS alias, as the gateway (its own certificate) unless told otherwise. */
export async function introspect(stack: Stack, token: string, as: { clientId: string; cert: string } = { clientId: 'fapi-gateway', cert: 'fapi-gateway' }) {
  const r = await postForm(stack, stack.idp.endpoints.introspection, { token, client_id: as.clientId }, { cert: as.cert });
  return r;
}

/** GET a JSON document from the IdP's plain listener. */
export async function getJson(stack: Stack, url: string): Promise<{ status: number | null; body: Record<string, unknown> | null; ex: Exchange }> {
  const ex = await send({ method: 'GET', url, headers: { accept: 'application/json' }, ca: stack.pki.rootCa, cert: null });
  return { status: ex.response?.status ?? null, body: jsonBody(ex), ex };
}

/** The IdP's decision for a request (recorded by x-fapi-interaction-id) and the outcome of each of its checks. */
export function idpChecks(stack: Stack, interactionId: string): Record<string, string> {
  const decision = stack.decisions.peek(interactionId).find((d) => d.source === 'idp');
  if (!decision) throw new Error(`no IdP decision recorded for ${interactionId}`);
  return Object.fromEntries(decision.checks.map((c) => [c.id, c.outcome]));
}
