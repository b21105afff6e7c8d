// Starts the whole bundled FAPI stack in this process: PKI, database, identity provider (+ mTLS
// aliases), gateway (lenient and strict listeners), mock Open Banking API, and the control API /
// web UI. `npm start`, the CLI and the tests all start it through startStack().
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { loadConfig, type ConfigOverrides, type Ports, type StackUrls } from './config.ts';
import type { Server, Stack } from './stack-types.ts';

export type { Server, Stack, StackUrls };
import { loadPki } from './pki/load.ts';
import { openDatabase } from './db/client.ts';
import { DecisionStore, decisionRowsFor } from './decisions/store.ts';
import { serverTls, mtlsServerTls } from './tls/options.ts';
import { createIdp } from './idp/index.ts';
import { createBankApi, seedBank } from './api/index.ts';
import { createGateway, ACCESS_TOKEN_ALGS } from './gateway/index.ts';
import { replayStoreFor } from './gateway/dpop/replay-store.ts';
import { gatewayTls, mutantWarning } from './gateway/mutants.ts';
import { startGatewayWorkers, type GatewayWorkers } from './gateway/workers.ts';
import { RESOURCES } from './resources.ts';
import { createLocalJWKSet } from 'jose';
import { createControlApi } from './control/index.ts';
import { warmUp } from './control/warm.ts';
import { startUi, type Ui } from './ui.ts';
import { CatalogueCache } from './engine/catalogue.ts';
import { recoverRuns, startHeartbeat } from './engine/recovery.ts';
import { pruneHistory } from './db/retention.ts';
import { serverOptions, applyLimits, guard } from './limits.ts';
import { hostAllowed, refuseHost } from './control/http.ts';
import { ConsentStore } from './consent/store.ts';
import { Directory } from './directory/index.ts';
import { isCallback, callbackPage } from './tpp/callback.ts';
import path from 'node:path';
import { notReady, switchable } from './starting.ts';

const LISTENERS: { key: keyof Ports; label: string; env: string }[] = [
  { key: 'ui', label: 'web UI and control API', env: 'FAPI_UI_PORT' },
  { key: 'idp', label: 'identity provider', env: 'FAPI_IDP_PORT' },
  { key: 'idpMtls', label: 'identity provider mTLS aliases', env: 'FAPI_IDP_MTLS_PORT' },
  { key: 'gateway', label: 'gateway', env: 'FAPI_GATEWAY_PORT' },
  { key: 'gatewayStrict', label: 'gateway (strict TLS)', env: 'FAPI_GATEWAY_STRICT_PORT' },
  { key: 'api', label: 'mock Open Banking API', env: 'FAPI_API_PORT' },
];

function listen(server: Server, port: number, host: string, what: { label: string; env: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} (${what.label}) is already in use: stop the other process or set ${what.env}`)
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts every listener; resolves when all answer. */
export async function startStack(overrides: ConfigOverrides = {}): Promise<Stack> {
  const t0 = performance.now();
  const config = loadConfig(overrides);
  const log = (msg: string) => {
    if (!config.quiet) console.log(`[fapi-sandbox] ${msg}`);
  };
  // A mutant gateway is said loudly, quiet or not (FAPI_GATEWAY_DISABLE_CHECK).
  const mutant = mutantWarning(config.gateway.disabledChecks);
  if (mutant) console.warn(`[fapi-sandbox] ${mutant}`);
  const pki = await loadPki(config.certsDir, log);
  const db = await openDatabase(config);
  if (db.migrations.applied.length) log(`database ${db.location}: applied ${db.migrations.applied.join(', ')}`);

  const recovered = await recoverRuns(db.prisma);
  if (recovered.length) log(`marked ${recovered.length} run(s) left running by a stopped process as interrupted`);
  // This instance's heartbeat; it interrupts the runs of instances that stopped beating (several on one database).
  const heartbeat = startHeartbeat(db.prisma, log);
  // Retention (server/db/retention.ts): at start, then every 10 minutes.
  const prune = () => pruneHistory(db, config.retention).then(
    (n) => n.runs && log(`pruned ${n.runs} run(s) past FAPI_KEEP_RUNS=${config.retention.keepRuns} / FAPI_KEEP_DAYS=${config.retention.keepDays}`),
    (err: unknown) => log(`pruning the history failed: ${(err as Error).message}`),
  );
  await prune();

  // Node's defaults are generous (60 s for headers, 300 s per request, 120 s per handshake): the
  // limits (server/limits.ts, FAPI_* settings) keep a slow or huge request from holding a listener.
  const limits = serverOptions(config.limits);
  // With gateway workers, the gateway's sockets only accept; the workers do TLS and everything after.
  const gatewayListener = (strict: boolean): Server => config.gateway.workers
    ? net.createServer({ pauseOnConnect: true })
    : https.createServer({ ...gatewayTls(pki, strict, config.gateway.disabledChecks), ...limits });
  const servers: Record<keyof Ports, Server> = {
    ui: http.createServer(limits),
    idp: https.createServer({ ...serverTls(pki), ...limits }),
    idpMtls: https.createServer({ ...mtlsServerTls(pki, false), ...limits }),
    gateway: gatewayListener(false),
    gatewayStrict: gatewayListener(true),
    // The upstream receives the client's headers plus the gateway's own (identity, Client-Cert).
    api: http.createServer({ ...limits, maxHeaderSize: config.limits.maxHeaderBytes + 16_384 }),
  };
  for (const server of Object.values(servers)) if ('headersTimeout' in server) applyLimits(server, config.limits);
  // Each HTTP listener answers 503 + Retry-After until its handler is set below (server/starting.ts).
  const handlers = Object.fromEntries(LISTENERS.map((l) => [l.key, switchable()])) as Record<keyof Ports, ReturnType<typeof switchable>>;
  for (const l of LISTENERS) if ('headersTimeout' in servers[l.key]) servers[l.key].on('request', handlers[l.key].listener);
  // Worker mode: until the workers take the gateway's connections, a TLS server here answers them the same way.
  const beforeWorkers = config.gateway.workers
    ? (['gateway', 'gatewayStrict'] as const).map((key) => {
      const tls = https.createServer({ ...mtlsServerTls(pki, key === 'gatewayStrict'), ...limits }, notReady);
      const onConnection = (socket: net.Socket) => tls.emit('connection', socket);
      servers[key].on('connection', onConnection);
      return () => servers[key].off('connection', onConnection);
    })
    : [];

  const ports = {} as Ports;
  try {
    for (const l of LISTENERS) {
      // The upstream OB API is reachable on loopback only, whatever the bind address.
      const host = l.key === 'api' ? '127.0.0.1' : config.bind;
      ports[l.key] = await listen(servers[l.key], config.ports[l.key], host, l);
    }
  } catch (err) {
    await Promise.all(Object.values(servers).map((s) => new Promise((r) => (s.listening ? s.close(r) : r(null)))));
    await heartbeat.stop();
    await db.close();
    throw err;
  }
  const h = config.publicHost;
  // A listener behind a load balancer has the balancer's origin (FAPI_PUBLIC_*_URL).
  const pub = config.publicUrls;
  const urls: StackUrls = {
    ui: pub.ui ?? `http://${h}:${ports.ui}`,
    idp: pub.idp ?? `https://${h}:${ports.idp}`,
    idpMtls: pub.idpMtls ?? `https://${h}:${ports.idpMtls}`,
    gateway: pub.gateway ?? `https://${h}:${ports.gateway}`,
    gatewayStrict: pub.gatewayStrict ?? `https://${h}:${ports.gatewayStrict}`,
    api: `http://127.0.0.1:${ports.api}`,
  };

  const decisions = new DecisionStore(decisionRowsFor(db), { log: (m) => log(m), shared: config.sharedDatabase });
  const gatewaySecret = config.bundledGatewayKey ?? randomBytes(32).toString('base64url');
  const loopback = config.bind === '0.0.0.0' || config.bind === '::' ? '127.0.0.1' : config.bind.includes(':') ? `[${config.bind}]` : config.bind;
  const uiStart: Promise<Ui | null> = config.ui ? startUi(config, `http://${loopback}:${ports.ui}`) : Promise.resolve(null);
  await seedBank(db.prisma);
  const consents = new ConsentStore(db.prisma);
  const directory = await Directory.fromPki(pki);
  const idp = await createIdp({ config, pki, db, decisions, urls, consents });
  const gateway = createGateway({ config, pki, replay: replayStoreFor(db), decisions, urls, gatewaySecret, idp });
  const guarded = (listener: (req: http.IncomingMessage, res: http.ServerResponse) => void) => guard(config.limits, listener);
  handlers.idp.set(guarded(idp.handler));
  handlers.idpMtls.set(guarded(idp.mtlsHandler));
  const externalGateway = config.externalGatewayKey
    ? { key: config.externalGatewayKey, issuer: idp.issuer, keys: createLocalJWKSet(idp.publicJwks), audience: RESOURCES.obApi, algorithms: ACCESS_TOKEN_ALGS }
    : null;
  // The upstream receives the client's headers plus the gateway's own.
  const upstreamLimits = { ...config.limits, maxHeaderCount: config.limits.maxHeaderCount + 32 };
  handlers.api.set(guard(upstreamLimits, createBankApi({ prisma: db.prisma, gatewaySecret, externalGateway, consents, directory })));
  let workers: GatewayWorkers | null = null;
  if (config.gateway.workers) {
    workers = await startGatewayWorkers({
      count: config.gateway.workers,
      init: {
        config, urls, upstreamKey: gatewaySecret, forwardPerSecond: 500,
        idp: { issuer: idp.issuer, publicJwks: idp.publicJwks, introspection: idp.endpoints.introspection },
      },
      listeners: { lenient: servers.gateway, strict: servers.gatewayStrict },
      replay: gateway.deps.replay,
      decisions,
      log,
    });
    // The workers' own connection listener is attached: stop answering here.
    for (const detach of beforeWorkers) detach();
    log(`gateway: ${config.gateway.workers} worker processes`);
  } else {
    handlers.gateway.set(guarded(gateway.handler('lenient')));
    handlers.gatewayStrict.set(guarded(gateway.handler('strict')));
  }

  const pruning = setInterval(() => void prune(), 10 * 60_000).unref();
  let stopped = false;
  const stack: Stack = {
    config,
    urls,
    pki,
    db,
    decisions,
    consents,
    idp,
    gateway,
    directory,
    catalogue: new CatalogueCache(path.join(config.rootDir, 'scenarios'), config.rootDir),
    gatewayWorkers: workers,
    startupMs: 0,
    servers,
    listening: () => Object.fromEntries(Object.entries(servers).map(([k, s]) => [
      k, s.listening && (!workers || !k.startsWith('gateway') || workers.ready() > 0),
    ])) as Record<keyof Ports, boolean>,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(pruning);
      await Promise.all(
        Object.values(servers).map(
          (s) => new Promise<void>((resolve) => {
            s.close(() => resolve());
            if ('closeAllConnections' in s) s.closeAllConnections();
          }),
        ),
      );
      await workers?.stop();
      await (await uiStart)?.close();
      await gateway.close();
      await decisions.close();
      await heartbeat.stop();
      await db.close();
    },
  };
  const control = createControlApi(stack);
  const ui = await uiStart;
  handlers.ui.set(guarded((req, res) => {
    if (!hostAllowed(req, config.allowedHosts)) return refuseHost(req, res);
    if (control.handles(req)) return void control.handle(req, res);
    if (isCallback(req)) return void callbackPage(req, res, stack.urls, stack.idp);
    if (ui) return void ui.handle(req, res);
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', error_description: 'the web UI is not started (--no-ui)' }));
  }));
  stack.startupMs = Math.round(performance.now() - t0);
  if (config.ui) setTimeout(() => void warmUp(stack), 0).unref();
  return stack;
}
