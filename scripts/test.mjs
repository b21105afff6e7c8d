// Runs the unit and integration tests (node:test, TypeScript through tsx).
// Usage: node scripts/test.mjs [path-filter ...]   e.g. node scripts/test.mjs gateway
// The CLI, start-up and hardening (kill -9) tests spawn the compiled command (bin/ -> dist/): it is
// rebuilt first when stale.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildIfStale } from './build-if-stale.mjs';

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name)) : d.name.endsWith('.test.ts') ? [path.join(dir, d.name)] : [],
  );
}

const filters = process.argv.slice(2);
const files = walk('test').filter((f) => !filters.length || filters.some((x) => f.includes(x))).sort();
if (!files.length) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(2);
}
if (files.some((f) => /^test[\\/](cli|start|hardening)[\\/]/.test(f))) buildIfStale({ ui: false });
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', NEXT_TELEMETRY_DISABLED: '1' } },
);
process.exit(result.status ?? 1);
