// A gateway worker process (FAPI_GATEWAY_WORKERS): the same gateway and TLS listeners as in the main
// process, serving the connections the main process accepts and hands over. The DPoP replay cache and
// the decisions live in the main process (server/gateway/ipc.ts); nothing here writes to the database.
import https from 'node:https';
import type { Socket } from 'node:net';
import { loadPki } from '../pki/load.ts';
import { gatewayTls } from './mutants.ts';
import { applyLimits, guard, serverOptions } from '../limits.ts';
import { createGateway, type Gateway, type GatewayMode } from './index.ts';
import { DecisionForwarder, RemoteReplay, type FromWorker, type ToWorker, type WorkerInit } from './ipc.ts';

const send = (msg: FromWorker) => {
  if (process.connected) process.send!(msg);
};

let gateway: Gateway | null = null;
let replay: RemoteReplay | null = null;
let decisions: DecisionForwarder | null = null;
const servers = new Map<GatewayMode, https.Server>();

async function init({ config, urls, upstreamKey, idp, forwardPerSecond }: WorkerInit): Promise<void> {
  const pki = await loadPki(config.certsDir);
  replay = new RemoteReplay(send);
  decisions = new DecisionForwarder(send, forwardPerSecond);
  gateway = createGateway({
    config, pki, replay, decisions, urls, gatewaySecret: upstreamKey,
    idp: { issuer: idp.issuer, publicJwks: idp.publicJwks, endpoints: { introspection: idp.introspection } },
  });
  for (const mode of ['lenient', 'strict'] as const) {
    // The same limits and guard as the main process's listeners (server/stack.ts, server/limits.ts).
    const server = https.createServer({ ...gatewayTls(pki, mode === 'strict', config.gateway.disabledChecks), ...serverOptions(config.limits) });
    applyLimits(server, config.limits);
    server.on('request', guard(config.limits, gateway.handler(mode)));
    servers.set(mode, server);
  }
  send({ t: 'ready' });
}

async function stop(): Promise<void> {
  await Promise.all([...servers.values()].map((s) => new Promise<void>((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  })));
  replay?.close();
  await gateway?.close();
  process.exit(0);
}

process.on('message', (msg: ToWorker, handle?: Socket) => {
  switch (msg.t) {
    case 'init':
      init(msg.init).catch((err: unknown) => {
        console.error('gateway worker: could not start:', err);
        process.exit(1);
      });
      break;
    case 'conn': {
      const server = servers.get(msg.listener);
      if (!handle) break;
      if (!server) {
        handle.destroy();
        break;
      }
      server.emit('connection', handle);
      handle.resume();
      break;
    }
    case 'claimed':
      replay?.answered(msg.results);
      break;
    case 'recorded':
      decisions?.recorded(msg.upTo);
      break;
    case 'stop':
      void stop();
      break;
  }
});
// The main process went away: so does the worker. Ctrl-C reaches the whole process group: the main
// process stops the workers itself, after the listeners are closed.
process.on('disconnect', () => process.exit(0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
