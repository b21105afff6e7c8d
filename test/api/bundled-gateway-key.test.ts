// FAPI_BUNDLED_GATEWAY_KEY: the bundled gateway's key to the mock OB API, fixed so a stand-in (the
// benchmark's nginx) does exactly the bundled gateway's upstream work; without it the key is random.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/config.ts';
import { startTestStack } from '../helpers/stack.ts';
import { BASE, GATEWAY_HEADERS } from './harness.ts';

const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

test('FAPI_BUNDLED_GATEWAY_KEY: unset is null (random per start), too short is a clear error', () => {
  assert.equal(loadConfig({}, env({})).bundledGatewayKey, null);
  assert.equal(loadConfig({}, env({ FAPI_BUNDLED_GATEWAY_KEY: 'k'.repeat(16) })).bundledGatewayKey, 'k'.repeat(16));
  assert.throws(() => loadConfig({}, env({ FAPI_BUNDLED_GATEWAY_KEY: 'short' })), /FAPI_BUNDLED_GATEWAY_KEY must be at least 16 characters/);
});

test('with a fixed bundled gateway key, a proxy that sends it reaches the mock OB API as the gateway; another key does not', async () => {
  const key = 'bench-upstream-key-0123456789';
  const t = await startTestStack('bundled-gateway-key', { bundledGatewayKey: key });
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
