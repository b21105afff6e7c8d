// A child process for test/hardening/migrate-race.test.ts: waits until the given instant (ms since the
// epoch), opens (and migrates) the database in the given folder, prints "ok" or the error.
import { openDb } from '../../server/db/client.ts';
import { ROOT_DIR } from '../../server/config.ts';

const [dir, at] = [process.argv[2]!, Number(process.argv[3])];
while (Date.now() < at) await new Promise((r) => setTimeout(r, 1));
try {
  const db = await openDb(dir, ROOT_DIR);
  await db.close();
  console.log('ok');
} catch (err) {
  console.log(`error: ${(err as Error).message}`);
}
