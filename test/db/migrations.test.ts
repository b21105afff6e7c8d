// One schema, two providers: prisma/schema.prisma is the source; prisma/postgresql/schema.prisma is
// generated from it; the checked-in migrations of each provider (prisma/migrations, prisma/migrations-
// postgresql) must build exactly that schema (`npm run db:migration -- --check`, Prisma's schema engine
// in WebAssembly against a scratch SQLite file and a scratch PostgreSQL database). A schema change
// without its migrations fails here, for each provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { postgresSkip } from '../helpers/postgres.ts';
// @ts-expect-error a plain ES module of scripts/ without types
import { postgresSchema } from '../../scripts/prisma-postgresql.mjs';

function check(root?: string) {
  const r = spawnSync(process.execPath, ['--experimental-wasm-modules', '--no-warnings', 'scripts/db-migration.mjs', '--check', ...(root ? ['--root', root] : [])], {
    cwd: ROOT_DIR, encoding: 'utf8', timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('prisma/postgresql/schema.prisma is generated from prisma/schema.prisma: only the provider and the client output differ', () => {
  const source = readFileSync(path.join(ROOT_DIR, 'prisma', 'schema.prisma'), 'utf8');
  const generated = readFileSync(path.join(ROOT_DIR, 'prisma', 'postgresql', 'schema.prisma'), 'utf8');
  assert.equal(generated, postgresSchema(source), 'stale: npm run prepare regenerates it');
  assert.match(generated, /provider = "postgresql"/);
});

test('the checked-in migrations of both providers build prisma/schema.prisma', () => {
  const r = check();
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /SQLite: prisma\/schema.prisma and prisma\/migrations agree/);
  if (!postgresSkip) assert.match(r.output, /PostgreSQL: prisma\/schema.prisma and prisma\/migrations-postgresql agree/);
});

test('a model added to the schema without migrations fails the check, for each provider', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fapi-drift-'));
  try {
    cpSync(path.join(ROOT_DIR, 'prisma'), path.join(root, 'prisma'), { recursive: true });
    appendFileSync(path.join(root, 'prisma', 'schema.prisma'), '\nmodel Heartbeat {\n  instance String   @id\n  seenAt   DateTime\n}\n');
    const r = check(root);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /SQLite: prisma\/migrations lacks what prisma\/schema.prisma says[\s\S]*CREATE TABLE "Heartbeat"/);
    if (!postgresSkip) assert.match(r.output, /PostgreSQL: prisma\/migrations-postgresql lacks[\s\S]*CREATE TABLE "Heartbeat"[\s\S]*TIMESTAMP\(3\)/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
