// The sandbox as a child process of a script (bench, test-pack, the docs screenshot): spawned in its own
// process group (stopped with SIGTERM, SIGKILL after a grace period, and killed if the script ends
// early), ready once its FAPI_READY_FILE is there; free ports and temporary directories.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `n` TCP ports that were free a moment ago on 127.0.0.1. */
export async function freePorts(n) {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const PORT_VARS = ['FAPI_UI_PORT', 'FAPI_IDP_PORT', 'FAPI_IDP_MTLS_PORT', 'FAPI_GATEWAY_PORT', 'FAPI_GATEWAY_STRICT_PORT', 'FAPI_API_PORT'];

/** FAPI_*_PORT variables for six free ports, and the ports by listener. */
export async function portEnv() {
  const [ui, idp, idpMtls, gateway, gatewayStrict, api] = await freePorts(6);
  return {
    ports: { ui, idp, idpMtls, gateway, gatewayStrict, api },
    env: {
      FAPI_UI_PORT: String(ui), FAPI_IDP_PORT: String(idp), FAPI_IDP_MTLS_PORT: String(idpMtls),
      FAPI_GATEWAY_PORT: String(gateway), FAPI_GATEWAY_STRICT_PORT: String(gatewayStrict), FAPI_API_PORT: String(api),
    },
  };
}

export function tempDir(label) {
  return mkdtempSync(path.join(os.tmpdir(), `fapi-${label}-`));
}

/** Process groups started here and still running: killed if the script itself ends early. */
const running = new Set();
process.on('exit', () => {
  for (const pid of running) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/**
 * Spawns a command in its own process group (so the whole tree can be stopped). Its environment is
 * `baseEnv` (default: this process's) with `env` on top.
 */
export function spawnGroup(cmd, args, { env = {}, baseEnv = process.env, log = null, cwd = process.cwd() } = {}) {
  const child = spawn(cmd, args, {
    cwd, detached: true, env: { ...baseEnv, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', log ? 'pipe' : 'ignore', log ? 'pipe' : 'ignore'],
  });
  running.add(child.pid);
  child.once('exit', () => running.delete(child.pid));
  const output = [];
  if (log) for (const s of [child.stdout, child.stderr]) s.on('data', (d) => output.push(d.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    output: () => output.join(''),
    /** SIGTERM to the group, SIGKILL after `graceMs`. */
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}

/** Waits for a file to appear and parse as JSON (the sandbox's FAPI_READY_FILE). */
export async function waitForJson(file, proc, timeoutMs = 60_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (existsSync(file)) {
      try { return JSON.parse(readFileSync(file, 'utf8')); } catch { /* being written */ }
    }
    if (proc.child.exitCode !== null) throw new Error(`the sandbox exited (${proc.child.exitCode}) before it was ready:\n${proc.output().slice(-2000)}`);
    await sleep(20);
  }
  throw new Error(`the sandbox was not ready within ${timeoutMs} ms:\n${proc.output().slice(-2000)}`);
}

/**
 * Starts this checkout's `fapi-sandbox start` (built, from dist/) as a child process on free ports with
 * a fresh data folder; resolves with its ready file (URLs, pid), the ports, and a stop function.
 * `nodeArgs` adds node flags (e.g. --cpu-prof to profile the sandbox under load); `root` another build
 * of it (a snapshot made by scripts/bench/ab.mjs); `node` another Node binary (scripts/runtimes/node.mjs, with
 * its runtimeEnv() in `env`).
 */
export async function startSandbox({ ui = false, env = {}, label = 'stack', nodeArgs = [], root = ROOT, node = process.execPath } = {}) {
  // Port 0 everywhere: the sandbox binds what the kernel gives and its ready file names it (ports picked
  // here first could be taken by another process before the sandbox binds them, as happened on a busy machine).
  const portVars = Object.fromEntries(PORT_VARS.map((v) => [v, '0']));
  const dir = tempDir(label);
  const ready = path.join(dir, 'ready.json');
  const proc = spawnGroup(node, [...nodeArgs, path.join(root, 'bin', 'fapi-sandbox.js'), 'start', ...(ui ? [] : ['--no-ui'])], {
    cwd: root, env: { ...portVars, FAPI_DATA_DIR: path.join(dir, 'data'), FAPI_READY_FILE: ready, ...env }, log: true,
  });
  try {
    const info = await waitForJson(ready, proc);
    const ports = Object.fromEntries(Object.entries(info.urls).map(([k, u]) => [k, Number(new URL(u).port)]));
    return {
      ...info,
      ports,
      /** What the sandbox printed so far. */
      output: proc.output,
      async stop() {
        await proc.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
