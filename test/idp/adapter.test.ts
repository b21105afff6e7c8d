// The oidc-provider storage adapter on a real SQLite file (Prisma): the adapter contract oidc-provider
// relies on (upsert / find / findByUid / findByUserCode / consume / destroy / revokeByGrantId, expiry)
// and that what one connection wrote, a reopened database still has; consume claims a code once across
// processes, on SQLite and on PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, openPostgres, type PrismaClient } from '../../server/db/client.ts';
import { freshDatabaseUrl, postgresSkip } from '../helpers/postgres.ts';
import Provider, { errors } from 'oidc-provider';
import { atomicReplayDetection, prismaAdapter } from '../../server/idp/adapter.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { tempDataDir } from '../helpers/paths.ts';

test('adapter contract: upsert and find by id / uid / user code, models kept apart, expiry, consume, destroy, revokeByGrantId, across a reopen', async () => {
  const data = tempDataDir('adapter');
  let db = await openDb(data.dir, ROOT_DIR);
  try {
    let Adapter = prismaAdapter(db.prisma, errors);
    const tokens = new Adapter('AccessToken');
    const sessions = new Adapter('Session');
    const codes = new Adapter('DeviceCode');
    await tokens.upsert('t1', { jti: 't1', grantId: 'g1', clientId: 'tpp-alpha', kind: 'AccessToken' }, 600);
    await tokens.upsert('t2', { jti: 't2', grantId: 'g2', kind: 'AccessToken' }, 600);
    await tokens.upsert('gone', { jti: 'gone', kind: 'AccessToken' } , -1);
    await sessions.upsert('s1', { uid: 'uid-1', kind: 'Session' } , 0);
    await codes.upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g1', kind: 'DeviceCode' }, 600);

    assert.equal((await tokens.find('t1'))?.clientId, 'tpp-alpha');
    assert.equal(await sessions.find('t1'), undefined, 'another model does not see it');
    assert.equal(await tokens.find('gone'), undefined, 'expired entries are not found');
    assert.equal((await sessions.findByUid('uid-1'))?.kind, 'Session');
    assert.equal((await codes.findByUserCode('ABCD-EFGH'))?.kind, 'DeviceCode');
    assert.equal(await codes.findByUserCode('nope'), undefined);

    await tokens.upsert('t1', { jti: 't1', grantId: 'g1', clientId: 'tpp-alpha', scope: 'accounts', kind: 'AccessToken' }, 600);
    assert.equal((await tokens.find('t1'))?.scope, 'accounts', 'upsert replaces');
    assert.equal((await tokens.find('t1'))?.consumed, undefined);
    await tokens.consume('t1');
    const consumed = (await tokens.find('t1'))?.consumed as number;
    assert.ok(Math.abs(consumed - Date.now() / 1000) < 5, 'consumed is a timestamp in seconds');

    await db.close();
    db = await openDb(data.dir, ROOT_DIR);
    Adapter = prismaAdapter(db.prisma, errors);
    const reopened = new Adapter('AccessToken');
    assert.equal((await reopened.find('t1'))?.consumed, consumed, 'kept across a reopen');

    await reopened.revokeByGrantId('g1');
    assert.equal(await reopened.find('t1'), undefined);
    assert.equal(await new Adapter('DeviceCode').findByUserCode('ABCD-EFGH'), undefined, 'every model of the grant');
    assert.ok(await reopened.find('t2'), 'other grants untouched');
    await reopened.destroy('t2');
    assert.equal(await reopened.find('t2'), undefined);
    assert.ok(await new Adapter('Session').findByUid('uid-1'), 'no expiry: kept');
  } finally {
    await db.close();
    data.remove();
  }
});

test('consume is claimed once: two processes that both found a code unconsumed cannot both consume it (the second gets invalid_grant)', async () => {
  const data = tempDataDir('adapter-consume');
  const one = await openDb(data.dir, ROOT_DIR);
  const two = await openDb(data.dir, ROOT_DIR);
  try {
    await assertConsumedOnce(prismaAdapter(one.prisma, errors), prismaAdapter(two.prisma, errors));
  } finally {
    await one.close();
    await two.close();
    data.remove();
  }
});

test('consume is claimed once on PostgreSQL too, across two connection pools', { skip: postgresSkip }, async () => {
  const url = await freshDatabaseUrl('adapter_consume');
  const one = await openPostgres(url, ROOT_DIR);
  const two = await openPostgres(url, ROOT_DIR);
  try {
    await assertConsumedOnce(prismaAdapter(one.prisma, errors), prismaAdapter(two.prisma, errors));
  } finally {
    await one.close();
    await two.close();
  }
});

/** Both instances find the code unconsumed, then both consume it at once: exactly one may. */
async function assertConsumedOnce(A: ReturnType<typeof prismaAdapter>, B: ReturnType<typeof prismaAdapter>) {
  const a = new A('AuthorizationCode');
  const b = new B('AuthorizationCode');
  await a.upsert('code-1', { jti: 'code-1', grantId: 'g1', kind: 'AuthorizationCode' }, 60);
  assert.equal((await a.find('code-1'))?.consumed, undefined);
  assert.equal((await b.find('code-1'))?.consumed, undefined);
  const outcomes = await Promise.allSettled([a.consume('code-1'), b.consume('code-1')]);
  assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected'], 'one consume wins, the other is refused');
  const refused = outcomes.find((o) => o.status === 'rejected')!.reason as { error?: string; status?: number };
  assert.equal(refused.error, 'invalid_grant');
  assert.equal(refused.status, 400);
  await assert.rejects(a.consume('code-1'), { error: 'invalid_grant' }, 'and a later consume too');
  await a.consume('unknown').then(() => assert.fail('an unknown id is not consumed'), (err: { error?: string }) => assert.equal(err.error, 'invalid_grant'));
}

test('ReplayDetection (client-assertion and token-endpoint DPoP jti) is claimed once across two processes on one database', async () => {
  const data = tempDataDir('adapter-replay');
  const dbs = [await openDb(data.dir, ROOT_DIR), await openDb(data.dir, ROOT_DIR)];
  try {
    await assertReplayDetectedOnce(dbs.map((db) => db.prisma));
  } finally {
    for (const db of dbs) await db.close();
    data.remove();
  }
});

test('ReplayDetection is claimed once on PostgreSQL too, across two connection pools', { skip: postgresSkip }, async () => {
  const url = await freshDatabaseUrl('adapter_replay');
  const dbs = [await openPostgres(url, ROOT_DIR), await openPostgres(url, ROOT_DIR)];
  try {
    await assertReplayDetectedOnce(dbs.map((db) => db.prisma));
  } finally {
    for (const db of dbs) await db.close();
  }
});

/** Two providers, one per database handle, race to accept the same jti: exactly one may. */
async function assertReplayDetectedOnce(prismas: PrismaClient[]) {
  const providers = prismas.map((prisma) => {
    const provider = new Provider('https://localhost:1', { adapter: prismaAdapter(prisma, errors) });
    atomicReplayDetection(provider, prisma);
    return provider;
  });
  const exp = Math.floor(Date.now() / 1000) + 60;
  for (let i = 0; i < 10; i++) {
    const answers = await Promise.all(providers.map((p) => p.ReplayDetection.unique('tpp-alpha', `jti-${i}`, exp)));
    assert.deepEqual(answers.sort(), [false, true], `jti-${i}: one instance accepts it, the other sees a replay`);
  }
  assert.equal(await providers[0]!.ReplayDetection.unique('tpp-alpha', 'jti-0', exp), false, 'and later too');
  assert.equal(await providers[0]!.ReplayDetection.unique('tpp-beta', 'jti-0', exp), true, 'per issuer');
  await providers[0]!.ReplayDetection.unique('tpp-alpha', 'short', Math.floor(Date.now() / 1000) - 1);
  assert.equal(await providers[1]!.ReplayDetection.unique('tpp-alpha', 'short', exp), true, 'an expired entry no longer counts');
}
