// Mutant gateways (FAPI_GATEWAY_DISABLE_CHECK) over real TLS: refused without the opt-in, a disabled
// check passes with a reason that says so (the request it would have refused goes through), partial
// mutants turn off one rule only, the mutant shows in /api/health and /api/config, and in worker mode
// the workers run the mutant too (tls.protocol: the listener then accepts TLS 1.1).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { randomUUID } from 'node:crypto';
import { loadConfig, ConfigError } from '../../server/config.ts';
import { MUTANT_IDS } from '../../lib/checks/mutants.ts';
import { startTestStack, idpToken, callGateway, decisionOf, thumbprint, type TestStack } from '../helpers/stack.ts';

const PATH = '/open-banking/v3.1/aisp/accounts';

test('FAPI_GATEWAY_DISABLE_CHECK is refused without FAPI_ALLOW_MUTANTS=1 (or NODE_ENV=test), and unknown ids are named', () => {
  assert.throws(() => loadConfig({}, { FAPI_GATEWAY_DISABLE_CHECK: 'tls.client-cert-chain' }), (e: Error) => e instanceof ConfigError && /FAPI_ALLOW_MUTANTS=1/.test(e.message));
  assert.throws(() => loadConfig({}, { FAPI_GATEWAY_DISABLE_CHECK: 'tls.no-such-check', FAPI_ALLOW_MUTANTS: '1' }), /unknown tls\.no-such-check/);
  assert.deepEqual(loadConfig({}, { FAPI_GATEWAY_DISABLE_CHECK: 'tls.client-cert-chain, dpop.signature', FAPI_ALLOW_MUTANTS: '1' }).gateway.disabledChecks, ['tls.client-cert-chain', 'dpop.signature']);
  assert.deepEqual(loadConfig({}, { FAPI_GATEWAY_DISABLE_CHECK: 'route.mtls-unbound', NODE_ENV: 'test' }).gateway.disabledChecks, ['route.mtls-unbound']);
  assert.deepEqual(loadConfig({}, {}).gateway.disabledChecks, []);
  assert.ok(MUTANT_IDS.includes('token.introspection:active-ignored') && MUTANT_IDS.includes('api.interaction-id'));
});

let t: TestStack;
before(async () => {
  t = await startTestStack('gw-mutants', { gateway: { disabledChecks: ['tls.client-cert-revocation', 'api.interaction-id', 'token.claims:exp-absent'] } });
});
after(() => t.stop());

test('a disabled check passes what it would refuse, and its reason says it was disabled', async () => {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'alpha-revoked') } });
  const ex = await callGateway(t.stack, PATH, { cert: 'alpha-revoked', token });
  assert.equal(ex.response?.status, 200);
  const check = decisionOf(t.stack, ex).checks.find((c) => c.id === 'tls.client-cert-revocation')!;
  assert.equal(check.outcome, 'pass');
  assert.match(check.reason, /^DISABLED by FAPI_GATEWAY_DISABLE_CHECK .*would have failed: .*serial .* is listed/);
});

test('the other checks still run: the same revoked certificate with a token bound to another one is refused', async () => {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const ex = await callGateway(t.stack, PATH, { cert: 'alpha-revoked', token });
  assert.equal(ex.response?.status, 401);
});

test('api.interaction-id disabled: the client\'s id is neither checked nor echoed', async () => {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const sent = randomUUID();
  const echoed = await callGateway(t.stack, PATH, { cert: 'tpp-alpha', token, headers: { 'x-fapi-interaction-id': sent } });
  assert.equal(echoed.response?.status, 200);
  assert.notEqual(echoed.response?.headers['x-fapi-interaction-id'], sent);
  const odd = await callGateway(t.stack, PATH, { cert: 'tpp-alpha', token, headers: { 'x-fapi-interaction-id': 'not-a-uuid' } });
  assert.equal(odd.response?.status, 200, 'a non-UUID id is not refused');
});

test('a partial mutant turns off one rule: no exp passes, an expired token is still refused', async () => {
  const cnf = { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') };
  const noExp = await idpToken(t.stack, { cnf, exp: undefined });
  assert.equal((await callGateway(t.stack, PATH, { cert: 'tpp-alpha', token: noExp })).response?.status, 200);
  const expired = await idpToken(t.stack, { cnf, exp: Math.floor(Date.now() / 1000) - 600 });
  const refused = await callGateway(t.stack, PATH, { cert: 'tpp-alpha', token: expired });
  assert.equal(refused.response?.status, 401);
  assert.match(String(refused.response?.headers['www-authenticate']), /token\.claims: expired/);
});

test('/api/health and /api/config name the disabled checks (the UI banner reads them)', async () => {
  const health = (await (await fetch(`${t.stack.urls.ui}/api/health`)).json()) as { disabledChecks?: string[] };
  assert.deepEqual(health.disabledChecks, ['tls.client-cert-revocation', 'api.interaction-id', 'token.claims:exp-absent']);
  const config = (await (await fetch(`${t.stack.urls.ui}/api/config`)).json()) as { gateway: { disabledChecks: string[] } };
  assert.deepEqual(config.gateway.disabledChecks, health.disabledChecks);
});

test('worker mode: the workers run the mutant (tls.protocol: their listeners accept a TLS 1.1 handshake)', async () => {
  const w = await startTestStack('gw-mutants-workers', { gateway: { workers: 1, disabledChecks: ['tls.protocol'] } });
  try {
    const { port } = new URL(w.stack.urls.gateway);
    const protocol = await new Promise<string | null>((resolve, reject) => {
      const socket = tls.connect({ host: 'localhost', port: Number(port), ca: w.stack.pki.rootCa, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, () => {
        resolve(socket.getProtocol());
        socket.destroy();
      });
      socket.on('error', reject);
    });
    assert.equal(protocol, 'TLSv1.1');
  } finally {
    await w.stop();
  }
  // Without the mutant the same client is refused with a protocol_version alert.
  const { port } = new URL(t.stack.urls.gateway);
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    const socket = tls.connect({ host: 'localhost', port: Number(port), ca: t.stack.pki.rootCa, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, () => socket.destroy());
    socket.on('error', resolve);
  });
  assert.equal(err.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
});
