// The bundled identity provider (oidc-provider): issuer on the plain listener, token / PAR /
// introspection / revocation / userinfo also on the mTLS alias listener (RFC 8705 §5, published as
// mtls_endpoint_aliases), every decision recorded for the trace.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { SandboxConfig } from '../config.ts';
import type { Pki } from '../pki/load.ts';
import type { Db } from '../db/client.ts';
import type { DecisionStore } from '../decisions/store.ts';
import type { StackUrls } from '../stack.ts';
import { RESOURCES } from '../resources.ts';
import { idpConfiguration } from './config.ts';
import { recordDecisions } from './record.ts';

export interface IdpOptions {
  config: SandboxConfig;
  pki: Pki;
  db: Db;
  decisions: DecisionStore;
  urls: StackUrls;
}

export interface Idp {
  issuer: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
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

export async function createIdp({ config, pki, db, decisions, urls }: IdpOptions): Promise<Idp> {
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
  const { default: ProviderClass, errors } = await importProvider();
  const configuration = idpConfiguration({ config, pki, prisma: db.prisma, uiOrigin: urls.ui, InvalidTarget: errors.InvalidTarget });
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
  provider.proxy = false;
  recordDecisions(provider, decisions);
  // Koa prints every error it is told about; a client hanging up mid-request is not worth a stack trace.
  // (Provider extends Koa; its typings list only oidc-provider's own events.)
  (provider as unknown as NodeJS.EventEmitter).on('error', (err: NodeJS.ErrnoException) => {
    if (!CLIENT_GONE.has(err.code ?? '')) console.error('identity provider:', err);
  });
  const callback = provider.callback();
  return {
    issuer,
    handler: (req, res) => void callback(req, res),
    publicJwks: { keys: pki.idpJwks.keys.map(publicJwk) },
    endpoints,
    resources: RESOURCES,
    provider,
  };
}
