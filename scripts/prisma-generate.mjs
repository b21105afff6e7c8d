// Runs `prisma generate` at install time. `generate` never executes the native schema engine,
// but the CLI downloads it first; offline that download fails. Pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips the download (see DEVELOPERS.md).
// Two clients: generated/prisma (SQLite, prisma/schema.prisma) and generated/prisma-postgresql (from
// prisma/postgresql/schema.prisma, itself generated from the first by scripts/prisma-postgresql.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { postgresSchema, SQLITE_SCHEMA, POSTGRES_SCHEMA } from './prisma-postgresql.mjs';

const require = createRequire(import.meta.url);
let cli;
try {
  cli = require.resolve('prisma/build/index.js');
} catch {
  console.log('prisma CLI not installed (production install): skipping prisma generate');
  process.exit(0);
}
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
writeFileSync(POSTGRES_SCHEMA, postgresSchema(readFileSync(SQLITE_SCHEMA, 'utf8')));
for (const schema of ['prisma/schema.prisma', 'prisma/postgresql/schema.prisma']) {
  const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
