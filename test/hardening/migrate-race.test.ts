// Two instances started at the same instant on one empty database (several instances sharing it, issue 18):
// both must come up. migrate() used to read what is applied outside the transaction that applies it, and
// one of the two failed with "table ... already exists" (5 runs in 5); it now reads it inside an IMMEDIATE
// transaction (server/db/migrate.ts). PostgreSQL takes an advisory lock (test/db/postgres.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { tempDataDir } from '../helpers/paths.ts';
import { openDb } from '../../server/db/client.ts';

function openAt(dir: string, at: number): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'test/helpers/open-db-at.ts'), dir, String(at)], { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve) => child.once('close', () => resolve(out.trim())));
}

test('two processes migrating one empty database at the same instant both succeed', async () => {
  for (let round = 0; round < 3; round++) {
    const data = tempDataDir('migrate-race');
    try {
      // Both processes load first (a few seconds under load), then open the database at the same instant.
      const at = Date.now() + 6_000;
      assert.deepEqual(await Promise.all([openAt(data.dir, at), openAt(data.dir, at)]), ['ok', 'ok'], `round ${round}`);
    } finally {
      data.remove();
    }
  }
});

test('a database another process keeps locked past the busy timeout (10 s) is migrated once it lets go', async () => {
  const data = tempDataDir('migrate-held');
  try {
    const file = path.join(data.dir, 'sandbox.db');
    // Another process takes the write lock on the (new, empty) file and holds it for 11 s.
    const holder = spawn(process.execPath, ['-e', `
      const db = new (require('better-sqlite3'))(${JSON.stringify(file)});
      db.exec('BEGIN IMMEDIATE; CREATE TABLE held (x)');
      console.log('locked');
      setTimeout(() => { db.exec('COMMIT'); db.close(); }, 11000);
    `], { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
    const t0 = Date.now();
    const db = await openDb(data.dir, ROOT_DIR);
    await db.close();
    assert.ok(Date.now() - t0 > 9_000, 'it waited for the lock');
  } finally {
    data.remove();
  }
});
