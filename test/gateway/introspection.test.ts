// The phantom-token route and revocation (FAPI 2.0 SP 5.3.4, RFC 7009, RFC 7662): an introspection
// result is cached for at most FAPI_INTROSPECTION_CACHE_SECONDS, so a token revoked at the IdP is
// refused once that time has passed, and at once with 0.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, callGateway, failedCheck, decisionOf, type TestStack } from '../helpers/stack.ts';
import { requestToken, postForm } from '../helpers/idp.ts';
import { RESOURCES } from '../../server/resources.ts';
import { IntrospectionCache } from '../../server/gateway/introspection.ts';
import { loadConfig } from '../../server/config.ts';

const PHANTOM = '/phantom/open-banking/v3.1/aisp/accounts';
let t: TestStack;
before(async () => {
  t = await startTestStack('gw-introspection', { gateway: { introspectionCacheSeconds: 2 } });
});
after(() => t.stop());

const cachedInput = (ex: Parameters<typeof decisionOf>[1]) => decisionOf(t.stack, ex).checks.find((c) => c.id === 'token.introspection')?.inputs?.cached;

test('a token revoked at the IdP (RFC 7009) is refused on the phantom route once the short cache time has passed', async () => {
  const r = await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha', resource: RESOURCES.obApiOpaque });
  const token = String(r.body!.access_token);
  // The gateway's clock is pinned, so the cache window does not depend on how fast this machine is.
  const real = t.stack.gateway.deps.clock;
  const T = real();
  let now = T;
  t.stack.gateway.deps.clock = () => now;
  try {
    const first = await callGateway(t.stack, PHANTOM, { cert: 'tpp-alpha', token });
    assert.equal(first.response?.status, 200);
    assert.equal(cachedInput(first), false);

    const revoked = await postForm(t.stack, t.stack.idp.endpoints.revocation, { token, client_id: 'tpp-alpha' }, { cert: 'tpp-alpha' });
    assert.equal(revoked.status, 200);
    now = T + 1;
    const within = await callGateway(t.stack, PHANTOM, { cert: 'tpp-alpha', token });
    assert.equal(within.response?.status, 200, 'still cached: the window is bounded, not zero');
    assert.equal(cachedInput(within), true);

    now = T + 2;
    const after = await callGateway(t.stack, PHANTOM, { cert: 'tpp-alpha', token });
    assert.equal(after.response?.status, 401);
    assert.equal(failedCheck(t.stack, after), 'token.introspection');
  } finally {
    t.stack.gateway.deps.clock = real;
  }
});

test('IntrospectionCache keeps an active result for min(ttl, exp), and nothing with ttl 0', () => {
  const now = 1_000_000;
  const short = new IntrospectionCache(5);
  short.set('a', { active: true, exp: now + 600 }, now);
  assert.ok(short.get('a', now + 4));
  assert.equal(short.get('a', now + 5), undefined);
  short.set('b', { active: true, exp: now + 2 }, now);
  assert.equal(short.get('b', now + 2), undefined, 'never past the token\'s exp');
  short.set('c', { active: false }, now);
  assert.equal(short.get('c', now), undefined, 'inactive answers are not cached');
  const never = new IntrospectionCache(0);
  never.set('a', { active: true, exp: now + 600 }, now);
  assert.equal(never.get('a', now), undefined);
});

test('FAPI_INTROSPECTION_CACHE_SECONDS: a few seconds by default, 0 allowed', () => {
  assert.equal(loadConfig({}, {}).gateway.introspectionCacheSeconds, 5);
  assert.equal(loadConfig({}, { FAPI_INTROSPECTION_CACHE_SECONDS: '0' }).gateway.introspectionCacheSeconds, 0);
});
