// What the gateway answers and records at the edges of RFC 6750 / RFC 9449: a request without any
// credentials gets a challenge with no error code on every route (RFC 6750 §3.1), and the /bearer teaching
// route, insecure on purpose, says so on the route and in the trace when it accepts a DPoP-bound token as
// Bearer without a proof (RFC 9449 §7.2).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, idpToken, callGateway, decisionOf, type TestStack } from '../helpers/stack.ts';
import { parseChallenges } from '../../server/engine/expectations.ts';

let t: TestStack;
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
before(async () => {
  t = await startTestStack('gw-challenges');
});
after(() => t.stop());

test('no credentials at all (no certificate, no Authorization, no DPoP): 401 and challenges without error on every route', async () => {
  for (const route of t.stack.gateway.routes) {
    const ex = await callGateway(t.stack, `${route.prefix}/accounts`);
    assert.equal(ex.response?.status, 401, route.id);
    const challenges = parseChallenges(String(ex.response!.headers['www-authenticate']));
    assert.ok(challenges.length > 0, route.id);
    for (const c of challenges) {
      assert.equal(c.params.error, undefined, `${route.id}: ${c.scheme} ${JSON.stringify(c.params)}`);
      assert.equal(c.params.error_description, undefined, route.id);
    }
    assert.equal((JSON.parse(ex.response!.body) as { error?: string }).error, undefined, route.id);
  }
});

test('a bad token (or a bad certificate) is still answered with an error code', async () => {
  const ex = await callGateway(t.stack, `/mtls${ACCOUNTS}`, { token: 'not-a-jwt' });
  assert.equal(ex.response?.status, 401);
  assert.equal(parseChallenges(String(ex.response!.headers['www-authenticate']))[0]!.params.error, 'invalid_token');
});

test('/bearer says it is insecure on purpose, and its trace explains a DPoP-bound token accepted as Bearer without a proof', async () => {
  const route = t.stack.gateway.routes.find((r) => r.id === 'ob-api-bearer')!;
  assert.match(route.summary, /insecure on purpose/i);
  const token = await idpToken(t.stack, { cnf: { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' } });
  const ex = await callGateway(t.stack, `/bearer${ACCOUNTS}`, { cert: 'tpp-alpha', token });
  assert.equal(ex.response?.status, 200);
  const scheme = decisionOf(t.stack, ex).checks.find((c) => c.id === 'dpop.scheme');
  assert.ok(scheme, 'the trace has a dpop.scheme entry');
  assert.equal(scheme.outcome, 'skip');
  assert.match(scheme.reason, /DPoP-bound token .*accepted as Bearer without a proof.*RFC 9449 §7\.2/);
  const plain = await callGateway(t.stack, `/bearer${ACCOUNTS}`, { cert: 'tpp-alpha', token: await idpToken(t.stack) });
  assert.equal(plain.response?.status, 200);
});
