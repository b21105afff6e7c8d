// oidc-provider's request context (an AsyncLocalStorage; on Node 20 an enabled one puts promise hooks on
// every promise of the process, the gateway's included) is on while the IdP handles a request and off
// once none is in flight (server/idp/async-context.ts); concurrent requests keep their context.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { requestToken } from '../helpers/idp.ts';
import { providerContextEnabled } from '../../server/idp/async-context.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('idp-async-context');
});
after(() => t.stop());

const turn = () => new Promise((r) => setImmediate(r));

test('the provider context is on during an IdP request (its events see the request) and off once every request is answered', async () => {
  const provider = t.stack.idp.provider;
  const ctxOf = () => (provider.constructor as unknown as { ctx: unknown }).ctx;
  const seen: boolean[] = [];
  const listener = (ctx: unknown) => seen.push(providerContextEnabled() && ctxOf() === ctx);
  provider.on('grant.success', listener);
  try {
    const answers = await Promise.all(Array.from({ length: 8 }, () => requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha' })));
    assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200));
    assert.deepEqual(seen, answers.map(() => true), 'each grant.success ran inside its own request context');
    await turn();
    await turn();
    assert.equal(providerContextEnabled(), false, 'no IdP request in flight: the storage (and its promise hooks) is off');
    assert.equal((await requestToken(t.stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha' })).status, 200, 'and the next request turns it on again');
    assert.equal(seen.length, 9);
    assert.equal(seen[8], true);
  } finally {
    provider.off('grant.success', listener);
  }
});
