// What a started stack is, as a type: the leaf module that the rooms below the composition root
// (engine/, targets/, control/) name it by, so none of them imports server/stack.ts itself.
import type http from 'node:http';
import type https from 'node:https';
import type net from 'node:net';
import type { Ports, SandboxConfig, StackUrls } from './config.ts';
import type { Pki } from './pki/load.ts';
import type { Db } from './db/client.ts';
import type { DecisionStore } from './decisions/store.ts';
import type { ConsentStore } from './consent/store.ts';
import type { Idp } from './idp/index.ts';
import type { Gateway } from './gateway/index.ts';
import type { GatewayWorkers } from './gateway/workers.ts';
import type { CatalogueCache } from './engine/catalogue.ts';
import type { Directory } from './directory/index.ts';

export interface Stack {
  config: SandboxConfig;
  urls: StackUrls;
  pki: Pki;
  db: Db;
  decisions: DecisionStore;
  consents: ConsentStore;
  idp: Idp;
  gateway: Gateway;
  /** The sandbox directory: message-signing keys of the TPPs and the bank (OBIE detached JWS). */
  directory: Directory;
  /** The scenario catalogue (scenarios/), reloaded when a file changes. */
  catalogue: CatalogueCache;
  /** The gateway's worker processes (FAPI_GATEWAY_WORKERS), or null when it runs in this process. */
  gatewayWorkers: GatewayWorkers | null;
  /** Milliseconds from startStack() to every listener answering. */
  startupMs: number;
  /** Whether each listener is accepting connections. */
  listening(): Record<keyof Ports, boolean>;
  /** The listeners themselves (tests observe the upstream API's requests and the bound addresses). */
  servers: Readonly<Record<keyof Ports, Server>>;
  stop(): Promise<void>;
}

/** A gateway listener in worker mode is a plain net.Server that only accepts (server/gateway/workers.ts). */
export type Server = http.Server | https.Server | net.Server;
