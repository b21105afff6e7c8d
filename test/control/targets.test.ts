// The control API for targets (what the web UI's Targets page uses): add with validation (line, field,
// message), list, check (reachable, TLS chain, a token, a call, what would run), run against one into
// the ordinary run history, edit, delete. The target here is the stack's own gateway reached by URL,
// so it is treated as external: its checks are not observable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('control-targets');
});
after(() => t.stop());

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  // Mutations are JSON (the control API's cross-site guard), bodies or not.
  const json = method !== 'GET';
  const res = await fetch(t.stack.urls.ui + path, { method, headers: json ? { 'content-type': 'application/json' } : {}, ...(json ? { body: JSON.stringify(body ?? {}) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const yaml = () => `name: own-gateway-by-url
description: the sandbox gateway, reached as if it were yours
authorizationServer: bundled
resourceServer:
  baseUrl: ${t.stack.urls.gateway}
  routes: { fapi: /open-banking/v3.1/aisp, bearer: /bearer/open-banking/v3.1/aisp }
senderConstraint: both
`;

let id = '';

test('an invalid target is refused with every error and its line; a valid one is stored', async () => {
  const bad = await api('POST', '/api/targets', { yaml: yaml().replace('senderConstraint: both', 'senderConstraint: sometimes\nclients: { tpp-alpha: { clientId: 7 } }') });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'invalid_target');
  assert.deepEqual(bad.body.errors.map((e: { line: number; path: string }) => `${e.line} ${e.path}`), ['7 senderConstraint', '8 clients.tpp-alpha.clientId']);
  const created = await api('POST', '/api/targets', { yaml: yaml() });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  id = created.body.id;
  assert.deepEqual(created.body.capabilities.sort(), ['bearer-route', 'dcr', 'dpop', 'idp-checks', 'issuer-key', 'mtls', 'par', 'token-revocation']);
  assert.equal((await api('POST', '/api/targets', { yaml: yaml() })).status, 409);
  const list = await api('GET', '/api/targets');
  assert.deepEqual(list.body.targets.map((x: { name: string }) => x.name), ['own-gateway-by-url']);
});

test('check: every server reachable with a verified chain, a token, a call; and what would be skipped', async () => {
  const r = await api('POST', `/api/targets/${id}/check`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.ok, true, JSON.stringify(r.body.checks));
  assert.deepEqual(r.body.checks.map((c: { status: string }) => c.status), ['ok', 'ok', 'ok', 'ok', 'ok']);
  const plan = Object.fromEntries(r.body.plan.map((p: { id: string; missing: string[] }) => [p.id, p.missing]));
  assert.deepEqual(plan['mtls-stolen-token-other-certificate'], []);
  assert.deepEqual(plan['mtls-strict-handshake'], ['strict-tls']);
  assert.deepEqual(plan['dpop-server-nonce'], ['dpop-nonce']);
  assert.equal((await api('GET', `/api/targets/${id}`)).body.lastCheck.ok, true);
});

test('a run against the target lands in the run history with its name, its gateway checks not observable', async () => {
  const started = await api('POST', '/api/runs', { scenarios: ['mtls-stolen-token-other-certificate', 'mtls-strict-handshake'], target: id });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  assert.equal(started.body.target, 'own-gateway-by-url');
  let run: any;
  for (let i = 0; i < 100; i++) {
    run = (await api('GET', `/api/runs/${started.body.runId}`)).body;
    if (run.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(run.target, 'own-gateway-by-url');
  assert.deepEqual(run.scenarios.map((s: { scenarioId: string; status: string }) => `${s.scenarioId} ${s.status}`), ['mtls-stolen-token-other-certificate passed', 'mtls-strict-handshake skipped']);
  const events = (await api('GET', `/api/runs/${started.body.runId}/events`)).body.events as { type: string; reason?: string }[];
  assert.ok(events.some((e) => e.type === 'server.decision.unobservable' && /gateway of target "own-gateway-by-url" .* is external/.test(e.reason ?? '')));
  assert.ok(events.some((e) => e.type === 'server.decision'), 'the bundled IdP\'s decisions are still joined');
});

test('a target that needs a gateway trusting another issuer is refused for UI runs, with the CLI as the way', async () => {
  const other = await api('POST', '/api/targets', { yaml: 'name: their-as\nauthorizationServer: { discovery: "https://127.0.0.1:1/.well-known/openid-configuration" }\nresourceServer: bundled\nsenderConstraint: mtls\n' });
  assert.equal(other.status, 201);
  const run = await api('POST', '/api/runs', { scenarios: ['mtls-client-credentials'], target: other.body.id });
  assert.equal(run.status, 400);
  assert.equal(run.body.error, 'unsupported_target');
  assert.match(run.body.error_description, /npx fapi-sandbox run --target/);
  assert.equal((await api('DELETE', `/api/targets/${other.body.id}`)).status, 204);
});

test('edit and delete', async () => {
  const edited = await api('PUT', `/api/targets/${id}`, { yaml: yaml().replace('senderConstraint: both', 'senderConstraint: mtls') });
  assert.equal(edited.status, 200);
  assert.equal(edited.body.senderConstraint, 'mtls');
  assert.equal(edited.body.lastCheck, null, 'an edit forgets the last check');
  assert.equal((await api('DELETE', `/api/targets/${id}`)).status, 204);
  assert.equal((await api('GET', `/api/targets/${id}`)).status, 404);
  assert.equal((await api('POST', '/api/runs', { scenarios: ['mtls'], target: id })).status, 404);
});

test('check fails, saying why, for a gateway that is not there', async () => {
  const down = await api('POST', '/api/targets', { yaml: 'name: down\nauthorizationServer: bundled\nresourceServer: { baseUrl: "https://localhost:1" }\nsenderConstraint: mtls\n' });
  const r = await api('POST', `/api/targets/${down.body.id}/check`);
  assert.equal(r.status, 200);
  assert.equal(r.body.ok, false);
  const gateway = r.body.checks.find((c: { title: string }) => c.title.startsWith('gateway https://localhost:1'));
  assert.equal(gateway.status, 'failed');
  assert.match(gateway.detail, /cannot reach it: ECONNREFUSED/);
  assert.equal(r.body.checks.find((c: { id: string }) => c.id === 'call').status, 'failed');
  await api('DELETE', `/api/targets/${down.body.id}`);
});

test('check for a DPoP target: a DPoP-bound token (private_key_jwt) and a call with a proof', async () => {
  const dpop = await api('POST', '/api/targets', { yaml: yaml().replace('name: own-gateway-by-url', 'name: dpop-by-url').replace('senderConstraint: both', 'senderConstraint: dpop') });
  const r = await api('POST', `/api/targets/${dpop.body.id}/check`);
  assert.equal(r.body.ok, true, JSON.stringify(r.body.checks));
  const token = r.body.checks.find((c: { id: string }) => c.id === 'token');
  assert.match(token.title, /a DPoP-bound token for tpp-dpop/);
  assert.match(token.detail, /^DPoP \(jwt, cnf \{"jkt":/);
  await api('DELETE', `/api/targets/${dpop.body.id}`);
});
