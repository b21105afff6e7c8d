// The resource gateway (RFC 8705 §3, RFC 9449 §7): matches a route, runs its pipeline of checks,
// records the decision under x-fapi-interaction-id, then answers with an OAuth error or forwards
// to the mock Open Banking API. Two listeners share it: lenient (checks report TLS problems) and
// strict (the handshake itself refuses bad certificates).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet } from 'jose';
import type { SandboxConfig } from '../config.ts';
import type { Pki } from '../pki/load.ts';
import type { Idp } from '../idp/index.ts';
import type { StackUrls } from '../config.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import type { GatewayContext } from './context.ts';
import type { GatewayDeps } from './deps.ts';
import { buildRoutes, matchRoute, UPSTREAM_BASE, type Route } from './routes.ts';
import { runPipeline, type PipelineOutcome } from './run.ts';
import { errorReply, sendError } from './errors.ts';
import { createProxy } from './proxy.ts';
import { connectionFacts } from './connection.ts';
import { TrustAnchors } from './trust.ts';
import type { ReplayCache } from './dpop/replay-store.ts';
import { NonceSource } from './dpop/nonce.ts';
import { createIntrospector } from './introspection.ts';
import { remoteJwks } from './remote-jwks.ts';
import { VerifiedTokenCache } from './token-cache.ts';
import { UUID } from './checks/api/interaction-id.ts';
import { routePipelines } from './mutants.ts';
import { isoTime } from './iso-time.ts';

/** Where the gateway's decisions go: the decision store, or (in a worker) the main process's. */
export interface DecisionSink {
  /**
   * `lookedUp`: the client chose the interaction id, so it may look the decision up as soon as it has
   * the answer (the scenario engine does). A promise means the answer must wait for it (see ipc.ts).
   */
  record(decision: Decision, lookedUp: boolean): void | Promise<void>;
}

/** What the gateway needs to know about the identity provider. */
export type IdpView = Pick<Idp, 'issuer' | 'publicJwks'> & { endpoints: Pick<Idp['endpoints'], 'introspection'> };

export interface GatewayOptions {
  config: SandboxConfig;
  pki: Pki;
  /** The DPoP replay cache: SQLite in the main process (ReplayStore), or the main process's from a worker. */
  replay: ReplayCache;
  decisions: DecisionSink;
  urls: StackUrls;
  gatewaySecret: string;
  idp: IdpView;
}

export type GatewayMode = 'lenient' | 'strict';

export interface Gateway {
  routes: readonly Route[];
  deps: GatewayDeps;
  handler(mode: GatewayMode): (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export const DPOP_ALGS = ['ES256', 'PS256', 'EdDSA'] as const;
export const ACCESS_TOKEN_ALGS = ['PS256', 'ES256'] as const;

/** The origins a client may use for this listener: the public one and its loopback aliases. */
function originsOf(publicOrigin: string): string[] {
  const { port } = new URL(publicOrigin);
  return [...new Set([publicOrigin, ...['localhost', '127.0.0.1', '[::1]'].map((h) => `https://${h}${port ? `:${port}` : ''}`)])];
}

export function createGateway(opts: GatewayOptions): Gateway {
  const { config, pki, replay, decisions, urls, idp } = opts;
  const routes = buildRoutes(config);
  const pipelines = routePipelines(routes, config.gateway.disabledChecks);
  const [root, issuing] = pki.trustAnchors;
  const gatewayCert = pki.cert('fapi-gateway');
  const crlNextUpdate = pki.index.trust.crlNextUpdate ? Date.parse(pki.index.trust.crlNextUpdate) / 1000 : undefined;
  const introspector = createIntrospector({
    endpoint: idp.endpoints.introspection, clientId: 'fapi-gateway', cert: gatewayCert.chain, key: gatewayCert.key, ca: pki.rootCa,
    cacheSeconds: config.gateway.introspectionCacheSeconds,
  });
  const deps: GatewayDeps = {
    // The bundled IdP's tokens, or (mixed mode) those of an external authorization server.
    issuer: config.gateway.externalIssuer?.issuer ?? idp.issuer,
    accessTokenKeys: config.gateway.externalIssuer ? remoteJwks(config.gateway.externalIssuer.jwksUri, config.gateway.externalIssuer.ca) : createLocalJWKSet(idp.publicJwks),
    accessTokenAlgs: ACCESS_TOKEN_ALGS,
    verifiedTokens: new VerifiedTokenCache(),
    dpopAlgs: DPOP_ALGS,
    clockToleranceSeconds: config.gateway.clockToleranceSeconds,
    dpopIatWindowSeconds: config.gateway.dpopIatWindowSeconds,
    certClockToleranceSeconds: config.gateway.certClockToleranceSeconds,
    clock: () => Math.floor(Date.now() / 1000),
    maxBodyBytes: config.limits.maxBodyBytes,
    trust: new TrustAnchors(pki.trustAnchors, [{ issuer: root!, revoked: [], nextUpdate: crlNextUpdate }, { issuer: issuing!, revoked: pki.revokedSerials, nextUpdate: crlNextUpdate }]),
    replay,
    nonces: new NonceSource(Buffer.from(pki.secrets.gatewayDpopNonceSecret, 'base64url')),
    introspect: introspector.introspect,
  };
  const api = new URL(urls.api);
  const proxy = createProxy({ host: api.hostname, port: Number(api.port), secret: opts.gatewaySecret });

  function notFound(res: ServerResponse, interactionId: string, path: string): void {
    const body = JSON.stringify({
      error: 'not_found',
      error_description: `no gateway route for ${path.slice(0, 200)}`,
      routes: routes.map((r) => ({ prefix: r.prefix, binding: r.binding, token: r.token, summary: r.summary })),
    });
    res.writeHead(404, { 'content-type': 'application/json', 'x-fapi-interaction-id': interactionId }).end(body);
  }

  function decision(ctx: GatewayContext, outcome: PipelineOutcome, status: number, t0: number, error?: ReturnType<typeof errorReply>): Decision {
    return {
      interactionId: ctx.interactionId,
      source: 'gateway',
      at: isoTime(Date.now()),
      request: { method: ctx.method, url: ctx.publicUrl + (ctx.query.size ? `?${ctx.query}` : ''), route: ctx.route.id, binding: outcome.binding },
      tls: ctx.conn.tls,
      checks: outcome.results,
      response: {
        status,
        ...(error?.error ? { error: error.error } : {}),
        ...(error ? { errorDescription: error.description, wwwAuthenticate: error.wwwAuthenticate.join(', ') } : {}),
      },
      durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, publicOrigins: string[]): Promise<void> {
    const t0 = performance.now();
    const received = req.headers['x-fapi-interaction-id'];
    const chosen = typeof received === 'string' && UUID.test(received);
    const interactionId = chosen ? received : randomUUID();
    const url = URL.parse(req.url ?? '/', 'https://gateway.invalid');
    const match = url ? matchRoute(routes, url.pathname) : null;
    if (!url || !match) return notFound(res, interactionId, req.url ?? '');
    const now = deps.clock();
    const ctx: GatewayContext = {
      req,
      method: req.method ?? 'GET',
      publicUrl: publicOrigins[0] + url.pathname,
      publicOrigins,
      query: url.searchParams,
      route: match.route,
      binding: match.route.binding,
      conn: connectionFacts(req.socket, deps.trust),
      deps,
      now,
      interactionId,
      responseHeaders: match.route.dpopNonce ? { 'dpop-nonce': deps.nonces.issue(now) } : {},
    };
    const outcome = await runPipeline(ctx, pipelines.get(match.route.id)!);
    if (outcome.failure) {
      const reply = errorReply(ctx, outcome.failure.check.id, outcome.failure.reason, outcome.failure.error);
      const recorded = decisions.record(decision(ctx, outcome, reply.status, t0, reply), chosen);
      if (recorded) await recorded;
      return sendError(res, ctx, reply, outcome.failure.check.id);
    }
    await proxy.forward(req, res, ctx, (match.route.upstream ?? UPSTREAM_BASE) + match.rest + url.search, (status) => decisions.record(decision(ctx, outcome, status, t0), chosen));
  }

  return {
    routes,
    deps,
    handler(mode) {
      const origins = originsOf(mode === 'strict' ? urls.gatewayStrict : urls.gateway);
      return (req, res) => {
        handle(req, res, origins).catch((err: unknown) => {
          console.error('gateway: unexpected error:', err);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}');
          else res.destroy();
        });
      };
    },
    async close() {
      replay.close();
      introspector.close();
      proxy.close();
    },
  };
}
