// scripts/find-chromium.mjs: the end-to-end tests find a browser the usual ways, in order: CHROMIUM_PATH,
// a chromium / chromium-browser / google-chrome on the PATH, Playwright's browser cache; else a clear no.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error a plain ES module of scripts/ without types
import { findChromium } from '../../scripts/find-chromium.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'find-chromium-'));
const exe = (file: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
};

test('CHROMIUM_PATH first, then a system browser on the PATH under any of its usual names', () => {
  const chrome = exe(path.join(dir, 'bin', 'google-chrome'));
  const own = exe(path.join(dir, 'own', 'chrome'));
  assert.deepEqual(findChromium({ CHROMIUM_PATH: own, PATH: path.dirname(chrome) }), { path: own, how: 'CHROMIUM_PATH' });
  assert.deepEqual(findChromium({ PATH: `/nonexistent${path.delimiter}${path.dirname(chrome)}` }), { path: chrome, how: 'google-chrome on the PATH' });
  assert.equal(findChromium({ CHROMIUM_PATH: path.join(dir, 'missing') }), null, 'a CHROMIUM_PATH that is not there is no browser');
});

test("Playwright's browser cache last; with nothing anywhere, the command says how to get one and fails", () => {
  const cache = path.join(dir, 'cache');
  const script = path.resolve('scripts/find-chromium.mjs');
  const none = spawnSync(process.execPath, [script], { env: { NODE_ENV: 'test', PATH: '/nonexistent', PLAYWRIGHT_BROWSERS_PATH: cache }, encoding: 'utf8' });
  assert.equal(none.status, 1);
  assert.match(none.stdout, /set CHROMIUM_PATH, install one \(Debian: apt-get install chromium\), or run `npx playwright install chromium`/);
  const probe = spawnSync(process.execPath, ['-e', "console.log(require('playwright-core').chromium.executablePath())"], { env: { NODE_ENV: 'test', PLAYWRIGHT_BROWSERS_PATH: cache }, encoding: 'utf8' });
  exe(probe.stdout.trim());
  const cached = spawnSync(process.execPath, [script], { env: { NODE_ENV: 'test', PATH: '/nonexistent', PLAYWRIGHT_BROWSERS_PATH: cache }, encoding: 'utf8' });
  assert.equal(cached.status, 0);
  assert.equal(cached.stdout.trim(), `${probe.stdout.trim()} (Playwright's browser cache)`);
});
