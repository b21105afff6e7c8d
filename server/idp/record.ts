// Records what the IdP decided for token, PAR, introspection and registration requests, keyed by
// x-fapi-interaction-id (echoed or generated on every response): the TLS facts, the checks
// (client certificate, client authentication, DPoP proof, the consent a PAR names, the code or
// refresh token, token binding) and the response.
import { randomUUID, createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { CheckResult } from '../../lib/checks/catalogue.ts';
import type { ServerTlsView } from '../../lib/trace/decision.ts';
import type { DecisionStore } from '../decisions/store.ts';
import { summarizeCert } from '../pki/x509.ts';
import { UUID } from '../gateway/checks/api/interaction-id.ts';

const RECORDED = new Set(['token', 'pushed_authorization_request', 'introspection', 'registration', 'revocation']);
const CERT_METHODS = new Set(['tls_client_auth', 'self_signed_tls_client_auth']);
const ERROR_EVENTS = ['grant.error', 'introspection.error', 'pushed_authorization_request.error', 'registration_create.error', 'revocation.error', 'server_error'];

interface OAuthError extends Error {
  error?: string;
  error_description?: string;
  error_detail?: string;
}

function tlsView(ctx: KoaContextWithOIDC): ServerTlsView | null {
  const s = ctx.req.socket as TLSSocket;
  if (typeof s.getProtocol !== 'function') return null;
  const peer = typeof s.getPeerX509Certificate === 'function' ? s.getPeerX509Certificate() : undefined;
  return {
    protocol: s.getProtocol(),
    cipher: s.getCipher()?.standardName ?? null,
    authorized: s.authorized,
    authorizationError: s.authorizationError ? String(s.authorizationError) : null,
    peerCertificate: peer ? summarizeCert(peer) : null,
    sessionReused: s.isSessionReused(),
  };
}

async function issuedBinding(ctx: KoaContextWithOIDC, provider: Provider): Promise<Record<string, unknown> | null> {
  const body = ctx.body as Record<string, unknown> | undefined;
  const token = body?.access_token;
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length === 3) {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as { cnf?: Record<string, unknown> };
    return { format: 'jwt', cnf: claims.cnf ?? null, token_type: body?.token_type };
  }
  const stored = await provider.AccessToken.find(token);
  const cnf = stored?.['x5t#S256'] ? { 'x5t#S256': stored['x5t#S256'] } : stored?.jkt ? { jkt: stored.jkt } : null;
  return { format: 'opaque', cnf, token_type: body?.token_type, fingerprint: createHash('sha256').update(token).digest('base64url').slice(0, 12) };
}

type Client = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/** RFC 9101 §6.2 at PAR: a request object oidc-provider verified (signature by a registered key, aud, exp/nbf), or why not. */
function requestObjectCheck(ctx: KoaContextWithOIDC, client: Client | undefined, err: OAuthError | undefined, detail: string): CheckResult {
  const sent = typeof (ctx.oidc.body as Record<string, unknown> | undefined)?.request === 'string';
  const required = client?.metadata().require_signed_request_object === true;
  const inputs = { requestObject: sent, requireSignedRequestObject: required };
  if (err?.error === 'invalid_request_object') return { id: 'idp.request-object', outcome: 'fail', reason: detail || 'the request object is invalid', inputs };
  if (!sent) {
    return required && err
      ? { id: 'idp.request-object', outcome: 'fail', reason: `the client is registered with require_signed_request_object and pushed plain parameters: ${detail}`, inputs }
      : { id: 'idp.request-object', outcome: 'skip', reason: 'no request object: the client pushed plain parameters', inputs };
  }
  return err?.error === 'invalid_client'
    ? { id: 'idp.request-object', outcome: 'skip', reason: 'not reached: client authentication failed', inputs }
    : { id: 'idp.request-object', outcome: 'pass', reason: 'signed by a key the client registered, aud the issuer, exp and nbf within 60 minutes', inputs };
}

function checks(ctx: KoaContextWithOIDC, client: Client | undefined, tls: ServerTlsView | null, err: OAuthError | undefined, binding: Record<string, unknown> | null): CheckResult[] {
  const authMethod = client?.clientAuthMethod ?? (ctx.oidc.params?.client_assertion ? 'private_key_jwt' : undefined);
  const cert = tls?.peerCertificate ?? null;
  const detail = err ? `${err.error_description ?? err.message}${err.error_detail ? ` (${err.error_detail})` : ''}` : '';
  const authFailed = err?.error === 'invalid_client';
  const dpopFailed = err?.error === 'invalid_dpop_proof' || err?.error === 'use_dpop_nonce' || /DPoP|proof-of-possession/i.test(detail);
  const results: CheckResult[] = [];
  results.push(
    authMethod && CERT_METHODS.has(authMethod)
      ? cert
        ? { id: 'idp.client-cert', outcome: 'pass', reason: `presented ${cert.subject}`, inputs: { thumbprint: cert.thumbprint, nodeVerdict: tls?.authorizationError ?? 'authorized' } }
        : { id: 'idp.client-cert', outcome: 'fail', reason: tls ? 'no client certificate was presented (use the mTLS alias)' : 'not a TLS connection' }
      : { id: 'idp.client-cert', outcome: 'skip', reason: `client authentication ${authMethod ?? 'unknown'} does not use a certificate`, ...(cert ? { inputs: { thumbprint: cert.thumbprint } } : {}) },
  );
  const registered = client
    ? { method: client.clientAuthMethod, tls_client_auth_subject_dn: client.metadata().tls_client_auth_subject_dn, tls_client_auth_san_dns: client.metadata().tls_client_auth_san_dns }
    : { client_id: ctx.oidc.params?.client_id };
  results.push(
    authFailed
      ? { id: 'idp.client-auth', outcome: 'fail', reason: detail || 'client authentication failed', inputs: { ...registered, presented: cert?.subject ?? null } }
      : ctx.oidc.client
        ? { id: 'idp.client-auth', outcome: 'pass', reason: `${ctx.oidc.client.clientId} authenticated with ${ctx.oidc.client.clientAuthMethod}`, inputs: registered }
        : { id: 'idp.client-auth', outcome: 'skip', reason: err ? `not reached: ${err.error}` : 'no client authentication on this request' },
  );
  const proof = ctx.get('dpop');
  results.push(
    !proof
      ? dpopFailed
        ? { id: 'idp.dpop-proof', outcome: 'fail', reason: `no DPoP header: ${detail}` }
        : { id: 'idp.dpop-proof', outcome: 'skip', reason: 'no DPoP header' }
      : dpopFailed
        ? { id: 'idp.dpop-proof', outcome: 'fail', reason: detail }
        : err && !authFailed
          ? { id: 'idp.dpop-proof', outcome: 'skip', reason: `not decided: ${err.error}` }
          : authFailed
            ? { id: 'idp.dpop-proof', outcome: 'skip', reason: 'not reached: client authentication failed' }
            : { id: 'idp.dpop-proof', outcome: 'pass', reason: 'valid DPoP proof' },
  );
  if (ctx.oidc.route === 'pushed_authorization_request') {
    const intent = ctx.state.consentIntent as Omit<CheckResult, 'id'> | undefined;
    results.push(intent ? { id: 'idp.consent-intent', ...intent } : { id: 'idp.consent-intent', outcome: 'skip', reason: err ? `not reached: ${err.error}` : 'not checked' });
    results.push(requestObjectCheck(ctx, client, err, detail));
  }
  const grantType = ctx.oidc.params?.grant_type;
  if (ctx.oidc.route === 'token' && (grantType === 'authorization_code' || grantType === 'refresh_token')) {
    const what = grantType === 'authorization_code' ? 'the authorization code' : 'the refresh token';
    results.push(
      err?.error === 'invalid_grant'
        ? { id: 'idp.grant', outcome: 'fail', reason: detail || `${what} is not valid`, inputs: { grant_type: grantType } }
        : err
          ? { id: 'idp.grant', outcome: 'skip', reason: `not decided: ${err.error}` }
          : { id: 'idp.grant', outcome: 'pass', reason: grantType === 'authorization_code' ? 'code redeemed once, by its client, with the PKCE verifier of its challenge' : 'refresh token of this client, grant still valid', inputs: { grant_type: grantType } },
    );
  }
  results.push(
    binding
      ? binding.cnf
        ? { id: 'idp.token-binding', outcome: 'pass', reason: `token bound by ${Object.keys(binding.cnf as object).join(', ')}`, inputs: binding }
        : { id: 'idp.token-binding', outcome: 'fail', reason: 'the issued token is not sender-constrained (plain bearer)', inputs: binding }
      : { id: 'idp.token-binding', outcome: 'skip', reason: err ? `no token issued: ${err.error}` : 'no token issued on this request' },
  );
  return results;
}

/** Installs the interaction-id and recording middleware. */
export function recordDecisions(provider: Provider, decisions: DecisionStore): void {
  for (const event of ERROR_EVENTS) {
    (provider as unknown as NodeJS.EventEmitter).on(event, (ctx: KoaContextWithOIDC, err: OAuthError) => {
      ctx.state.fapiError = err;
    });
  }
  provider.use(async (ctx, next) => {
    const t0 = performance.now();
    const received = ctx.get('x-fapi-interaction-id');
    const interactionId = UUID.test(received) ? received : randomUUID();
    ctx.set('x-fapi-interaction-id', interactionId);
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    if (!oidc?.route || !RECORDED.has(oidc.route)) return;
    const c = ctx as unknown as KoaContextWithOIDC;
    const err = ctx.state.fapiError as OAuthError | undefined;
    const tls = tlsView(c);
    const binding = !err && oidc.route === 'token' ? await issuedBinding(c, provider) : null;
    const clientId = oidc.params?.client_id;
    const client = oidc.client ?? (typeof clientId === 'string' ? await provider.Client.find(clientId).catch(() => undefined) : undefined);
    const body = ctx.body as Record<string, unknown> | undefined;
    // Shared database (PostgreSQL): the answer waits until another instance could look the decision up.
    const recorded = decisions.record({
      interactionId,
      source: 'idp',
      at: new Date().toISOString(),
      request: { method: ctx.method, url: ctx.href, route: oidc.route },
      tls,
      checks: checks(c, client, tls, err, binding),
      response: {
        status: ctx.status,
        ...(typeof body?.error === 'string' ? { error: body.error } : {}),
        ...(typeof body?.error_description === 'string' ? { errorDescription: body.error_description } : {}),
      },
      durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
    });
    if (recorded) await recorded;
  });
}
