// Shared end-to-end helpers: the certificate index of the running sandbox, and screenshots of the
// main pages into screenshots/ (git-ignored), taken from the top of the page.
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { E2eStack } from './fixtures.ts';

/** The x5t#S256 thumbprint of a certificate of the sandbox PKI. */
export function thumbprintOf(stack: E2eStack, name: string): string {
  const index = JSON.parse(readFileSync(path.join(stack.certsDir, 'index.json'), 'utf8')) as { certificates: { name: string; thumbprint: string }[] };
  const found = index.certificates.find((c) => c.name === name);
  if (!found) throw new Error(`no certificate ${name} in ${stack.certsDir}/index.json`);
  return found.thumbprint;
}

const SHOTS = path.resolve(import.meta.dirname, '..', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
