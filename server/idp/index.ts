// The bundled identity provider (oidc-provider): issuer on the plain listener (with the bank's
// sign-in and consent pages), token / PAR / introspection / revocation / userinfo also on the mTLS
// alias listener (RFC 8705 §5, published as mtls_endpoint_aliases), every decision recorded for the
// trace, and consents and grants revoked together.
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { SandboxConfig } from '../config.ts';
import type { Pki } from '../pki/load.ts';
import type { Db } from '../db/client.ts';
import { atomicReplayDetection } from './adapter.ts';
import type { DecisionStore } from '../decisions/store.ts';
import type { StackUrls } from '../config.ts';
import { PaymentStore } from '../payments/store.ts';
import type { ConsentStore } from '../consent/store.ts';
import { RESOURCES } from '../resources.ts';
import { idpConfiguration } from './config.ts';
import { recordDecisions } from './record.ts';
import { createPages } from './interactions/index.ts';
import { dpopReplayError } from './fapi2.ts';
import { releasingContext } from './async-context.ts';

export interface IdpOptions {
  config: SandboxConfig;
  pki: Pki;
  db: Db;
  decisions: DecisionStore;
  urls: StackUrls;
  consents: ConsentStore;
}

export interface Idp {
  issuer: string;
  /** The issuer's listener: the bank's pages, then oidc-provider. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The mTLS alias listener: oidc-provider only (no browser pages where certificates are requested). */
  mtlsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Revokes every token of a grant and the grant itself (the consent was revoked). */
  revokeGrant(grantId: string): Promise<void>;
  publicJwks: { keys: JWK[] };
  endpoints: {
    token: string; par: string; introspection: string; revocation: string; userinfo: string;
    registration: string; authorization: string; jwks: string; discovery: string;
  };
  resources: typeof RESOURCES;
  provider: Provider;
}

/** oidc-provider 9 warns at import time that Node 20 is unsupported; it works (NOTES.md). */
async function importProvider(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}

function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk as JWK & Record<string, unknown>;
  return pub as JWK;
}

/** Error codes of a connection the client closed, broke or left idle past requestTimeout (not a fault of the IdP). */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_EOF_STATE', 'ERR_HTTP_REQUEST_TIMEOUT']);

export async function createIdp({ config, pki, db, decisions, urls, consents }: IdpOptions): Promise<Idp> {
  const issuer = urls.idp;
  const endpoints = {
    token: `${urls.idpMtls}/token`,
    par: `${urls.idpMtls}/request`,
    introspection: `${urls.idpMtls}/token/introspection`,
    revocation: `${urls.idpMtls}/token/revocation`,
    userinfo: `${urls.idpMtls}/me`,
    registration: `${issuer}/reg`,
    authorization: `${issuer}/auth`,
    jwks: `${issuer}/jwks`,
    discovery: `${issuer}/.well-known/openid-configuration`,
  };
  const { default: ProviderClass, errors, interactionPolicy } = await importProvider();
  const configuration = idpConfiguration({ config, pki, prisma: db.prisma, consents, uiOrigin: urls.ui, errors, interactionPolicy });
  configuration.discovery = {
    mtls_endpoint_aliases: {
      token_endpoint: endpoints.token,
      pushed_authorization_request_endpoint: endpoints.par,
      introspection_endpoint: endpoints.introspection,
      revocation_endpoint: endpoints.revocation,
      userinfo_endpoint: endpoints.userinfo,
    },
  };
  const provider = new ProviderClass(issuer, configuration);
  atomicReplayDetection(provider, db.prisma);
  provider.proxy = false;
  recordDecisions(provider, decisions);
  dpopReplayError(provider);
  linkConsentsAndGrants(provider, consents);
  // Koa prints every error it is told about; a client hanging up mid-request is not worth a stack trace.
  // (Provider extends Koa; its typings list only oidc-provider's own events.)
  (provider as unknown as NodeJS.EventEmitter).on('error', (err: NodeJS.ErrnoException) => {
    if (!CLIENT_GONE.has(err.code ?? '')) console.error('identity provider:', err);
  });
  const callback = releasingContext(provider.callback());
  const pages = createPages({
    provider, consents, payments: new PaymentStore(db.prisma), prisma: db.prisma, errors,
    csrfKey: createHmac('sha256', pki.secrets.cookieKeys[0]!).update('fapi-sandbox bank pages csrf').digest(),
  });
  const revokeGrant = async (grantId: string) => {
    await Promise.all([provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode].map((m) => m.revokeByGrantId(grantId)));
    await provider.Grant.adapter.destroy(grantId);
  };
  consents.onRevoked((consent) => (consent.grantId ? revokeGrant(consent.grantId) : undefined));
  return {
    issuer,
    handler: (req, res) => void (pages.handles(req) ? pages.handle(req, res) : callback(req, res)),
    mtlsHandler: (req, res) => void callback(req, res),
    revokeGrant,
    publicJwks: { keys: pki.idpJwks.keys.map(publicJwk) },
    endpoints,
    resources: RESOURCES,
    provider,
  };
}

/**
 * When oidc-provider revokes a grant (a replayed authorization code, RFC 6749 §4.1.2; a revoked
 * refresh token, RFC 7009 §2.1), the consent behind it is revoked too, so the API refuses the
 * grant's JWT access tokens that no one can recall. The response waits for it.
 */
function linkConsentsAndGrants(provider: Provider, consents: ConsentStore): void {
  (provider as unknown as NodeJS.EventEmitter).on('grant.revoked', (ctx: { state: Record<string, unknown> }, grantId: string) => {
    const pending = consents.revokeByGrant(grantId).then(() => undefined, (err: unknown) => console.error(`idp: could not revoke the consent of grant ${grantId}:`, err));
    ((ctx.state.consentRevocations ??= []) as Promise<void>[]).push(pending);
  });
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      const pending = ctx.state.consentRevocations as Promise<void>[] | undefined;
      if (pending) await Promise.all(pending);
    }
  });
}
