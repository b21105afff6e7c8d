// Configuration: the documented defaults (README's ports, issuer https://localhost:8443), environment
// variables over defaults, explicit overrides over both, and a clear ConfigError for a bad value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig as load, ConfigError, DEFAULT_PORTS, ROOT_DIR } from '../../server/config.ts';

/** loadConfig with exactly these environment variables. */
const loadConfig = (overrides: Parameters<typeof load>[0], env: Record<string, string>) => load(overrides, env as NodeJS.ProcessEnv);

test('defaults: the README\'s ports, PS256 access tokens, no IdP nonce, either binding, data/ and certs/ in the package', () => {
  const c = loadConfig({}, {});
  assert.deepEqual(c.ports, { ui: 3000, idp: 8443, idpMtls: 8444, gateway: 9443, gatewayStrict: 9444, api: 9080 });
  assert.deepEqual(c.ports, DEFAULT_PORTS);
  assert.equal(`https://${c.publicHost}:${c.ports.idp}`, 'https://localhost:8443', 'the issuer');
  assert.equal(c.bind, '127.0.0.1');
  assert.deepEqual(c.idp, { accessTokenAlg: 'PS256', accessTokenTtlSeconds: 600, dpopNonce: false, dcrInitialAccessToken: null });
  assert.equal(c.gateway.binding, 'either');
  assert.equal(c.dataDir, path.join(ROOT_DIR, 'data'));
  assert.equal(c.certsDir, path.join(ROOT_DIR, 'certs'));
  assert.equal(c.ui, true);
});

test('environment over defaults, overrides over the environment', () => {
  const env = {
    FAPI_IDP_PORT: '18443', FAPI_API_PORT: '0', FAPI_BIND: '0.0.0.0', FAPI_PUBLIC_HOST: 'sandbox.test', FAPI_DATA_DIR: 'rel/data',
    FAPI_ACCESS_TOKEN_ALG: 'ES256', FAPI_IDP_DPOP_NONCE: '1', FAPI_GATEWAY_BINDING: 'dpop', FAPI_UI_PORT: '',
  };
  const c = loadConfig({}, env);
  assert.equal(c.ports.idp, 18443);
  assert.equal(c.ports.api, 0, '0 = any free port');
  assert.equal(c.ports.ui, 3000, 'empty means unset');
  assert.equal(c.bind, '0.0.0.0');
  assert.equal(c.publicHost, 'sandbox.test');
  assert.equal(c.dataDir, path.resolve('rel/data'));
  assert.deepEqual([c.idp.accessTokenAlg, c.idp.dpopNonce, c.gateway.binding], ['ES256', true, 'dpop']);
  const o = loadConfig({ ports: { idp: 1 }, idp: { dpopNonce: false }, dataDir: '/x' }, env);
  assert.deepEqual([o.ports.idp, o.ports.api, o.idp.dpopNonce, o.idp.accessTokenAlg, o.dataDir], [1, 0, false, 'ES256', '/x']);
});

test('bad values are ConfigErrors naming the variable and what it takes', () => {
  const bad: [Record<string, string>, string][] = [
    [{ FAPI_GATEWAY_PORT: '-1' }, 'FAPI_GATEWAY_PORT must be an integer 0..65535, got "-1"'],
    [{ FAPI_IDP_MTLS_PORT: '8444.5' }, 'FAPI_IDP_MTLS_PORT must be an integer 0..65535, got "8444.5"'],
    [{ FAPI_GATEWAY_BINDING: 'bearer' }, 'FAPI_GATEWAY_BINDING must be one of mtls, dpop, either, got "bearer"'],
    [{ FAPI_IDP_DPOP_NONCE: 'true' }, 'FAPI_IDP_DPOP_NONCE must be one of 0, 1, got "true"'],
  ];
  for (const [env, message] of bad) assert.throws(() => loadConfig({}, env), (e: unknown) => e instanceof ConfigError && (e as Error).message === message, message);
});

test('FAPI_PUBLIC_*_URL: a listener behind a load balancer takes its origin; the UI answers to its host; a path or the wrong scheme is a ConfigError', () => {
  const c = loadConfig({}, { FAPI_PUBLIC_IDP_URL: 'https://bank.test:443/', FAPI_PUBLIC_GATEWAY_URL: 'https://localhost:19443', FAPI_PUBLIC_UI_URL: 'http://sandbox.test:3000' });
  assert.deepEqual(c.publicUrls, { idp: 'https://bank.test', gateway: 'https://localhost:19443', ui: 'http://sandbox.test:3000' });
  assert.ok(c.allowedHosts.includes('sandbox.test'));
  assert.deepEqual(loadConfig({}, {}).publicUrls, {});
  assert.throws(() => loadConfig({}, { FAPI_PUBLIC_IDP_URL: 'https://bank.test/issuer' }), (e) => e instanceof ConfigError && /FAPI_PUBLIC_IDP_URL must be an origin/.test(e.message));
  assert.throws(() => loadConfig({}, { FAPI_PUBLIC_GATEWAY_STRICT_URL: 'http://localhost:9444' }), /https:\/\/host:port/);
  assert.throws(() => loadConfig({}, { FAPI_PUBLIC_UI_URL: 'https://localhost:3000' }), /http:\/\/host:port/);
  assert.throws(() => loadConfig({}, { FAPI_PUBLIC_IDP_MTLS_URL: 'not a url' }), ConfigError);
});

test('FAPI_SHARED_DATABASE=1 (several instances on one database), implied by a postgresql:// FAPI_DATABASE_URL; off by default', () => {
  assert.equal(loadConfig({}, {}).sharedDatabase, false);
  assert.equal(loadConfig({}, { FAPI_SHARED_DATABASE: '1' }).sharedDatabase, true);
  assert.equal(loadConfig({}, { FAPI_DATABASE_URL: 'postgresql://fapi@db:5432/fapi' }).sharedDatabase, true);
  assert.throws(() => loadConfig({}, { FAPI_SHARED_DATABASE: 'yes' }), ConfigError);
});
