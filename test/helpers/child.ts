// The sandbox as a separate process (`bin/fapi-sandbox.js`, the built CLI), for tests that kill it
// with SIGKILL and start it again on the same database: free ports, the ready file, the CLI's exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { StackUrls } from '../../server/stack.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { certsDir } from './paths.ts';

const BIN = path.join(ROOT_DIR, 'bin', 'fapi-sandbox.js');
const PORT_ENV = ['FAPI_UI_PORT', 'FAPI_IDP_PORT', 'FAPI_IDP_MTLS_PORT', 'FAPI_GATEWAY_PORT', 'FAPI_GATEWAY_STRICT_PORT', 'FAPI_API_PORT'];

/** Ports free right now (held together while chosen so they differ), for a restart on the same ports. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/** Runs the fapi-sandbox CLI with a test environment: the shared certs, `env` on top. */
export function spawnCli(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT_DIR,
    env: { ...process.env, FAPI_CERTS_DIR: certsDir(), NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    process: child,
    output: () => output,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface RunningSandbox extends Child {
  urls: StackUrls;
}

/** `fapi-sandbox start --no-ui` on the given ports (all six) and data directory; resolves once it is up. */
export async function startSandbox(dataDir: string, ports: number[], env: Record<string, string> = {}): Promise<RunningSandbox> {
  const readyFile = path.join(dataDir, `ready-${Date.now()}.json`);
  const child = spawnCli(['start', '--no-ui'], {
    ...Object.fromEntries(PORT_ENV.map((name, i) => [name, String(ports[i] ?? 0)])),
    FAPI_DATA_DIR: dataDir, FAPI_READY_FILE: readyFile, ...env,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`the sandbox exited (${child.process.exitCode}) before it was ready:\n${child.output()}`);
    if (Date.now() > deadline) {
      await child.kill('SIGKILL');
      throw new Error(`the sandbox was not ready within 30 s:\n${child.output()}`);
    }
    if (existsSync(readyFile)) {
      try {
        const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as { urls: StackUrls };
        return { ...child, urls: ready.urls };
      } catch {
        // written but not complete yet
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
