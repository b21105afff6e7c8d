// The sandbox as a separate process, for tests that kill it with SIGKILL and start it again on the same
// database: free ports chosen up front (a restart keeps its URLs), the ready file, the exit. Spawning
// itself is cli.ts's.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { StackUrls } from '../../server/stack.ts';
import { cliEnv, spawnCli } from './cli.ts';

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

/** Runs the fapi-sandbox CLI with `dataDir` as its database directory, the shared certs, `env` on top. */
export function runChild(args: string[], dataDir: string, env: Record<string, string> = {}): Child {
  const child = spawnCli(args, cliEnv(dataDir, env));
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
export async function startSandbox(dataDir: string, ports: number[]): Promise<RunningSandbox> {
  const readyFile = path.join(dataDir, `ready-${Date.now()}.json`);
  const child = runChild(['start', '--no-ui'], dataDir, {
    ...Object.fromEntries(PORT_ENV.map((name, i) => [name, String(ports[i] ?? 0)])),
    FAPI_READY_FILE: readyFile,
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
