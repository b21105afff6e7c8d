// Gateway over real TLS: the TLS checks and the RFC 8705 §3 binding, a pass and a fail case each.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import https from 'node:https';
import { startTestStack, idpToken, callGateway, outcome, failedCheck, thumbprint, decisionOf, type TestStack } from '../helpers/stack.ts';
import { tlsProtocol } from '../../server/gateway/checks/tls/protocol.ts';
import type { GatewayContext } from '../../server/gateway/context.ts';

let t: TestStack;
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
before(async () => {
  t = await startTestStack('gw-tls');
});
after(() => t.stop());

const bound = (name: string) => idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, name) } });

test('mtls.cnf-thumbprint-match passes for the certificate the token is bound to, and the request reaches the API', async () => {
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token: await bound('tpp-alpha') });
  assert.equal(ex.response?.status, 200);
  assert.ok(Array.isArray((JSON.parse(ex.response!.body) as { Data: { Account: unknown[] } }).Data.Account));
  const d = decisionOf(t.stack, ex);
  assert.equal(d.request.binding, 'mtls');
  assert.deepEqual(d.checks.filter((c) => c.outcome !== 'pass').map((c) => c.id), []);
  const match = d.checks.find((c) => c.id === 'mtls.cnf-thumbprint-match')!;
  assert.equal(match.inputs?.presentedThumbprint, thumbprint(t.stack, 'tpp-alpha'));
});

test('mtls.cnf-thumbprint-match fails for another valid certificate: 401 invalid_token naming the check', async () => {
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'mallory', token: await bound('tpp-alpha') });
  assert.equal(ex.response?.status, 401);
  assert.equal(outcome(t.stack, ex, 'tls.client-cert-chain'), 'pass');
  assert.equal(failedCheck(t.stack, ex), 'mtls.cnf-thumbprint-match');
  const www = String(ex.response!.headers['www-authenticate']);
  assert.match(www, /^Bearer realm="fapi-sandbox", error="invalid_token", error_description="mtls\.cnf-thumbprint-match: /);
  const body = JSON.parse(ex.response!.body) as Record<string, string>;
  assert.equal(body.error, 'invalid_token');
  assert.equal(body.check, 'mtls.cnf-thumbprint-match');
});

test('tls.client-cert-presented fails without a certificate', async () => {
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: null, token: await bound('tpp-alpha') });
  assert.equal(ex.response?.status, 401);
  assert.equal(failedCheck(t.stack, ex), 'tls.client-cert-presented');
});

test('tls.client-cert-chain fails for an untrusted CA and for a self-signed certificate', async () => {
  for (const cert of ['rogue-alpha', 'tpp-selfsigned']) {
    const ex = await callGateway(t.stack, ACCOUNTS, { cert, token: await bound(cert) });
    assert.equal(ex.response?.status, 401, cert);
    assert.equal(outcome(t.stack, ex, 'tls.client-cert-presented'), 'pass', cert);
    assert.equal(failedCheck(t.stack, ex), 'tls.client-cert-chain', cert);
  }
});

test('tls.client-cert-validity fails for expired and not-yet-valid certificates, even with a token bound to them', async () => {
  for (const cert of ['alpha-expired', 'alpha-not-yet-valid']) {
    const ex = await callGateway(t.stack, ACCOUNTS, { cert, token: await bound(cert) });
    assert.equal(ex.response?.status, 401, cert);
    assert.equal(outcome(t.stack, ex, 'tls.client-cert-chain'), 'pass', cert);
    assert.equal(failedCheck(t.stack, ex), 'tls.client-cert-validity', cert);
  }
});

test('tls.client-cert-revocation fails for a certificate on the CRL, even with a token bound to it', async () => {
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'alpha-revoked', token: await bound('alpha-revoked') });
  assert.equal(ex.response?.status, 401);
  assert.equal(outcome(t.stack, ex, 'tls.client-cert-validity'), 'pass');
  assert.equal(failedCheck(t.stack, ex), 'tls.client-cert-revocation');
  assert.equal(decisionOf(t.stack, ex).tls?.authorizationError, 'CERT_REVOKED');
});

test('the strict listener refuses every bad certificate (and none) in the handshake and accepts a good one', async () => {
  const token = await bound('tpp-alpha');
  const good = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token, base: t.stack.urls.gatewayStrict });
  assert.equal(good.response?.status, 200);
  for (const cert of ['alpha-expired', 'alpha-not-yet-valid', 'alpha-revoked', 'rogue-alpha', 'tpp-selfsigned', null]) {
    const bad = await callGateway(t.stack, ACCOUNTS, { cert, token, base: t.stack.urls.gatewayStrict });
    assert.equal(bad.response, null, String(cert));
    assert.ok(bad.error, `${cert}: a TLS-level error`);
  }
});

test('tls.client-cert-revocation is checked on resumed TLS sessions too (revocation is not re-checked by OpenSSL on resumption)', async () => {
  const agent = new https.Agent({ keepAlive: false, maxCachedSessions: 10 });
  const m = t.stack.pki.cert('alpha-revoked');
  const token = await bound('alpha-revoked');
  const get = () => new Promise<{ status: number; id: string; reused: boolean }>((resolve, reject) => {
    const req = https.request(`${t.stack.urls.gateway}${ACCOUNTS}`, { agent, ca: t.stack.pki.rootCa, cert: m.chain, key: m.key, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode!, id: String(res.headers['x-fapi-interaction-id']), reused: (res.socket as import('node:tls').TLSSocket).isSessionReused() }));
    });
    req.on('error', reject);
    req.end();
  });
  try {
    const first = await get();
    await new Promise((r) => setTimeout(r, 20));
    const second = await get();
    assert.equal(second.reused, true, 'the second connection resumed the TLS session');
    for (const r of [first, second]) {
      assert.equal(r.status, 401);
      const d = t.stack.decisions.peek(r.id)[0]!;
      assert.equal(d.checks.find((c) => c.outcome === 'fail')?.id, 'tls.client-cert-revocation');
    }
    assert.equal(t.stack.decisions.peek(second.id)[0]!.tls?.sessionReused, true);
  } finally {
    agent.destroy();
  }
});

test('tls.protocol passes for TLS 1.3 and the listener refuses TLS 1.1 outright', async () => {
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token: await bound('tpp-alpha') });
  assert.equal(outcome(t.stack, ex, 'tls.protocol'), 'pass');
  assert.equal(decisionOf(t.stack, ex).tls?.protocol, 'TLSv1.3');
  const port = Number(new URL(t.stack.urls.gateway).port);
  const err = await new Promise<Error | null>((resolve) => {
    const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ca: t.stack.pki.rootCa, ciphers: 'DEFAULT@SECLEVEL=0' });
    s.on('secureConnect', () => { s.destroy(); resolve(null); });
    s.on('error', resolve);
  });
  assert.ok(err, 'TLS 1.1 handshake must fail');
});

test('tls.protocol fails for TLS 1.2 with a non-FAPI suite (check in isolation)', () => {
  const ctx = (protocol: string, cipher: string) => ({ conn: { tls: { protocol, cipher } } }) as unknown as GatewayContext;
  assert.equal((tlsProtocol.run(ctx('TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256')) as { outcome: string }).outcome, 'pass');
  assert.equal((tlsProtocol.run(ctx('TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256')) as { outcome: string }).outcome, 'fail');
  assert.equal((tlsProtocol.run(ctx('TLSv1.1', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA')) as { outcome: string }).outcome, 'fail');
});

test('the /mtls route refuses a DPoP-bound token at the binding check', async () => {
  const token = await idpToken(t.stack, { cnf: { jkt: 'x'.repeat(43) } });
  const ex = await callGateway(t.stack, `/mtls${ACCOUNTS}`, { cert: 'tpp-alpha', token });
  assert.equal(ex.response?.status, 401);
  assert.equal(failedCheck(t.stack, ex), 'mtls.cnf-thumbprint-match');
});
