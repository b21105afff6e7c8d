// Applies prisma/migrations-postgresql/*/migration.sql at start, as server/db/migrate.ts does for SQLite:
// recorded in Prisma's _prisma_migrations table with the same sha256 checksum, each migration in its own
// transaction. Several instances starting at once on one database take turns: the whole pass holds the
// advisory lock `prisma migrate deploy` takes (72707369), so the second finds the work done.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { MigrationReport } from './migrate.ts';

/** Prisma Migrate's advisory lock key on PostgreSQL. */
const MIGRATION_LOCK = 72707369;

const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Applies every migration not yet recorded; holds the migration lock throughout. */
export async function migratePostgres(pool: pg.Pool, migrationsDir: string): Promise<MigrationReport> {
  const names = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(HISTORY_TABLE);
      const done = new Set(
        (await client.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL'))
          .rows.map((r) => r.migration_name),
      );
      const applied: string[] = [];
      for (const name of names) {
        if (done.has(name)) continue;
        const sql = readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
        const checksum = createHash('sha256').update(sql).digest('hex');
        const started = new Date();
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query(
            'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)',
            [randomUUID(), checksum, name, started],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`PostgreSQL migration ${name} failed: ${(err as Error).message}`);
        }
        applied.push(name);
      }
      return { applied, total: names.length };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
