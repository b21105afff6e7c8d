// A fresh SQLite database for one test: the project's own openDb (migrations, Prisma client) in a
// temporary data directory, closed and removed afterwards whatever the test did.
import { openDb, type SqliteDb } from '../../server/db/client.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { tempDataDir } from './paths.ts';

/** Runs `fn` with a database of its own in a throw-away directory named after `label`. */
export async function withTempDb(label: string, fn: (db: SqliteDb) => Promise<void>): Promise<void> {
  const data = tempDataDir(label);
  const db = await openDb(data.dir, ROOT_DIR);
  try {
    await fn(db);
  } finally {
    await db.close();
    data.remove();
  }
}
