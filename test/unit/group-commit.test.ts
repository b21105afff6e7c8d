// DPoP replay claims group-committed (server/gateway/dpop/group-commit.ts): one write per event-loop
// turn, answers only from that write, duplicates and recent replays refused in memory, a failed write
// refusing its whole batch; on the real SQLite store, two instances sharing one file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GroupCommitReplay } from '../../server/gateway/dpop/group-commit.ts';
import { ReplayStore, type DurableClaims } from '../../server/gateway/dpop/replay-store.ts';
import { migrate } from '../../server/db/migrate.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { tempDataDir } from '../helpers/paths.ts';

/** The real store, with every write it receives logged. */
function spied(store: DurableClaims) {
  const writes: string[][] = [];
  const spy: DurableClaims = {
    claimKeys(keys, exps) {
      writes.push([...keys]);
      return store.claimKeys(keys, exps);
    },
    close: () => store.close(),
  };
  return { spy, writes };
}

function withDb(fn: (open: () => { cache: GroupCommitReplay; writes: string[][] }) => Promise<void>) {
  return async () => {
    const tmp = tempDataDir('group-commit');
    const file = path.join(tmp.dir, 'r.db');
    const dbs: Database.Database[] = [];
    const caches: GroupCommitReplay[] = [];
    const open = () => {
      const db = new Database(file);
      migrate(db, path.join(ROOT_DIR, 'prisma', 'migrations'));
      dbs.push(db);
      const { spy, writes } = spied(new ReplayStore(db));
      const cache = new GroupCommitReplay(spy);
      caches.push(cache);
      return { cache, writes };
    };
    try {
      await fn(open);
    } finally {
      for (const c of caches) c.close();
      for (const d of dbs) d.close();
      tmp.remove();
    }
  };
}

const exp = () => Math.floor(Date.now() / 1000) + 60;

test('group commit: the claims of one turn are one write; a key twice in it is fresh the first time only', withDb(async (open) => {
  const { cache, writes } = open();
  const answers = await Promise.all([cache.claim('k', 'a', exp()), cache.claim('k', 'b', exp()), cache.claim('k', 'a', exp()), cache.claim('other', 'a', exp())]);
  assert.deepEqual(answers, [true, true, false, true]);
  assert.equal(writes.length, 1, 'one write for the turn');
  assert.equal(writes[0]!.length, 3, 'the duplicate never reaches the database');
}));

test('group commit: a replay in a later turn is refused from memory, without a write', withDb(async (open) => {
  const { cache, writes } = open();
  assert.equal(await cache.claim('k', 'a', exp()), true);
  assert.equal(cache.claim('k', 'a', exp()), false, 'answered at once');
  assert.equal(writes.length, 1);
}));

test('group commit: another instance on the same database refuses the replay from the database', withDb(async (open) => {
  const one = open();
  const two = open();
  assert.equal(await one.cache.claim('k', 'a', exp()), true);
  assert.deepEqual(await Promise.all([two.cache.claim('k', 'a', exp()), two.cache.claim('k', 'b', exp())]), [false, true]);
  assert.equal(two.writes.length, 1);
  assert.equal(await one.cache.claim('k', 'b', exp()), false, 'and the first one learns the other\'s claim from the database');
}));

test('group commit: no answer before the write has answered', async () => {
  let release!: (fresh: boolean[]) => void;
  const cache = new GroupCommitReplay({ claimKeys: () => new Promise<boolean[]>((r) => (release = r)), close() {} });
  let settled = false;
  const answer = Promise.resolve(cache.claim('k', 'a', exp())).then((f) => ((settled = true), f));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'still waiting for the database');
  release([true]);
  assert.equal(await answer, true);
  cache.close();
});

test('group commit: a failed write refuses every claim of its batch (duplicates included) and remembers none', async () => {
  for (const failure of ['throws', 'rejects'] as const) {
    let down = true;
    const writes: string[][] = [];
    const cache = new GroupCommitReplay({
      claimKeys(keys) {
        writes.push([...keys]);
        if (!down) return keys.map(() => true);
        if (failure === 'throws') throw new Error('disk I/O error');
        return Promise.reject(new Error('connection terminated'));
      },
      close() {},
    });
    const claims = [cache.claim('k', 'a', exp()), cache.claim('k', 'b', exp()), cache.claim('k', 'a', exp())];
    const outcomes = await Promise.allSettled(claims);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected'], failure);
    for (const o of outcomes) assert.match(String((o as PromiseRejectedResult).reason), /disk I\/O error|connection terminated/);
    down = false;
    assert.deepEqual(await Promise.all([cache.claim('k', 'a', exp()), cache.claim('k', 'b', exp())]), [true, true], 'nothing was taken as claimed');
    assert.equal(writes.length, 2);
    cache.close();
  }
});

test('group commit: an expired key and one beyond the memory bound go back to the database', async () => {
  const writes: string[][] = [];
  const small = new GroupCommitReplay({ claimKeys: (keys) => (writes.push([...keys]), keys.map(() => true)), close() {} }, 2);
  const past = Math.floor(Date.now() / 1000) - 1;
  assert.equal(await small.claim('k', 'old', past), true);
  assert.equal(await small.claim('k', 'old', exp()), true, 'expired in memory: the store answers (this one says fresh)');
  assert.equal(writes.length, 2);
  await Promise.all([small.claim('k', 'x', exp()), small.claim('k', 'y', exp()), small.claim('k', 'z', exp())]);
  assert.equal(small.claim('k', 'z', exp()), false, 'recent: refused in memory');
  assert.equal(writes.length, 3);
  assert.equal(await small.claim('k', 'old', exp()), true, 'pushed out of the bound: the store answers');
  assert.equal(writes.length, 4);
  small.close();
});

test('group commit: a turn bigger than one batch is written in several, every answer right', withDb(async (open) => {
  const { cache, writes } = open();
  const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => cache.claim('k', `j${i % 290}`, exp())));
  assert.equal(answers.filter(Boolean).length, 290);
  assert.deepEqual(writes.map((w) => w.length), [256, 34]);
}));
