// Runs the end-to-end tests: builds what is stale (server, web UI), finds a Chromium (CHROMIUM_PATH, a
// system chromium / chromium-browser / google-chrome, or Playwright's browser cache: scripts/find-chromium.mjs),
// then runs Playwright with it. Arguments pass through: node scripts/e2e.mjs e2e/run-view.spec.ts
import { spawnSync } from 'node:child_process';
import { buildIfStale } from './build-if-stale.mjs';
import { findChromium, NO_CHROMIUM } from './find-chromium.mjs';

const chromium = findChromium();
if (!chromium) {
  console.error(NO_CHROMIUM);
  process.exit(1);
}
console.log(`[fapi-sandbox] Chromium: ${chromium.path} (${chromium.how})`);
buildIfStale({ ui: true });
const result = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM_PATH: chromium.path, NEXT_TELEMETRY_DISABLED: '1' },
});
process.exit(result.status ?? 1);
