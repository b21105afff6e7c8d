// Takes docs/run-view.png, the README's screenshot: the built sandbox on free ports with a fresh database,
// Debian's Chromium through Playwright, the stolen-token replay run from its Scenario page, the attack step
// open (Alpha's cnf.x5t#S256 against the thumbprint of Mallory's certificate, the failed check).
// Usage: node scripts/docs-screenshot.mjs   (builds what is stale first; CHROMIUM_PATH overrides /usr/bin/chromium)
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { buildIfStale } from './build-if-stale.mjs';
import { startSandbox } from './sandbox.mjs';
import { findChromium } from './find-chromium.mjs';

const SCENARIO = 'mtls-stolen-token-other-certificate';
const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'docs', 'run-view.png');
buildIfStale({ ui: true });

const sandbox = await startSandbox({ ui: true, env: { NODE_ENV: 'production' }, label: 'shot' });
try {
  const { urls } = sandbox;
  const browser = await chromium.launch({
    executablePath: findChromium()?.path,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
    await page.goto(`${urls.ui}/scenarios/${SCENARIO}`);
    await page.getByRole('button', { name: /Run scenario/ }).click();
    const timeline = page.locator(`section.timeline[data-scenario="${SCENARIO}"]`);
    await timeline.waitFor();
    await page.waitForSelector(`section.timeline[data-scenario="${SCENARIO}"][data-status="passed"]`);
    // The run's own page (stored in SQLite), the attack step open and in view.
    await page.getByRole('link', { name: 'Permanent link to this run' }).click();
    await page.waitForURL(/\/runs\/run_/);
    const attack = page.locator('details.step[data-step="1"]');
    await attack.locator('[data-card="token"] [data-binding="differ"]').first().waitFor();
    // The timeline's top just below the sticky header: the verdict, the sequence diagram, the open step.
    await page.evaluate(() => {
      const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
      const top = document.querySelector('section.timeline').getBoundingClientRect().top + window.scrollY;
      window.scrollTo(0, Math.max(0, top - header - 12));
    });
    mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${path.relative(root, out)} (${Math.round(statSync(out).size / 1024)} KB)`);
} finally {
  await sandbox.stop();
}
