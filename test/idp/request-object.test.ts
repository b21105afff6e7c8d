// Signed request objects at PAR (RFC 9101, FAPI 2.0 Message Signing §5.3.1) over real TLS: the client's
// registered key (its sandbox directory signing key) is accepted; alg none, a key the client never
// registered (under its kid or another), another aud, an nbf over 60 minutes old (with exp at most 60
// minutes later it has expired), an exp over 60 minutes after nbf and an iss that is not the client are
// refused with invalid_request_object; a client registered with require_signed_request_object cannot
// push plain parameters.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { getJson, postForm } from '../helpers/idp.ts';
import { buildRequestObject, type RequestObjectKey } from '../../server/engine/crypto/request-object.ts';
import { browser, envOfStack, pkce } from '../helpers/journey.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('idp-request-object');
});
after(() => t.stop());

const alphaKey = (): RequestObjectKey => {
  const s = t.stack.directory.signer('tpp-alpha-signing');
  return { alg: s.alg, kid: s.kid, key: s.privateKey };
};
const malloryKey = (kid: string | null): RequestObjectKey => ({ alg: 'ES256', kid, key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey });

function params(clientId = 'tpp-alpha'): Record<string, unknown> {
  return {
    response_type: 'code', client_id: clientId, redirect_uri: `${envOfStack(t.stack).urls.ui}/callback`, scope: 'openid',
    state: 'st-ro', nonce: 'n-ro', code_challenge: pkce().challenge, code_challenge_method: 'S256',
  };
}

async function push(opts: { clientId?: string; key?: RequestObjectKey | null; audience?: string; nbfOffset?: number; lifetime?: number; iss?: string } = {}) {
  const clientId = opts.clientId ?? 'tpp-alpha';
  const ro = await buildRequestObject({
    clientId: opts.iss ?? clientId, audience: opts.audience ?? t.stack.idp.issuer, now: Date.now() / 1000, params: { ...params(clientId) },
    key: opts.key === undefined ? alphaKey() : opts.key,
    ...(opts.nbfOffset !== undefined ? { nbfOffset: opts.nbfOffset } : {}), ...(opts.lifetime !== undefined ? { lifetime: opts.lifetime } : {}),
  });
  return postForm(t.stack, t.stack.idp.endpoints.par, { client_id: clientId, request: ro.jwt }, { cert: 'tpp-alpha' });
}

const refused = (r: Awaited<ReturnType<typeof push>>, description: RegExp) => {
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body?.error, 'invalid_request_object', JSON.stringify(r.body));
  assert.match(String(r.body?.error_description), description);
};

test('discovery: request objects by value supported, PS256 / ES256 only, not required of every client; JARM signed with PS256 / ES256', async () => {
  const { body } = await getJson(t.stack, t.stack.idp.endpoints.discovery);
  assert.equal(body!.request_parameter_supported, true);
  assert.deepEqual(body!.request_object_signing_alg_values_supported, ['PS256', 'ES256']);
  assert.equal(body!.require_signed_request_object, undefined);
  assert.equal(body!.request_uri_parameter_supported, false);
  assert.ok((body!.response_modes_supported as string[]).includes('jwt'), 'JARM');
  assert.deepEqual(body!.authorization_signing_alg_values_supported, ['PS256', 'ES256']);
});

test('a request object signed with the client\'s registered key is accepted at PAR, and the browser reaches the sign-in page', async () => {
  const r = await push();
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const env = envOfStack(t.stack);
  const landing = await browser(env).browser.open(`${env.urls.idp}/auth?${new URLSearchParams({ client_id: 'tpp-alpha', request_uri: String(r.body!.request_uri) })}`);
  assert.equal(landing.kind, 'page');
  assert.equal(landing.exchange.response?.status, 200);
});

test('an unsigned request object (alg none) is refused', async () => {
  refused(await push({ key: null }), /alg/);
});

test('a request object signed with a key the client never registered is refused, under the client\'s kid or its own', async () => {
  refused(await push({ key: malloryKey(alphaKey().kid) }), /could not validate/);
  refused(await push({ key: malloryKey('mallory-own-kid') }), /could not validate/);
});

test('another aud, an nbf more than 60 minutes old, an exp more than 60 minutes after nbf, an iss that is not the client: refused', async () => {
  refused(await push({ audience: 'https://another-bank.example' }), /claims are invalid/);
  const old = await push({ nbfOffset: -3_660, lifetime: 3_600 });
  refused(old, /claims are invalid/);
  refused(await push({ lifetime: 3_700 }), /'exp' claim too far from 'nbf'/);
  assert.equal((await push({ nbfOffset: -3_000, lifetime: 3_600 })).status, 201, 'an nbf 50 minutes old with exp 60 minutes later is accepted');
  refused(await push({ iss: 'mallory-app' }), /client_id|claims are invalid/);
});

test('a client registered with require_signed_request_object: plain parameters refused, a signed request object accepted', async () => {
  const plain = await postForm(t.stack, t.stack.idp.endpoints.par, Object.fromEntries(Object.entries(params('tpp-alpha-jar')).map(([k, v]) => [k, String(v)])), { cert: 'tpp-alpha' });
  assert.equal(plain.status, 400, JSON.stringify(plain.body));
  assert.equal(plain.body?.error, 'invalid_request');
  assert.match(String(plain.body?.error_description), /Request Object must be used/);
  const signed = await push({ clientId: 'tpp-alpha-jar' });
  assert.equal(signed.status, 201, JSON.stringify(signed.body));
});

test('the IdP\'s decision at PAR: idp.request-object passes for the client\'s signature, fails for Mallory\'s, an unsigned one and plain parameters of a client that requires one, skips plain parameters otherwise', async () => {
  const outcome = async (r: { interactionId: string }) => {
    await t.stack.decisions.flush();
    const found = t.stack.decisions.peek(r.interactionId).flatMap((d) => d.checks).find((c) => c.id === 'idp.request-object');
    return found ? [found.outcome, found.reason] : null;
  };
  assert.equal((await outcome(await push()))?.[0], 'pass');
  const mallory = await outcome(await push({ key: malloryKey(alphaKey().kid) }));
  assert.equal(mallory?.[0], 'fail');
  assert.equal((await outcome(await push({ key: null })))?.[0], 'fail', 'alg none');
  const plain = (clientId: string) => postForm(t.stack, t.stack.idp.endpoints.par, { ...Object.fromEntries(Object.entries(params(clientId)).map(([k, v]) => [k, String(v)])) }, { cert: 'tpp-alpha' });
  const required = await outcome(await plain('tpp-alpha-jar'));
  assert.equal(required?.[0], 'fail');
  assert.match(String(required?.[1]), /require_signed_request_object/);
  assert.equal((await outcome(await plain('tpp-alpha')))?.[0], 'skip');
});
