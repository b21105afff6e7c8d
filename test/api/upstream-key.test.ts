// FAPI_UPSTREAM_KEY: a fixed key for the mock OB API, so another proxy (nginx in the benchmark, a
// user's own gateway) can sit in front of it; without it the key is random per start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/config.ts';
import { startTestStack } from '../helpers/stack.ts';
import { BASE, GATEWAY_HEADERS } from './harness.ts';

const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

test('FAPI_UPSTREAM_KEY: unset is null (random per start), too short is a clear error', () => {
  assert.equal(loadConfig({}, env({})).upstreamKey, null);
  assert.equal(loadConfig({}, env({ FAPI_UPSTREAM_KEY: 'k'.repeat(16) })).upstreamKey, 'k'.repeat(16));
  assert.throws(() => loadConfig({}, env({ FAPI_UPSTREAM_KEY: 'short' })), /FAPI_UPSTREAM_KEY must be at least 16 characters/);
});

test('with a fixed upstream key, a proxy that sends it reaches the mock OB API; another key does not', async () => {
  const key = 'bench-upstream-key-0123456789';
  const t = await startTestStack('upstream-key', { upstreamKey: key });
  try {
    const call = (secret: string) => fetch(`${t.stack.urls.api}${BASE}/accounts`, { headers: GATEWAY_HEADERS(secret) });
    const ok = await call(key);
    assert.equal(ok.status, 200);
    assert.ok(((await ok.json()) as { Data: { Account: unknown[] } }).Data.Account.length > 0);
    assert.equal((await call('another-key-0123456789')).status, 403);
  } finally {
    await t.stop();
  }
});
