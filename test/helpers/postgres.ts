// PostgreSQL for tests: the server FAPI_TEST_DATABASE_URL names, or a throw-away cluster
// (scripts/postgres-cluster.mjs: initdb in a temporary directory, a free loopback port) started once per
// test file and stopped with it. Every caller gets a fresh database of its own on that server.
// Without PostgreSQL the tests skip with `postgresSkip`'s message.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresBinDir, startPostgres, withDatabase, type PostgresCluster } from '../../scripts/postgres-cluster.mjs';
import { openPostgres, type PostgresDb } from '../../server/db/client.ts';
import { ROOT_DIR } from '../../server/config.ts';

/** False when PostgreSQL is there; else why the PostgreSQL tests are skipped. */
export const postgresSkip: string | false = process.env.FAPI_TEST_DATABASE_URL || postgresBinDir()
  ? false
  : 'PostgreSQL is not installed (apt-get install postgresql) and FAPI_TEST_DATABASE_URL is unset';

let cluster: Promise<PostgresCluster> | null = null;
after(async () => (await cluster)?.stop());

/** The URL of a new, empty database named after `label`. */
export async function freshDatabaseUrl(label: string): Promise<string> {
  let admin = process.env.FAPI_TEST_DATABASE_URL;
  if (!admin) {
    cluster ??= startPostgres();
    admin = (await cluster).url;
  }
  const name = `fapi_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return withDatabase(admin, name);
}

/** Runs `fn` with the project's own openPostgres (migrations, Prisma client) on a fresh database. */
export async function withPostgresDb(label: string, fn: (db: PostgresDb) => Promise<void>): Promise<void> {
  const db = await openPostgres(await freshDatabaseUrl(label), ROOT_DIR);
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}
