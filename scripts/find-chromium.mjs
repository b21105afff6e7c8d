// Finds a Chromium for the end-to-end tests and the docs screenshots, the ways the ecosystem does:
// CHROMIUM_PATH, then a system chromium / chromium-browser / google-chrome on the PATH, then
// Playwright's own browser cache (`npx playwright install chromium`). Returns null when none is there.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function onPath(name, envPath = process.env.PATH ?? '') {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

/** Playwright's downloaded Chromium, if `npx playwright install chromium` put one in its cache. */
function playwrightCache() {
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core');
    const file = chromium.executablePath();
    return file && existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** { path, how } of the first Chromium found, or null. */
export function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? { path: env.CHROMIUM_PATH, how: 'CHROMIUM_PATH' } : null;
  for (const name of NAMES) {
    const file = onPath(name, env.PATH);
    if (file) return { path: file, how: `${name} on the PATH` };
  }
  const cached = playwrightCache();
  return cached ? { path: cached, how: "Playwright's browser cache" } : null;
}

export const NO_CHROMIUM = 'the end-to-end tests need Chromium and found none: set CHROMIUM_PATH, install one (Debian: apt-get install chromium), or run `npx playwright install chromium`';

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = findChromium();
  console.log(found ? `${found.path} (${found.how})` : NO_CHROMIUM);
  process.exit(found ? 0 : 1);
}
