// The DPoP replay store's batch claims (a gateway worker's batch, one transaction) and its purge in
// small steps: expired rows go, live ones stay, whatever their number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ReplayStore } from '../../server/gateway/dpop/replay-store.ts';
import { migrate } from '../../server/db/migrate.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { tempDataDir } from '../helpers/paths.ts';

function withStore(fn: (store: ReplayStore, db: Database.Database) => Promise<void> | void) {
  return async () => {
    const tmp = tempDataDir('replay-store');
    const db = new Database(path.join(tmp.dir, 'r.db'));
    migrate(db, path.join(ROOT_DIR, 'prisma', 'migrations'));
    const store = new ReplayStore(db);
    try {
      await fn(store, db);
    } finally {
      store.close();
      db.close();
      tmp.remove();
    }
  };
}

test('replay store: claimMany answers each claim in order, a repeat within the batch included', withStore((store) => {
  const exp = Math.floor(Date.now() / 1000) + 60;
  assert.deepEqual(store.claimMany([['k', 'a', exp], ['k', 'b', exp], ['k', 'a', exp], ['other', 'a', exp]]), [true, true, false, true]);
  assert.equal(store.claim('k', 'b', exp), false);
}));

test('replay store: purge deletes every expired row in steps and keeps the live ones', withStore(async (store, db) => {
  const now = Math.floor(Date.now() / 1000);
  store.claimMany(Array.from({ length: 1_100 }, (_, i) => ['k', `old-${i}`, now - 10] as const));
  store.claimMany(Array.from({ length: 30 }, (_, i) => ['k', `live-${i}`, now + 60] as const));
  store.purge(now);
  const count = () => (db.prepare('SELECT COUNT(*) AS n FROM DpopProofSeen').get() as { n: number }).n;
  assert.ok(count() > 30, 'the first step does not delete everything at once');
  for (let i = 0; i < 20 && count() > 30; i++) await new Promise((r) => setImmediate(r));
  assert.equal(count(), 30);
  assert.equal(store.claim('k', 'live-0', now + 60), false, 'live claims still count');
  assert.equal(store.claim('k', 'old-0', now + 60), true, 'an expired claim is forgotten');
}));
