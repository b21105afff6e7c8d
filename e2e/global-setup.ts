// Starts the built sandbox (`fapi-sandbox start`) on free ports with a fresh database, waits for its
// ready file, and passes the URLs to the tests through FAPI_E2E_STACK. Returns the teardown.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = path.resolve(import.meta.dirname, '..');
  const data = mkdtempSync(path.join(os.tmpdir(), 'fapi-e2e-'));
  const readyFile = path.join(data, 'ready.json');
  // The mock OB API also accepts an external gateway with this key (e2e/responsive.spec.ts puts nginx in front).
  const gatewayKey = process.env.FAPI_E2E_GATEWAY_KEY ??= `e2e-${randomBytes(12).toString('hex')}`;
  const ports = ['UI', 'IDP', 'IDP_MTLS', 'GATEWAY', 'GATEWAY_STRICT', 'API'].map((p) => [`FAPI_${p}_PORT`, '0']);
  const child = spawn(process.execPath, [path.join(root, 'bin', 'fapi-sandbox.js'), 'start'], {
    cwd: root,
    env: { ...process.env, ...Object.fromEntries(ports), FAPI_DATA_DIR: data, FAPI_READY_FILE: readyFile, NODE_ENV: 'production', FAPI_EXTERNAL_GATEWAY_KEY: gatewayKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const deadline = Date.now() + 60_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null) throw new Error(`the sandbox exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the sandbox was not ready within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  process.env.FAPI_E2E_STACK = readFileSync(readyFile, 'utf8');
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(data, { recursive: true, force: true });
  };
}
