// Opens the sandbox database: one SQLite file in WAL mode, migrated at open. Prisma serves the
// models; the raw better-sqlite3 handle serves the few hot-path statements that must be
// synchronous and atomic (the DPoP replay cache).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { migrate, type MigrationReport } from './migrate.ts';

export { Prisma };
export type { PrismaClient };

export interface Db {
  file: string;
  prisma: PrismaClient;
  sqlite: Database.Database;
  migrations: MigrationReport;
  close(): Promise<void>;
}

/** Opens (and migrates) `<dataDir>/sandbox.db`. */
export async function openDb(dataDir: string, rootDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'sandbox.db');
  const sqlite = new Database(file, { timeout: 10_000 });
  const migrations = migrate(sqlite, path.join(rootDir, 'prisma', 'migrations'));
  sqlite.pragma('synchronous = NORMAL');
  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 10_000 }) });
  await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  return {
    file,
    prisma,
    sqlite,
    migrations,
    async close() {
      await prisma.$disconnect();
      sqlite.close();
    },
  };
}
