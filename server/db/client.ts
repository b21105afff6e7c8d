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
  const prisma = new PrismaClient({ adapter: new CachingBetterSqlite3({ url: `file:${file}`, timeout: 10_000 }) });
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

/** The few statements an adapter's `prepare(sql).bind(args)` is used with, over a statement prepared once. */
type Bound = Pick<Database.Statement, 'reader' | 'columns'> & { run(): Database.RunResult; raw(): { all(): unknown[] } };

const STATEMENTS_KEPT = 500;

/**
 * Prisma's better-sqlite3 adapter prepares every statement it runs again (SQLite parses and plans it
 * each time: ~4 % of a consent journey's CPU). Here its connection keeps up to 500 prepared statements
 * by SQL text, and each use binds its arguments at the call (`bind()` would fix them for good). The
 * adapter uses `run()` (BEGIN), and after `bind()` `reader`, `columns()`, `run()` and `raw().all()` (raw mode
 * stays on: only the adapter runs these statements).
 */
function cachePrepared(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  const kept = new Map<string, Database.Statement>();
  const cached = (sql: string): Database.Statement => {
    let stmt = kept.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (kept.size >= STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
      kept.set(sql, stmt);
    }
    return stmt;
  };
  const bindable = (stmt: Database.Statement) => ({
    run: () => stmt.run(),
    bind: (args: unknown[]): Bound => ({
      reader: stmt.reader,
      columns: () => stmt.columns(),
      run: () => stmt.run(args),
      raw: () => ({ all: () => stmt.raw(true).all(args) }),
    }),
  });
  db.prepare = ((sql: string) => bindable(cached(sql))) as unknown as typeof db.prepare;
}

/** The adapter factory of Prisma's better-sqlite3 adapter, its connection keeping prepared statements. */
class CachingBetterSqlite3 extends PrismaBetterSqlite3 {
  override async connect(): ReturnType<PrismaBetterSqlite3['connect']> {
    const adapter = await super.connect();
    cachePrepared((adapter as unknown as { client: Database.Database }).client);
    return adapter;
  }
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
