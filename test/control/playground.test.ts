// Control API /api/playground: tokens from the real IdP and gateway calls over real TLS through the
// engine's own steps; the answers carry the trace events the UI draws. Bad input is a clear 400.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceEvent, TraceEventOf } from '../../lib/trace/events.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import { startTestStack, thumbprint, type TestStack } from '../helpers/stack.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('ctl-playground');
});
after(() => t.stop());

interface Answer {
  status: number | null;
  token?: string | null;
  events: TraceEvent[];
}

async function post(path: string, body: unknown): Promise<{ http: number; json: Answer & { error?: string; error_description?: string } }> {
  const res = await fetch(`${t.stack.urls.ui}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { http: res.status, json: (await res.json()) as Answer };
}

const decision = (a: Answer, source: Decision['source']) =>
  a.events.filter((e): e is TraceEventOf<'server.decision'> => e.type === 'server.decision').map((e) => e.decision).find((d) => d.source === source)!;
const check = (a: Answer, id: string) => decision(a, 'gateway').checks.find((c) => c.id === id);
const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { cnf?: Record<string, string> };
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';

test('GET /api/playground lists the clients with their binding, the certificates, two DPoP keys and the routes', async () => {
  const o = (await (await fetch(`${t.stack.urls.ui}/api/playground`)).json()) as {
    clients: { clientId: string; binding: string; certificate: string | null }[]; certificates: { name: string }[]; keys: { name: string; jkt: string }[]; routes: { prefix: string }[];
  };
  assert.deepEqual(o.clients.find((c) => c.clientId === 'tpp-alpha'), { clientId: 'tpp-alpha', name: 'Alpha Payments', auth: 'tls_client_auth', binding: 'mtls', certificate: 'tpp-alpha' });
  assert.equal(o.clients.find((c) => c.clientId === 'tpp-gamma-dpop')?.binding, 'dpop');
  assert.ok(o.certificates.some((c) => c.name === 'mallory'));
  assert.ok(!o.certificates.some((c) => c.name === 'root-ca'), 'CA certificates are not client certificates');
  assert.deepEqual(o.keys.map((k) => k.name), ['client-key', 'attacker-key']);
  assert.ok(o.routes.some((r) => r.prefix === '/mtls/open-banking/v3.1/aisp'));
});

test('a certificate-bound token, then the stolen-token replay: Mallory 401 at mtls.cnf-thumbprint-match, Alpha 200', async () => {
  const token = await post('/api/playground/token', { client: 'tpp-alpha', certificate: 'tpp-alpha' });
  assert.equal(token.http, 200);
  assert.equal(token.json.status, 200);
  assert.equal(claims(token.json.token!).cnf?.['x5t#S256'], thumbprint(t.stack, 'tpp-alpha'));
  assert.deepEqual(token.json.events.map((e) => e.type).filter((x) => x !== 'variable.captured'), ['tls.handshake', 'http.exchange', 'server.decision', 'token.decoded']);
  assert.equal(decision(token.json, 'idp').checks.find((c) => c.id === 'idp.client-auth')?.outcome, 'pass');

  const stolen = await post('/api/playground/call', { certificate: 'mallory', token: token.json.token, path: ACCOUNTS });
  assert.equal(stolen.http, 200, 'the control API answered');
  assert.equal(stolen.json.status, 401, 'the gateway refused');
  assert.equal(check(stolen.json, 'mtls.cnf-thumbprint-match')?.outcome, 'fail');
  assert.equal(check(stolen.json, 'mtls.cnf-thumbprint-match')?.inputs?.presentedThumbprint, thumbprint(t.stack, 'mallory'));

  const own = await post('/api/playground/call', { certificate: 'tpp-alpha', token: token.json.token, path: ACCOUNTS });
  assert.equal(own.json.status, 200);
  assert.equal(check(own.json, 'mtls.cnf-thumbprint-match')?.outcome, 'pass');
});

test('DPoP: bound to the playground client key; a fresh proof passes, the same jti is a replay, the attacker key and alg none fail', async () => {
  const keys = ((await (await fetch(`${t.stack.urls.ui}/api/playground`)).json()) as { keys: { name: string; jkt: string }[] }).keys;
  const token = await post('/api/playground/token', { client: 'tpp-gamma-dpop', certificate: 'tpp-gamma', dpop: true, dpopKey: 'client-key' });
  assert.equal(token.json.status, 200);
  assert.equal(claims(token.json.token!).cnf?.jkt, keys.find((k) => k.name === 'client-key')!.jkt);
  const call = (dpop: Record<string, unknown>) => post('/api/playground/call', { certificate: 'tpp-gamma', token: token.json.token, path: ACCOUNTS, dpop });

  const fresh = await call({ key: 'client-key', jti: `pg-${Date.now()}` });
  assert.equal(fresh.json.status, 200);
  const proof = fresh.json.events.find((e): e is TraceEventOf<'dpop.proof'> => e.type === 'dpop.proof')!;
  const replay = await call({ key: 'client-key', jti: proof.proof.claims.jti });
  assert.equal(replay.json.status, 401);
  assert.equal(check(replay.json, 'dpop.jti-unique')?.outcome, 'fail');

  const attacker = await call({ key: 'attacker-key' });
  assert.equal(attacker.json.status, 401);
  assert.equal(check(attacker.json, 'dpop.cnf-jkt-match')?.outcome, 'fail');

  const unsigned = await call({ alg: 'none' });
  assert.equal(unsigned.json.status, 401);
  assert.equal(check(unsigned.json, 'dpop.alg')?.outcome, 'fail');

  const stale = await call({ iatOffset: -600 });
  assert.equal(check(stale.json, 'dpop.iat-window')?.outcome, 'fail');
});

test('a certificate minted from the UI is an actor: the gateway refuses the expired one by validity', async () => {
  const res = await fetch(`${t.stack.urls.ui}/api/pki/mint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'pg-expired', subjectOf: 'tpp-alpha', flaw: 'expired' }) });
  assert.equal(res.status, 201);
  const token = await post('/api/playground/token', { client: 'tpp-alpha', certificate: 'tpp-alpha' });
  const call = await post('/api/playground/call', { certificate: 'pg-expired', token: token.json.token, path: ACCOUNTS });
  assert.equal(call.json.status, 401);
  assert.equal(check(call.json, 'tls.client-cert-validity')?.outcome, 'fail');
});

test('bad playground input is a 400 naming the field, never a 5xx', async () => {
  const cases: [string, unknown, RegExp][] = [
    ['/api/playground/token', {}, /^client: /],
    ['/api/playground/token', { client: 'tpp-alpha', certificate: 'nobody' }, /^certificate: no client certificate named "nobody"/],
    ['/api/playground/token', { client: 'tpp-alpha', auth: 'magic' }, /^auth: /],
    ['/api/playground/token', { client: 'tpp-alpha', dpopKey: 'other' }, /^dpopKey: /],
    ['/api/playground/token', { client: 'tpp-alpha', scope: 'a"b' }, /^scope: /],
    ['/api/playground/token', { client: 'tpp-alpha', certificate: null, auth: 'private_key_jwt' }, /no private_key_jwt key for client "tpp-alpha"/],
    ['/api/playground/call', { path: 'accounts' }, /^path: /],
    ['/api/playground/call', { path: '/x y' }, /^path: /],
    ['/api/playground/call', { path: '/x', certificate: 'root-ca' }, /^certificate: /],
    ['/api/playground/call', { path: '/x', dpop: { iatOffset: 1.5 } }, /^dpop\.iatOffset: /],
    ['/api/playground/call', { path: '/x', dpop: { alg: 'RS1' } }, /^dpop\.alg: /],
    ['/api/playground/call', { path: '/x', token: 'has space' }, /^token: /],
    ['/api/playground/call', { path: '/x', surprise: true }, /Unrecognized key/],
  ];
  for (const [path, body, message] of cases) {
    const res = await post(path, body);
    assert.equal(res.http, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.json)}`);
    assert.match(res.json.error_description!, message, `${path} ${JSON.stringify(body)}`);
  }
  const notJson = await fetch(`${t.stack.urls.ui}/api/playground/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(notJson.status, 400);
});
