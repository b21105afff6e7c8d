// Child processes of the compatibility matrix: a product (HAProxy, Apache, a Node resource server) started
// on a free loopback port, its output kept for error messages, ready once its port accepts connections,
// stopped with SIGTERM (SIGKILL after 5 s). Each runs in its own process group so its children go too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';

export interface Running {
  port: number;
  url: string;
  output(): string;
  /** Still running (a product that died mid-run makes the run an error, not a row of findings). */
  alive(): boolean;
  stop(): Promise<void>;
}

/** The first line of `cmd args` (stdout or stderr) matching `pattern`, its first group; null if none. */
export function versionOf(cmd: string, args: string[], pattern: RegExp): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return pattern.exec(`${r.stdout ?? ''}\n${r.stderr ?? ''}`)?.[1] ?? null;
}

/** The version of an installed Debian package (dpkg-query), or null. */
export function debVersion(pkg: string): string | null {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  port: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** A log file the process writes instead of stderr (its text is part of output()). */
  logFile?: string;
  /** Called after the process stopped (remove temporary files). */
  cleanup?: () => void;
}

/** Starts the process and resolves once its port accepts connections (15 s at most). */
export async function startProcess(opts: SpawnOptions): Promise<Running> {
  let output = '';
  const all = () => output + (opts.logFile && existsSync(opts.logFile) ? readFileSync(opts.logFile, 'utf8') : '');
  const child: ChildProcess = spawn(opts.command, opts.args, { stdio: ['ignore', 'pipe', 'pipe'], env: (opts.env ?? process.env) as NodeJS.ProcessEnv, cwd: opts.cwd, detached: true });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      if (!done) kill('SIGKILL');
    }
    opts.cleanup?.();
  };
  const deadline = Date.now() + 15_000;
  while (!(await connectable(opts.port))) {
    if (child.exitCode !== null) {
      opts.cleanup?.();
      throw new Error(`${opts.name} exited (${child.exitCode}) before listening:\n${all()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.name} did not listen on ${opts.port} within 15 s:\n${all()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port: opts.port, url: `https://localhost:${opts.port}`, output: all, alive: () => child.exitCode === null && child.signalCode === null, stop };
}
