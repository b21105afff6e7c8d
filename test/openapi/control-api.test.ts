// OpenAPI conformance of the control API (openapi/control-api.yaml): every route called for real on
// a running stack (health, config, the OpenAPI documents themselves, scenarios, a run of the whole
// catalogue with its stored and streamed trace, decisions, the PKI, the playground, targets) and its
// errors (400, 403, 404, 405, 409, 413, 415, 421, 431, 502), each answer checked against the document. Every
// documented operation must be exercised with a success.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { OpenApiConformance, headerRecord } from './conformance.ts';

const doc = new OpenApiConformance('control-api');
let t: TestStack;

before(async () => {
  t = await startTestStack('openapi-control');
});
after(() => t.stop());

interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
}

/** A control API call whose answer must conform. JSON bodies for mutations unless `headers` says otherwise. */
async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const mutation = method !== 'GET';
  const res = await fetch(t.stack.urls.ui + path, {
    method,
    headers: { ...(mutation ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(mutation ? { body: typeof body === 'string' ? body : JSON.stringify(body ?? {}) } : {}),
  });
  const text = await res.text();
  const h = headerRecord(res.headers);
  assert.deepEqual(doc.problems({ method, url: path, status: res.status, headers: h, body: text }), [], `${method} ${path} does not conform`);
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: h, text, body: parsed };
}

/** A request fetch cannot send (another Host, a declared length it will not send), answer checked the same way. */
function rawApi(method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: any }> {
  const { port } = new URL(t.stack.urls.ui);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const h = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
        assert.deepEqual(doc.problems({ method, url: path, status: res.statusCode!, headers: h, body: text }), [], `${method} ${path} does not conform`);
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function finished(runId: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const run = (await api('GET', `/api/runs/${runId}`)).body;
    if (run.status !== 'running') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe('control API answers conform to openapi/control-api.yaml', () => {
  test('health, config, and the OpenAPI documents (JSON with this sandbox\'s URLs, YAML as written)', async () => {
    assert.equal((await api('GET', '/api/health')).body.status, 'ok');
    assert.equal((await api('GET', '/api/config')).status, 200);
    const jwks = await api('GET', '/api/directory/jwks');
    assert.ok(jwks.body.keys.some((k: { kid: string }) => k.kid === t.stack.directory.signer('tpp-alpha-signing').kid), 'the directory publishes Alpha\'s signing key');
    const control = await api('GET', '/api/openapi/control-api.json');
    assert.equal(control.body.servers[0].url, t.stack.urls.ui);
    const ob = await api('GET', '/api/openapi/ob-api.json');
    assert.equal(ob.body.servers[0].url, `${t.stack.urls.gateway}{routePrefix}`);
    assert.equal(ob.body.components.securitySchemes.boundToken.flows.clientCredentials.tokenUrl, t.stack.idp.endpoints.token);
    const yaml = await api('GET', '/api/openapi/ob-api.yaml');
    assert.match(yaml.text, /^# The mock UK Open Banking API/);
    assert.equal((await api('GET', '/api/openapi/swagger.json')).status, 404);
  });

  test('conformance: the FAPI 2.0 requirements with the scenarios that cite them', async () => {
    const c = await api('GET', '/api/conformance');
    assert.equal(c.status, 200);
    assert.ok(c.body.requirements.find((r: { id: string; scenarios: { id: string }[] }) => r.id === 'FAPI2SP 5.3.2.2-3').scenarios.some((s: { id: string }) => s.id === 'as-authorization-request-without-par'));
  });

  test('scenarios: the catalogue, one by id, by tag, an unknown one', async () => {
    const list = await api('GET', '/api/scenarios');
    assert.ok(list.body.scenarios.length >= 30);
    assert.equal((await api('GET', '/api/scenarios?tag=dpop')).status, 200);
    assert.equal((await api('GET', '/api/scenarios/mtls-stolen-token-other-certificate')).status, 200);
    assert.equal((await api('GET', '/api/scenarios/no-such-scenario')).status, 404);
  });

  test('a run of the whole catalogue: start, history, the run, its trace as JSON and as Server-Sent Events', async () => {
    const ids = (await api('GET', '/api/scenarios')).body.scenarios.map((s: { id: string }) => s.id);
    const started = await api('POST', '/api/runs', { scenarios: ids });
    assert.equal(started.status, 202);
    const run = await finished(started.body.runId);
    assert.equal(run.status, 'passed', JSON.stringify(run.scenarios.filter((s: { status: string }) => s.status !== 'passed')));
    assert.equal((await api('GET', '/api/runs?limit=5')).status, 200);
    const events = await api('GET', `/api/runs/${started.body.runId}/events`);
    assert.ok(events.body.events.length > 100);
    const types = new Set(events.body.events.map((e: { type: string }) => e.type));
    for (const type of ['tls.handshake', 'http.exchange', 'server.decision', 'token.decoded', 'dpop.proof', 'certificate.minted', 'authorization.request', 'browser.page', 'browser.submit', 'authorization.response']) assert.ok(types.has(type), type);
    const after = await api('GET', `/api/runs/${started.body.runId}/events?after=10`);
    assert.equal(after.body.events[0].seq, 11);

    const sse = await api('GET', `/api/runs/${started.body.runId}/events`, undefined, { accept: 'text/event-stream' });
    const data = sse.text.split('\n\n').filter((block) => block.includes('event: trace')).map((block) => JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    assert.equal(data.length, events.body.events.length);
    for (const event of data) assert.deepEqual(doc.schemaProblems('#/components/schemas/TraceEvent', event, `SSE event ${event.seq}`), []);
    assert.match(sse.text, /event: end\ndata: \{\}\n\n$/);
  });

  test('decisions: the latest, one interaction, an unknown one', async () => {
    const latest = await api('GET', '/api/decisions?limit=20');
    assert.ok(latest.body.decisions.length > 0);
    const id = latest.body.decisions.find((d: { source: string }) => d.source === 'gateway').interactionId;
    assert.equal((await api('GET', `/api/decisions/${id}`)).status, 200);
    assert.equal((await api('GET', '/api/decisions/00000000-0000-4000-8000-000000000000')).status, 404);
  });

  test('PKI: the index, PEM downloads, minting (and its refusals)', async () => {
    assert.equal((await api('GET', '/api/pki')).status, 200);
    for (const file of ['cert.pem', 'chain.pem', 'key.pem']) assert.match((await api('GET', `/api/pki/tpp-alpha/${file}`)).text, /^-----BEGIN /);
    assert.equal((await api('GET', '/api/pki/tpp-alpha/secret.txt')).status, 404);
    const minted = await api('POST', '/api/pki/mint', { name: 'openapi-expired', subjectOf: 'tpp-alpha', flaw: 'expired' });
    assert.equal(minted.status, 201);
    assert.match((await api('GET', '/api/pki/openapi-expired/chain.pem')).text, /^-----BEGIN CERTIFICATE/);
    assert.equal((await api('GET', '/api/pki')).body.minted.length, 1);
    assert.equal((await api('POST', '/api/pki/mint', { name: 'tpp-alpha', subjectOf: 'tpp-alpha' })).status, 409);
    assert.equal((await api('POST', '/api/pki/mint', { name: 'x', subject: 'CN=x', subjectOf: 'tpp-alpha' })).status, 400);
    assert.equal((await api('POST', '/api/pki/mint', { name: 'big', subject: 'CN=' + 'x'.repeat(20_000) })).status, 413);
    assert.equal((await api('POST', '/api/pki/mint', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' })).status, 403);
    assert.equal((await api('POST', '/api/pki/mint', { name: 'x', subject: 'CN=x' }, { origin: 'https://evil.example' })).status, 403);
  });

  test('playground: options, a token, a call with a broken DPoP proof, bad input', async () => {
    assert.equal((await api('GET', '/api/playground')).status, 200);
    const token = await api('POST', '/api/playground/token', { client: 'tpp-gamma-dpop', certificate: 'tpp-gamma', dpop: true });
    assert.equal(token.body.status, 200);
    const call = await api('POST', '/api/playground/call', {
      certificate: 'tpp-gamma', token: token.body.token, scheme: 'DPoP', path: '/open-banking/v3.1/aisp/accounts', dpop: { iatOffset: -600 },
    });
    assert.equal(call.body.status, 401);
    assert.ok(call.body.events.some((e: { type: string }) => e.type === 'server.decision'));
    assert.equal((await api('POST', '/api/playground/call', { path: 'no-slash' })).status, 400);
    assert.equal((await api('POST', '/api/playground/token', { client: 'tpp-alpha', certificate: 'no-such-cert' })).status, 400);
  });

  test('targets: create, list, get, check, run against, update, delete, and their refusals', async () => {
    const yaml = `name: openapi-own-gateway\nauthorizationServer: bundled\nresourceServer:\n  baseUrl: ${t.stack.urls.gateway}\n  routes: { fapi: /open-banking/v3.1/aisp }\nsenderConstraint: mtls\n`;
    const bad = await api('POST', '/api/targets', { yaml: yaml.replace('senderConstraint: mtls', 'senderConstraint: sometimes') });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, 'senderConstraint');
    const created = await api('POST', '/api/targets', { yaml });
    assert.equal(created.status, 201);
    const id = created.body.id;
    assert.equal((await api('POST', '/api/targets', { yaml })).status, 409);
    assert.equal((await api('GET', '/api/targets')).body.targets.length, 1);
    assert.equal((await api('GET', `/api/targets/${id}`)).status, 200);
    const check = await api('POST', `/api/targets/${id}/check`);
    assert.equal(check.body.ok, true, JSON.stringify(check.body.checks));
    const run = await api('POST', '/api/runs', { scenarios: ['mtls-stolen-token-other-certificate'], target: id });
    const done = await finished(run.body.runId);
    assert.equal(done.status, 'passed');
    const events = (await api('GET', `/api/runs/${run.body.runId}/events`)).body.events;
    assert.ok(events.some((e: { type: string }) => e.type === 'server.decision.unobservable'));
    assert.equal((await api('PUT', `/api/targets/${id}`, { yaml: yaml.replace('name: openapi-own-gateway', 'name: openapi-renamed') })).body.name, 'openapi-renamed');

    // The compatibility matrix's examples: each stores as it is served (nginx's when nginx is installed or not).
    const examples = await api('GET', '/api/target-examples');
    assert.equal(examples.status, 200);
    const example = examples.body.examples.find((e: { id: string }) => e.id === 'nginx-ssl-verify-only');
    const stored = await api('POST', '/api/targets', { yaml: example.yaml });
    assert.equal(stored.status, 201, JSON.stringify(stored.body));
    assert.equal((await api('DELETE', `/api/targets/${stored.body.id}`)).status, 204);

    const unreachable = await api('POST', '/api/targets', { yaml: 'name: nobody-home\nauthorizationServer: { discovery: "https://127.0.0.1:1/.well-known/openid-configuration" }\nresourceServer: { baseUrl: "https://127.0.0.1:1" }\nsenderConstraint: mtls\n' });
    assert.equal(unreachable.status, 201);
    assert.equal((await api('POST', `/api/targets/${unreachable.body.id}/check`)).status, 502);
    assert.equal((await api('DELETE', `/api/targets/${unreachable.body.id}`)).status, 204);
    assert.equal((await api('DELETE', `/api/targets/${id}`)).status, 204);
    assert.equal((await api('GET', `/api/targets/${id}`)).status, 404);
    assert.equal((await api('POST', '/api/runs', { scenarios: ['mtls'], target: 'no-such-target' })).status, 404);
  });

  test('runs: bad bodies, an unknown run', async () => {
    assert.equal((await api('POST', '/api/runs', { scenarios: [] })).status, 400);
    assert.equal((await api('POST', '/api/runs', '{not json')).status, 400);
    assert.equal((await api('GET', '/api/runs/run_nope')).status, 404);
    assert.equal((await api('GET', '/api/runs/run_nope/events')).status, 404);
  });

  test('the listener\'s own refusals (x-listener-responses): a foreign Host, too many headers, a body too large', async () => {
    const host = await rawApi('GET', '/api/health', { host: 'evil.example' });
    assert.equal(host.status, 421);
    assert.equal(host.body.error, 'host_not_allowed');
    const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`x-filler-${i}`, 'x']));
    assert.equal((await rawApi('GET', '/api/health', many)).status, 431);
    const big = await rawApi('POST', '/api/runs', { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
    assert.equal(big.status, 413);
    assert.equal((await api('POST', '/api/pki/mint', '<mint/>', { 'content-type': 'application/xml' })).status, 415);
  });

  test('404 and 405 (x-unmatched-responses)', async () => {
    assert.equal((await api('GET', '/api/nothing-here')).status, 404);
    const r = await api('DELETE', '/api/health');
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET');
  });

  test('every documented operation was exercised with a success', () => {
    assert.deepEqual(doc.unexercised(), []);
  });
});
