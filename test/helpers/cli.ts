// Runs the built `fapi-sandbox` command (bin/ -> dist/, rebuilt when stale by scripts/test.mjs) as a
// child process, with a throw-away data directory and the shared certs/ unless told otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { certsDir } from './paths.ts';

const BIN = path.join(ROOT_DIR, 'bin', 'fapi-sandbox.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Environment for a child sandbox: no colours, the given data directory, every port free. */
export function cliEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env, NO_COLOR: '1', NEXT_TELEMETRY_DISABLED: '1', FAPI_DATA_DIR: dataDir, FAPI_CERTS_DIR: certsDir(),
    FAPI_UI_PORT: '0', FAPI_IDP_PORT: '0', FAPI_IDP_MTLS_PORT: '0', FAPI_GATEWAY_PORT: '0', FAPI_GATEWAY_STRICT_PORT: '0', FAPI_API_PORT: '0',
    ...extra,
  };
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the command to completion (killed after `timeoutMs`). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  const t0 = performance.now();
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - t0) });
    });
  });
}
