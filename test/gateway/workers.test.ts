// Gateway worker mode (FAPI_GATEWAY_WORKERS) over real TLS: connections spread over the workers,
// every check still runs, decisions are in the main process by the time the answer arrives, a DPoP
// proof replayed on another connection (another worker) is refused, the strict listener still
// refuses in the handshake, and a worker that dies is replaced.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestStack, idpToken, callGateway as callAnonymously, decisionOf, failedCheck, thumbprint, type CallOptions, type TestStack } from '../helpers/stack.ts';
import { buildProof, generateDpopKey } from '../../server/engine/crypto/dpop-proof.ts';

let t: TestStack;
const PATH = '/open-banking/v3.1/aisp/accounts';
before(async () => {
  t = await startTestStack('gw-workers', { gateway: { workers: 2 } });
});
after(() => t.stop());

const workers = () => t.stack.gatewayWorkers!;

/** As the scenario engine calls: with its own x-fapi-interaction-id, so the answer waits for the decision. */
const callGateway = (stack: TestStack['stack'], path: string, opts: CallOptions = {}) =>
  callAnonymously(stack, path, { ...opts, headers: { 'x-fapi-interaction-id': randomUUID(), ...opts.headers } });

test('two workers start, and new connections alternate between them', async () => {
  assert.equal(workers().ready(), 2);
  assert.equal(t.stack.listening().gateway, true);
  const before = workers().stats().map((w) => w.connections);
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  for (let i = 0; i < 4; i++) assert.equal((await callGateway(t.stack, PATH, { cert: 'tpp-alpha', token })).response?.status, 200);
  const handed = workers().stats().map((w, i) => w.connections - before[i]!);
  assert.deepEqual(handed, [2, 2], 'one fresh connection per request, round robin');
});

test('every check runs in the worker and its decision is in the main process when the answer arrives (client-chosen interaction id)', async () => {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const ok = await callGateway(t.stack, PATH, { cert: 'tpp-alpha', token });
  assert.equal(ok.response?.status, 200);
  const d = decisionOf(t.stack, ok); // synchronous lookup, as the engine does
  assert.equal(d.checks.find((c) => c.id === 'mtls.cnf-thumbprint-match')?.outcome, 'pass');
  assert.deepEqual(d.checks.filter((c) => c.outcome === 'fail'), []);
  const stolen = await callGateway(t.stack, PATH, { cert: 'mallory', token });
  assert.equal(stolen.response?.status, 401);
  assert.equal(failedCheck(t.stack, stolen), 'mtls.cnf-thumbprint-match');
});

test('a DPoP proof replayed on another connection, served by the other worker, is refused', async () => {
  const key = await generateDpopKey('k');
  const token = await idpToken(t.stack, { client_id: 'tpp-dpop', cnf: { jkt: key.jkt } });
  const proof = (await buildProof(key, { method: 'GET', url: t.stack.urls.gateway + PATH, accessToken: token, now: Date.now() / 1000 })).jwt;
  const before = workers().stats().map((w) => w.connections);
  const first = await callGateway(t.stack, PATH, { token, scheme: 'DPoP', headers: { dpop: proof } });
  const replay = await callGateway(t.stack, PATH, { token, scheme: 'DPoP', headers: { dpop: proof } });
  assert.deepEqual(workers().stats().map((w, i) => w.connections - before[i]!), [1, 1], 'one request per worker');
  assert.equal(first.response?.status, 200);
  assert.equal(replay.response?.status, 401);
  assert.equal(failedCheck(t.stack, replay), 'dpop.jti-unique');
});

test('the strict listener refuses a bad certificate in the handshake, in a worker too', async () => {
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const good = await callGateway(t.stack, PATH, { cert: 'tpp-alpha', token, base: t.stack.urls.gatewayStrict });
  assert.equal(good.response?.status, 200);
  const bad = await callGateway(t.stack, PATH, { cert: 'alpha-expired', token, base: t.stack.urls.gatewayStrict });
  assert.equal(bad.response, null);
  assert.ok(bad.error, 'a TLS-level error');
});

test('a worker that dies is replaced, and the gateway keeps answering meanwhile', async () => {
  const [victim] = workers().stats();
  process.kill(victim!.pid, 'SIGKILL');
  const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 2; i++) assert.equal((await callGateway(t.stack, PATH, { cert: 'tpp-alpha', token })).response?.status, 200);
  const deadline = Date.now() + 15_000;
  while (workers().ready() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(workers().ready(), 2);
  assert.ok(!workers().stats().some((w) => w.pid === victim!.pid));
});
