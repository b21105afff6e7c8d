// Self-signed-bound tokens (RFC 8705 §2.2, §3, §6.2): a route whose option says "binding only" accepts a
// token bound to a self_signed_tls_client_auth client's certificate without chaining it to a CA; the
// other mTLS routes keep refusing the same certificate at tls.client-cert-chain.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, callGateway, outcome, failedCheck, decisionOf, type TestStack } from '../helpers/stack.ts';
import { requestToken } from '../helpers/idp.ts';

let t: TestStack;
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
const SELF_SIGNED = `/mtls-self-signed${ACCOUNTS}`;
let token: string;
before(async () => {
  t = await startTestStack('gw-self-signed');
  const r = await requestToken(t.stack, { clientId: 'tpp-selfsigned', cert: 'tpp-selfsigned' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  token = String(r.body!.access_token);
});
after(() => t.stop());

test('the self-signed route accepts a token bound to a self-signed certificate: chain and revocation are not checked, the binding is', async () => {
  const ex = await callGateway(t.stack, SELF_SIGNED, { cert: 'tpp-selfsigned', token });
  assert.equal(ex.response?.status, 200);
  const chain = decisionOf(t.stack, ex).checks.find((c) => c.id === 'tls.client-cert-chain')!;
  assert.equal(chain.outcome, 'skip');
  assert.match(chain.reason, /not the chain \(RFC 8705 §2\.2, §6\.2\)/);
  assert.equal(outcome(t.stack, ex, 'tls.client-cert-revocation'), 'skip');
  assert.equal(outcome(t.stack, ex, 'mtls.cnf-thumbprint-match'), 'pass');
});

test('the self-signed route still refuses the token with another certificate or with none', async () => {
  const other = await callGateway(t.stack, SELF_SIGNED, { cert: 'mallory', token });
  assert.equal(other.response?.status, 401);
  assert.equal(failedCheck(t.stack, other), 'mtls.cnf-thumbprint-match');
  const none = await callGateway(t.stack, SELF_SIGNED, { token });
  assert.equal(none.response?.status, 401);
  assert.equal(failedCheck(t.stack, none), 'tls.client-cert-presented');
});

test('the ordinary mTLS routes keep refusing the self-signed certificate at tls.client-cert-chain', async () => {
  for (const path of [`/mtls${ACCOUNTS}`, ACCOUNTS]) {
    const ex = await callGateway(t.stack, path, { cert: 'tpp-selfsigned', token });
    assert.equal(ex.response?.status, 401, path);
    assert.equal(failedCheck(t.stack, ex), 'tls.client-cert-chain', path);
  }
});
