// Writes the migrations for the changes in prisma/schema.prisma, for both providers, without Prisma's
// native schema engine (which the CLI downloads, so it fails offline): each provider's checked-in
// migrations are replayed into a scratch database (a SQLite file; a database in a throw-away PostgreSQL
// cluster, or on FAPI_TEST_DATABASE_URL's server), and Prisma's schema engine compiled to WebAssembly
// diffs that database against the schema (prisma/postgresql/schema.prisma, generated from it, for
// PostgreSQL). A provider whose migrations already agree gets nothing, so after a merge that brought a
// SQLite migration, the same command writes only the PostgreSQL one.
// Usage: npm run db:migration -- <name>      npm run db:migration -- --check (exit 1 when either drifts;
// PostgreSQL is skipped, said so, where its server is not installed). --root <dir>: another project's
// prisma/ folder (the drift test's modified copy).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SchemaEngine } from '@prisma/schema-engine-wasm';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { postgresSchema } from './prisma-postgresql.mjs';
import { postgresBinDir, startPostgres, withDatabase } from './postgres-cluster.mjs';

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const ROOT = rootAt >= 0 ? path.resolve(args.splice(rootAt, 2)[1] ?? '.') : path.resolve(import.meta.dirname, '..');
const SQLITE_SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const POSTGRES_SCHEMA = path.join(ROOT, 'prisma', 'postgresql', 'schema.prisma');
const check = args.includes('--check');
const name = (args.find((a) => !a.startsWith('--')) ?? '').replace(/[^a-z0-9_]/gi, '_');
if (!name && !check) {
  console.error('usage: npm run db:migration -- <name>   (or -- --check)');
  process.exit(2);
}
const log = (line) => { if (process.env.DEBUG_ENGINE) console.error(line); };

const migrationDirs = (dir) => existsSync(dir)
  ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  : [];
const readMigration = (dir, m) => readFileSync(path.join(dir, m, 'migration.sql'), 'utf8');

/** The SQL that takes a database built from `adapterFactory`'s migrations to the schema ('' when they agree). */
async function diff(schemaPath, schema, adapterFactory) {
  const files = [{ path: schemaPath, content: schema }];
  const engine = await SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, log, bindMigrationAwareSqlAdapterFactory(adapterFactory));
  const result = await engine.diff({
    from: { tag: 'schemaDatasource', files, configDir: ROOT },
    to: { tag: 'schemaDatamodel', files },
    script: true,
    shadowDatabaseUrl: null,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  const sql = result.stdout ?? '';
  return !sql.trim() || sql.startsWith('-- This is an empty migration') ? '' : sql;
}

const PROVIDERS = [
  {
    label: 'SQLite',
    dir: path.join(ROOT, 'prisma', 'migrations'),
    lock: 'sqlite',
    async pending(dir) {
      const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'fapi-migration-'));
      try {
        const file = path.join(scratchDir, 'scratch.db');
        const db = new Database(file);
        for (const m of migrationDirs(dir)) db.exec(readMigration(dir, m));
        db.close();
        return await diff(SQLITE_SCHEMA, readFileSync(SQLITE_SCHEMA, 'utf8'), new PrismaBetterSqlite3({ url: `file:${file}` }));
      } finally {
        rmSync(scratchDir, { recursive: true, force: true });
      }
    },
  },
  {
    label: 'PostgreSQL',
    dir: path.join(ROOT, 'prisma', 'migrations-postgresql'),
    lock: 'postgresql',
    async pending(dir) {
      const server = process.env.FAPI_TEST_DATABASE_URL ? null : await startPostgres();
      const adminUrl = process.env.FAPI_TEST_DATABASE_URL ?? server.url;
      const scratch = `fapi_migration_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${scratch}`);
        const url = withDatabase(adminUrl, scratch);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        for (const m of migrationDirs(dir)) await client.query(readMigration(dir, m));
        await client.end();
        return await diff(POSTGRES_SCHEMA, postgresText, readableCatalog(new PrismaPg({ connectionString: url })));
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).catch(() => {});
        await admin.end();
        server?.stop();
      }
    },
  },
];

/**
 * @prisma/adapter-pg 7.10 refuses PostgreSQL's one-byte "char" type (OID 18), which the schema engine's
 * catalogue queries return (relkind, contype...): read it as text, its value is already a string.
 * Only this script's scratch connections are patched.
 */
function readableCatalog(factory) {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      let proto = Object.getPrototypeOf(adapter);
      while (proto && !Object.hasOwn(proto, 'performIO')) proto = Object.getPrototypeOf(proto);
      if (proto && !proto.performIO.charAsText) {
        const io = proto.performIO;
        proto.performIO = Object.assign(async function (query) {
          const result = await io.call(this, query);
          for (const field of result.fields) if (field.dataTypeID === 18) field.dataTypeID = 25;
          return result;
        }, { charAsText: true });
      }
      return adapter;
    },
    connectToShadowDb: factory.connectToShadowDb?.bind(factory),
  };
}

let drift = 0;
const postgresText = postgresSchema(readFileSync(SQLITE_SCHEMA, 'utf8'));
if (!check) {
  mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  writeFileSync(POSTGRES_SCHEMA, postgresText);
} else if (!existsSync(POSTGRES_SCHEMA) || readFileSync(POSTGRES_SCHEMA, 'utf8') !== postgresText) {
  console.error('prisma/postgresql/schema.prisma is not what scripts/prisma-postgresql.mjs makes of prisma/schema.prisma (npm run prepare)');
  drift++;
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
for (const p of PROVIDERS) {
  if (p.label === 'PostgreSQL' && !process.env.FAPI_TEST_DATABASE_URL && !postgresBinDir()) {
    console.error(`PostgreSQL: server not installed (apt-get install postgresql) and FAPI_TEST_DATABASE_URL unset: ${check ? 'skipped' : 'no migration written'}`);
    if (!check) drift++;
    continue;
  }
  const sql = await p.pending(p.dir);
  if (!sql) {
    console.log(`${p.label}: prisma/schema.prisma and ${path.relative(ROOT, p.dir)} agree`);
    continue;
  }
  if (check) {
    console.error(`${p.label}: ${path.relative(ROOT, p.dir)} lacks what prisma/schema.prisma says (npm run db:migration -- <name>):\n${sql}`);
    drift++;
    continue;
  }
  const dir = path.join(p.dir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'migration.sql'), sql);
  const lockPath = path.join(p.dir, 'migration_lock.toml');
  if (!existsSync(lockPath)) {
    writeFileSync(lockPath, `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${p.lock}"\n`);
  }
  console.log(`${p.label}: wrote ${path.relative(ROOT, dir)}/migration.sql`);
}
process.exit(drift ? 1 : 0);
