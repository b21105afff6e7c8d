// Opens the sandbox database. By default one SQLite file in WAL mode; with FAPI_DATABASE_URL=postgresql://...
// a PostgreSQL database (several instances can share it). Both are migrated at open. Prisma serves
// the models through one interface: the PostgreSQL client is generated from the same schema
// (prisma/postgresql/schema.prisma, scripts/prisma-postgresql.mjs) and has the same model API. The few
// hot-path statements (the DPoP replay cache, decision history) go to the raw driver: the
// better-sqlite3 handle (synchronous, atomic) or the pg pool.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { migrate, type MigrationReport } from './migrate.ts';
import { migratePostgres } from './migrate-postgres.ts';

export { Prisma };
export type { PrismaClient };

export type Provider = 'sqlite' | 'postgresql';

interface DbBase {
  /** Where the data lives, for logs: the SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  prisma: PrismaClient;
  migrations: MigrationReport;
  close(): Promise<void>;
}

export interface SqliteDb extends DbBase {
  provider: 'sqlite';
  file: string;
  sqlite: Database.Database;
}

export interface PostgresDb extends DbBase {
  provider: 'postgresql';
  pool: pg.Pool;
}

export type Db = SqliteDb | PostgresDb;

const providers = new WeakMap<object, Provider>();

/** The database behind a Prisma client opened here (the seed's raw SQL differs in its DateTime values). */
export function providerOf(prisma: PrismaClient): Provider {
  return providers.get(prisma) ?? 'sqlite';
}

/** Opens the database FAPI_DATABASE_URL names (PostgreSQL, or a SQLite file), else `<dataDir>/sandbox.db`. */
export async function openDatabase(config: { databaseUrl: string | null; dataDir: string; rootDir: string }): Promise<Db> {
  const url = config.databaseUrl;
  if (url && /^postgres(ql)?:/i.test(url)) return openPostgres(url, config.rootDir);
  const file = url ? path.resolve(url.replace(/^file:(\/\/(?=\/))?/i, '')) : path.join(config.dataDir, 'sandbox.db');
  return openSqlite(file, config.rootDir);
}

/** Opens (and migrates) `<dataDir>/sandbox.db`. */
export function openDb(dataDir: string, rootDir: string): Promise<SqliteDb> {
  return openSqlite(path.join(dataDir, 'sandbox.db'), rootDir);
}

async function openSqlite(file: string, rootDir: string): Promise<SqliteDb> {
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: 10_000 });
  const migrations = migrate(sqlite, path.join(rootDir, 'prisma', 'migrations'));
  sqlite.pragma('synchronous = NORMAL');
  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 10_000 }) });
  await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  providers.set(prisma, 'sqlite');
  return {
    provider: 'sqlite',
    location: file,
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

/** A PostgreSQL URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgresql://(unparsable URL)';
  }
}

/** Opens (and migrates, under an advisory lock) a PostgreSQL database; Prisma and the raw statements share one pool. */
export async function openPostgres(url: string, rootDir: string, poolSize = 10): Promise<PostgresDb> {
  // Loaded only here: the SQLite default starts without the PostgreSQL driver and client.
  const [{ default: pg }, { PrismaPg }, { PrismaClient: PostgresPrismaClient }] = await Promise.all([
    import('pg'),
    import('@prisma/adapter-pg'),
    import('../../generated/prisma-postgresql/client.ts'),
  ]);
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle client's error (the server restarted) must not crash the process: the next query reconnects.
  pool.on('error', () => {});
  try {
    const migrations = await migratePostgres(pool, path.join(rootDir, 'prisma', 'migrations-postgresql'));
    // Same schema, same model API: the PostgreSQL client is typed as the one interface the stores use.
    const prisma = new PostgresPrismaClient({ adapter: new PrismaPg(pool) }) as unknown as PrismaClient;
    providers.set(prisma, 'postgresql');
    return {
      provider: 'postgresql',
      location: redactUrl(url),
      prisma,
      pool,
      migrations,
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end();
    throw err;
  }
}
