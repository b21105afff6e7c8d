// Takes the README's screenshots of the stolen-token replay run: the built sandbox on free ports with a
// fresh database, a Chromium found by scripts/find-chromium.mjs through Playwright, the run started from
// its Scenario page and then opened on its own page, the attack step open (Alpha's cnf.x5t#S256 against
// the thumbprint of Mallory's certificate, the failed check):
//   docs/run-view.png            a laptop (1280×860): verdict, sequence diagram, the open step
//   docs/run-view-phone.png      a phone (390×844): the vertical timeline
//   docs/run-view-projector.png  a projector (1920×1080) in presentation mode, on the attack step
// Usage: node scripts/docs-screenshot.mjs   (builds what is stale first)
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { buildIfStale } from './build-if-stale.mjs';
import { startSandbox } from './sandbox.mjs';
import { findChromium, NO_CHROMIUM } from './find-chromium.mjs';

const SCENARIO = 'mtls-stolen-token-other-certificate';
const root = path.resolve(import.meta.dirname, '..');
const docs = path.join(root, 'docs');
const browserPath = findChromium()?.path;
if (!browserPath) throw new Error(NO_CHROMIUM);
buildIfStale({ ui: true });

/** Scrolls so that `selector` sits just below the sticky header (or at the top where the header scrolls away). */
async function scrollTo(page, selector) {
  await page.evaluate((sel) => {
    const header = document.querySelector('header');
    const sticky = header && getComputedStyle(header).position === 'sticky' ? header.getBoundingClientRect().height : 0;
    const top = document.querySelector(sel).getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, Math.max(0, top - sticky - 12));
  }, selector);
}

const sandbox = await startSandbox({ ui: true, env: { NODE_ENV: 'production' }, label: 'shot' });
const written = [];
try {
  const { urls } = sandbox;
  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
    await page.goto(`${urls.ui}/scenarios/${SCENARIO}`);
    await page.getByRole('button', { name: /Run scenario/ }).click();
    await page.waitForSelector(`section.timeline[data-scenario="${SCENARIO}"][data-status="passed"]`);
    // The run's own page (stored in SQLite), the attack step open and in view.
    await page.getByRole('link', { name: 'Permanent link to this run' }).click();
    await page.waitForURL(/\/runs\/run_/);
    const runUrl = page.url();
    const shoot = async (file) => {
      mkdirSync(docs, { recursive: true });
      await page.screenshot({ path: path.join(docs, file) });
      written.push(file);
    };
    const ready = () => page.locator('details.step[data-step="1"] [data-card="token"] [data-binding="differ"]').first().waitFor();

    await ready();
    await scrollTo(page, 'section.timeline');
    await shoot('run-view.png');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(runUrl);
    await ready();
    await scrollTo(page, 'section.timeline');
    await shoot('run-view-phone.png');

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(runUrl);
    await ready();
    await page.keyboard.press('p');
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-present-step="1"]').waitFor();
    await scrollTo(page, '.present-bar');
    await shoot('run-view-projector.png');
  } finally {
    await browser.close();
  }
  for (const f of written) console.log(`wrote docs/${f} (${Math.round(statSync(path.join(docs, f)).size / 1024)} KB)`);
} finally {
  await sandbox.stop();
}
