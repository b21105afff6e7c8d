// Applies prisma/migrations/*/migration.sql at start, recording them in Prisma's own
// _prisma_migrations table (same checksum), so `prisma migrate deploy` sees the same history.
// No schema engine involved: it works offline. Also switches the database to WAL.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface MigrationReport {
  applied: string[];
  total: number;
}

/**
 * Runs `fn` again while SQLite answers SQLITE_BUSY without waiting (it does so, busy timeout or not, where
 * waiting could deadlock: switching a fresh file to WAL while another process does the same) or after the
 * busy timeout (a machine so loaded that the other process holds the lock longer), for 30 s in all.
 */
function whenUnlocked<T>(fn: () => T, ms = 30_000): T {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}

/**
 * Applies every migration not yet recorded. What is applied is read inside an IMMEDIATE transaction
 * (it takes the write lock first), so two processes opening one empty database at once take turns:
 * the second finds the first's migrations recorded instead of failing on "table already exists".
 */
export function migrate(db: Database.Database, migrationsDir: string): MigrationReport {
  whenUnlocked(() => db.pragma('journal_mode = WAL'));
  const names = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const applied = whenUnlocked(() => db.transaction(() => {
    db.exec(HISTORY_TABLE);
    const done = new Set(
      (db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as { migration_name: string }[])
        .map((r) => r.migration_name),
    );
    const record = db.prepare(
      'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)',
    );
    const now: string[] = [];
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      const started = new Date().toISOString();
      db.exec(sql);
      record.run(randomUUID(), createHash('sha256').update(sql).digest('hex'), new Date().toISOString(), name, started);
      now.push(name);
    }
    return now;
  }).immediate());
  return { applied, total: names.length };
}
