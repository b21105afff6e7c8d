// Shared test locations: the certs directory (generated once, shared by every test file) and fresh
// temporary data directories (one SQLite database per test file).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';

export function certsDir(): string {
  return process.env.FAPI_CERTS_DIR ?? path.join(ROOT_DIR, 'certs');
}

export function tempDataDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `fapi-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
