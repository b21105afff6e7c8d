// Gateway worker mode (FAPI_GATEWAY_WORKERS=N): the main process keeps the gateway's listening sockets
// and hands each accepted connection to one of N worker processes in turn (as node:cluster does), so
// TLS, the checks and the proxying use N cores. The DPoP replay cache and the decision store stay
// here, served over the IPC channel (ipc.ts). A worker that dies is replaced.
import { fork, type ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DecisionStore } from '../decisions/store.ts';
import type { ReplayCache } from './dpop/replay-store.ts';
import type { GatewayMode } from './index.ts';
import { serveWorker, type FromWorker, type ToWorker, type WorkerInit } from './ipc.ts';

export interface GatewayWorkersOptions {
  count: number;
  init: WorkerInit;
  /** The listening sockets (net servers with pauseOnConnect), by gateway mode. */
  listeners: Record<GatewayMode, Server>;
  replay: ReplayCache;
  decisions: DecisionStore;
  log: (message: string) => void;
}

export interface GatewayWorkers {
  /** Workers started and ready to serve. */
  ready(): number;
  /** Each ready worker's pid and how many connections it was handed. */
  stats(): { pid: number; connections: number }[];
  stop(): Promise<void>;
}

// worker.ts next to this file (worker.js once compiled); the worker runs with this process's flags (tsx in tests).
const WORKER_FILE = fileURLToPath(new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export async function startGatewayWorkers(opts: GatewayWorkersOptions): Promise<GatewayWorkers> {
  const ready = new Set<ChildProcess>();
  const all = new Set<ChildProcess>();
  const handed = new WeakMap<ChildProcess, number>();
  let stopping = false;
  let next = 0;

  function spawn(): Promise<ChildProcess> {
    // This process's flags (tsx's --import in tests, --cpu-prof when profiling), not the test runner's.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
    const child = fork(WORKER_FILE, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    all.add(child);
    const reply = (m: ToWorker) => {
      if (child.connected) child.send(m);
    };
    // A send to a worker that just died fails here, not in the caller.
    child.on('error', (err) => opts.log(`gateway worker ${child.pid}: ${err.message}`));
    child.on('message', (msg: FromWorker) => {
      if (msg.t === 'ready') ready.add(child);
      else void serveWorker(msg, reply, opts).catch((err: unknown) => opts.log(`gateway worker ${child.pid}: ${(err as Error).message}`));
    });
    child.once('exit', (code, signal) => {
      ready.delete(child);
      all.delete(child);
      if (stopping) return;
      opts.log(`gateway worker ${child.pid} exited (${signal ?? code}); starting another`);
      setTimeout(() => void spawn().catch((err: unknown) => opts.log(`gateway worker: ${(err as Error).message}`)), 500).unref();
    });
    child.send({ t: 'init', init: opts.init } satisfies ToWorker);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`a gateway worker did not start within ${READY_TIMEOUT_MS / 1000} s`));
      }, READY_TIMEOUT_MS);
      const onMessage = (msg: FromWorker) => {
        if (msg.t !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(child);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`a gateway worker exited (${code}) before it was ready`));
      });
    });
  }

  /** Round robin over the ready workers; no worker, no connection. */
  function handOver(listener: GatewayMode, socket: Socket): void {
    const workers = [...ready];
    for (let tried = 0; tried < workers.length; tried++) {
      const child = workers[next++ % workers.length]!;
      try {
        child.send({ t: 'conn', listener } satisfies ToWorker, socket, { keepOpen: false });
        handed.set(child, (handed.get(child) ?? 0) + 1);
        return;
      } catch {
        ready.delete(child);
      }
    }
    socket.destroy();
  }

  try {
    await Promise.all(Array.from({ length: opts.count }, spawn));
  } catch (err) {
    stopping = true;
    for (const child of all) child.kill('SIGKILL');
    throw err;
  }
  for (const mode of ['lenient', 'strict'] as const) opts.listeners[mode].on('connection', (socket: Socket) => handOver(mode, socket));

  return {
    ready: () => ready.size,
    stats: () => [...ready].map((child) => ({ pid: child.pid!, connections: handed.get(child) ?? 0 })),
    async stop() {
      stopping = true;
      const children = [...all];
      ready.clear();
      await Promise.all(children.map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (child.connected) child.send({ t: 'stop' } satisfies ToWorker);
        else child.kill('SIGTERM');
      })));
    },
  };
}
