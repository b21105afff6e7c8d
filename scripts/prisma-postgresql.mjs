// prisma/schema.prisma is the one schema. Its PostgreSQL variant (prisma/postgresql/schema.prisma) is
// generated from it here: the datasource provider and the client's output folder differ, nothing else.
// `npm run prepare` runs this before `prisma generate`; test/unit/postgres-schema.test.ts fails when the
// checked-in copy is stale. Usage: node scripts/prisma-postgresql.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
export const SQLITE_SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
export const POSTGRES_SCHEMA = path.join(ROOT, 'prisma', 'postgresql', 'schema.prisma');

const HEADER = '// GENERATED from prisma/schema.prisma by scripts/prisma-postgresql.mjs: edit that file, not this one.\n';

/** The PostgreSQL schema text for a SQLite schema text. */
export function postgresSchema(source) {
  const swaps = [
    [/(datasource db \{\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"'],
    [/(generator client \{[^}]*output\s*=\s*)"\.\.\/generated\/prisma"/, '$1"../../generated/prisma-postgresql"'],
  ];
  let out = source;
  for (const [pattern, replacement] of swaps) {
    if (!pattern.test(out)) throw new Error(`prisma/schema.prisma: expected ${pattern} (scripts/prisma-postgresql.mjs swaps it)`);
    out = out.replace(pattern, replacement);
  }
  return HEADER + out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const want = postgresSchema(readFileSync(SQLITE_SCHEMA, 'utf8'));
  if (process.argv.includes('--check')) {
    let have = '';
    try { have = readFileSync(POSTGRES_SCHEMA, 'utf8'); } catch { /* missing */ }
    if (have !== want) {
      console.error('prisma/postgresql/schema.prisma is stale: run node scripts/prisma-postgresql.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(POSTGRES_SCHEMA, want);
  }
}
