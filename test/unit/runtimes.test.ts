// scripts/runtimes/native-binding.cjs: under another Node major, better-sqlite3's addon is loaded from the copy
// compiled for that runtime (FAPI_BETTER_SQLITE3_BINDING), and no other addon is redirected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
// @ts-expect-error a plain ES module of scripts/ without types
import { runtimeEnv } from '../../scripts/runtimes/node.mjs';

const PRELOAD = path.resolve('scripts/runtimes/native-binding.cjs');
const openDb = "const D = require('better-sqlite3'); console.log(new D(':memory:').prepare('select 41 + 1 as x').get().x)";
const node = (env: Record<string, string>) => spawnSync(process.execPath, ['-e', openDb], { encoding: 'utf8', env: { NODE_ENV: 'test', PATH: process.env.PATH ?? '', ...env } });

test("better-sqlite3's addon is loaded from FAPI_BETTER_SQLITE3_BINDING when the preload is there", () => {
  const redirected = node({ NODE_OPTIONS: `--require "${PRELOAD}"`, FAPI_BETTER_SQLITE3_BINDING: '/nonexistent/other-abi/better_sqlite3.node' });
  assert.notEqual(redirected.status, 0);
  assert.match(redirected.stderr, /\/nonexistent\/other-abi\/better_sqlite3\.node/, 'the redirected path is the one opened');
  // Under scripts/runtimes.mjs (another Node) the variable names this runtime's build; node_modules' is another ABI.
  const own = process.env.FAPI_BETTER_SQLITE3_BINDING;
  const installed = path.resolve('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  const same = node({ NODE_OPTIONS: `--require "${PRELOAD}"`, FAPI_BETTER_SQLITE3_BINDING: own ?? installed });
  assert.equal(same.stdout.trim(), '42', same.stderr);
  const plain = node({ NODE_OPTIONS: `--require "${PRELOAD}"` });
  if (own) assert.match(plain.stderr, /node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node/, 'without the variable the installed addon is opened');
  else assert.equal(plain.stdout.trim(), '42', 'without the variable the installed addon is opened');
});

test('runtimeEnv puts the runtime first on PATH and keeps NODE_OPTIONS already set', () => {
  const env = runtimeEnv({ node: '/rt/bin/node', binding: '/rt/b.node' }, { PATH: '/usr/bin', NODE_OPTIONS: '--max-old-space-size=512' });
  assert.equal(env.PATH, `/rt/bin${path.delimiter}/usr/bin`);
  assert.equal(env.NODE_OPTIONS, `--max-old-space-size=512 --require "${PRELOAD}"`);
  assert.equal(env.FAPI_BETTER_SQLITE3_BINDING, '/rt/b.node');
});
