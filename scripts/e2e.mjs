// Runs the end-to-end tests: builds what is stale (server, web UI), checks that a system Chromium is
// there (Debian: apt-get install chromium; Playwright never downloads one here), then runs
// Playwright. Arguments pass through: node scripts/e2e.mjs e2e/run-view.spec.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildIfStale } from './build-if-stale.mjs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`end-to-end tests need Chromium at ${chromium}: apt-get install chromium (or set CHROMIUM_PATH)`);
  process.exit(1);
}
buildIfStale({ ui: true });
const result = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
});
process.exit(result.status ?? 1);
