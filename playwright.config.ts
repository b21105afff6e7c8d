// End-to-end tests in Debian's Chromium (never a downloaded browser). global-setup.ts starts the
// built sandbox on free ports in a child process; e2e/fixtures.ts hands its URLs to the tests.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      // scripts/e2e.mjs sets it (scripts/find-chromium.mjs); without it, Playwright's own browser.
      executablePath: process.env.CHROMIUM_PATH || undefined,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    viewport: { width: 1440, height: 900 },
    trace: 'off',
  },
});
