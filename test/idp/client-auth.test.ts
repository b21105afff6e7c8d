// The identity provider over real TLS: discovery metadata (RFC 8414, RFC 8705 §5, RFC 9449 §5.1) and
// every token-endpoint client authentication case of CHECKS.md, each with a passing and a failing
// request: tls_client_auth by subject DN and by SAN (RFC 8705 §2.1), self_signed_tls_client_auth
// (§2.2), private_key_jwt (RFC 7523 §3), and the decisions the IdP records for them.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createLocalJWKSet, jwtVerify, generateKeyPair, exportJWK, decodeJwt, type JWK } from 'jose';
import { startTestStack, thumbprint, type TestStack } from '../helpers/stack.ts';
import { requestToken, assertion, getJson, idpChecks } from '../helpers/idp.ts';
import { mintCertificate } from '../../server/pki/mint.ts';
import { RESOURCES } from '../../server/resources.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('idp-auth');
});
after(() => t.stop());

const alpha = (cert: Parameters<typeof requestToken>[1]['cert'], extra: Partial<Parameters<typeof requestToken>[1]> = {}) =>
  requestToken(t.stack, { clientId: 'tpp-alpha', cert, ...extra });

function assertInvalidClient(r: Awaited<ReturnType<typeof requestToken>>, label: string) {
  assert.equal(r.status, 401, `${label}: ${r.ex.response?.body}`);
  assert.equal(r.body?.error, 'invalid_client', label);
  assert.equal(r.body?.access_token, undefined, label);
}

test('discovery publishes the issuer, mtls_endpoint_aliases (token, PAR, introspection, userinfo), certificate-bound tokens, DPoP algs, PAR and S256 PKCE', async () => {
  const { status, body } = await getJson(t.stack, t.stack.idp.endpoints.discovery);
  assert.equal(status, 200);
  const d = body!;
  const mtls = t.stack.urls.idpMtls;
  assert.equal(d.issuer, t.stack.urls.idp);
  assert.deepEqual(d.mtls_endpoint_aliases, {
    token_endpoint: `${mtls}/token`,
    pushed_authorization_request_endpoint: `${mtls}/request`,
    introspection_endpoint: `${mtls}/token/introspection`,
    revocation_endpoint: `${mtls}/token/revocation`,
    userinfo_endpoint: `${mtls}/me`,
  });
  assert.equal(d.tls_client_certificate_bound_access_tokens, true);
  assert.deepEqual(d.dpop_signing_alg_values_supported, ['ES256', 'PS256', 'EdDSA']);
  assert.equal(d.pushed_authorization_request_endpoint, `${t.stack.urls.idp}/request`);
  assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(d.token_endpoint_auth_methods_supported, ['tls_client_auth', 'self_signed_tls_client_auth', 'private_key_jwt']);
  assert.deepEqual(d.token_endpoint_auth_signing_alg_values_supported, ['PS256', 'ES256']);
  assert.equal(d.registration_endpoint, `${t.stack.urls.idp}/reg`);
  assert.ok((d.grant_types_supported as string[]).includes('client_credentials'));
});

test('the JWKS is public keys only (PS256 and ES256), and issued access tokens verify against it as RFC 9068 at+jwt', async () => {
  const { body } = await getJson(t.stack, `${t.stack.urls.idp}/jwks`);
  const keys = (body!.keys as JWK[]);
  assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'PS256']);
  for (const k of keys) for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal((k as Record<string, unknown>)[priv], undefined, `${k.alg} ${priv}`);
  const r = await alpha('tpp-alpha');
  assert.equal(r.status, 200);
  const { payload, protectedHeader } = await jwtVerify(String(r.body!.access_token), createLocalJWKSet({ keys }), {
    issuer: t.stack.idp.issuer, audience: RESOURCES.obApi, typ: 'at+jwt',
  });
  assert.equal(protectedHeader.alg, 'PS256');
  assert.equal(payload.client_id, 'tpp-alpha');
  assert.equal(payload.scope, 'accounts');
});

test('tls_client_auth by subject DN: the registered certificate gets a Bearer token with cnf.x5t#S256 = its thumbprint', async () => {
  const r = await alpha('tpp-alpha');
  assert.equal(r.status, 200);
  assert.equal(r.body!.token_type, 'Bearer');
  assert.deepEqual(r.claims!.cnf, { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') });
  assert.equal(r.header!.typ, 'at+jwt');
});

test('tls_client_auth by subject DN: another certificate with the same DN from the same CA authenticates too (rotation)', async () => {
  const next = await mintCertificate(t.stack.pki, { name: 'alpha-next', subject: t.stack.pki.cert('tpp-alpha').entry.subject, flaw: 'none' });
  const r = await alpha(next);
  assert.equal(r.status, 200);
  assert.deepEqual(r.claims!.cnf, { 'x5t#S256': next.summary.thumbprint });
});

test('tls_client_auth refuses the wrong subject, a rogue CA, expired, not-yet-valid and revoked certificates, and no certificate: invalid_client', async () => {
  // Node's verdict on the handshake (chain, validity, CRL) is what refuses the ones with the right DN.
  const verdicts: [string | null, string | null][] = [
    ['mallory', 'authorized'], ['rogue-alpha', null], ['alpha-expired', 'CERT_HAS_EXPIRED'],
    ['alpha-not-yet-valid', 'CERT_NOT_YET_VALID'], ['alpha-revoked', 'CERT_REVOKED'], [null, null],
  ];
  for (const [cert, verdict] of verdicts) {
    const r = await alpha(cert);
    assertInvalidClient(r, String(cert));
    const checks = t.stack.decisions.peek(r.interactionId)[0]!.checks;
    assert.equal(checks.find((c) => c.id === 'idp.client-auth')!.outcome, 'fail', String(cert));
    const presented = checks.find((c) => c.id === 'idp.client-cert')!;
    assert.equal(presented.outcome, cert ? 'pass' : 'fail', String(cert));
    if (verdict) assert.equal(presented.inputs?.nodeVerdict, verdict, String(cert));
    else if (cert) assert.notEqual(presented.inputs?.nodeVerdict, 'authorized', String(cert));
  }
  assertInvalidClient(await alpha('tpp-alpha', { endpoint: 'plain' }), 'the issuer origin does not ask for a certificate');
  const minted = await mintCertificate(t.stack.pki, { name: 'rogue-2', subject: t.stack.pki.cert('tpp-alpha').entry.subject, flaw: 'self-signed' });
  assertInvalidClient(await alpha(minted), 'self-signed with the right DN');
});

test('resumed TLS sessions at the token endpoint keep the handshake\'s verdict: a revoked certificate stays refused, a good one stays bound', async () => {
  const post = (agent: https.Agent, name: string) => new Promise<{ status: number; body: Record<string, unknown>; reused: boolean }>((resolve, reject) => {
    const m = t.stack.pki.cert(name);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'tpp-alpha', scope: 'accounts' }).toString();
    const req = https.request(t.stack.idp.endpoints.token, {
      method: 'POST', agent, ca: t.stack.pki.rootCa, cert: m.chain, key: m.key,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown>, reused: (res.socket as TLSSocket).isSessionReused() }));
    });
    req.on('error', reject);
    req.end(body);
  });
  for (const [name, status] of [['alpha-revoked', 401], ['tpp-alpha', 200]] as const) {
    const agent = new https.Agent({ keepAlive: false, maxCachedSessions: 10 });
    try {
      const first = await post(agent, name);
      await new Promise((r) => setTimeout(r, 20));
      const second = await post(agent, name);
      assert.equal(second.reused, true, `${name}: the second connection resumed`);
      assert.deepEqual([first.status, second.status], [status, status], name);
      if (status === 200) assert.deepEqual(decodeJwt(String(second.body.access_token)).cnf, { 'x5t#S256': thumbprint(t.stack, name) });
    } finally {
      agent.destroy();
    }
  }
});

test('tls_client_auth by SAN dNSName: any trusted certificate carrying the registered dNSName authenticates, case-insensitively', async () => {
  const beta = await requestToken(t.stack, { clientId: 'tpp-beta', cert: 'tpp-beta' });
  assert.equal(beta.status, 200);
  assert.deepEqual(beta.claims!.cnf, { 'x5t#S256': thumbprint(t.stack, 'tpp-beta') });
  const upper = await mintCertificate(t.stack.pki, { name: 'beta-upper', subject: 'CN=not-beta,O=Other,C=GB', flaw: 'none', dnsNames: ['TPP-BETA.example'] });
  assert.equal((await requestToken(t.stack, { clientId: 'tpp-beta', cert: upper })).status, 200);
});

test('tls_client_auth by SAN dNSName refuses a certificate without it, or with it from an untrusted CA', async () => {
  assertInvalidClient(await requestToken(t.stack, { clientId: 'tpp-beta', cert: 'tpp-alpha' }), 'tpp-alpha has no SAN');
  const other = await mintCertificate(t.stack.pki, { name: 'beta-other', subject: 'CN=tpp-beta,O=Beta Budgeting Ltd,C=GB', flaw: 'none', dnsNames: ['tpp-beta.example.evil'] });
  assertInvalidClient(await requestToken(t.stack, { clientId: 'tpp-beta', cert: other }), 'another dNSName');
  const rogue = await mintCertificate(t.stack.pki, { name: 'beta-rogue', subject: 'CN=tpp-beta,C=GB', flaw: 'untrusted-ca', dnsNames: ['tpp-beta.example'] });
  assertInvalidClient(await requestToken(t.stack, { clientId: 'tpp-beta', cert: rogue }), 'rogue CA');
});

test('self_signed_tls_client_auth: the certificate in the client\'s JWKS x5c authenticates and binds the token', async () => {
  const r = await requestToken(t.stack, { clientId: 'tpp-selfsigned', cert: 'tpp-selfsigned' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.claims!.cnf, { 'x5t#S256': thumbprint(t.stack, 'tpp-selfsigned') });
});

test('self_signed_tls_client_auth refuses another self-signed certificate (same subject) and a CA-issued one', async () => {
  const lookalike = await mintCertificate(t.stack.pki, { name: 'ss-2', subject: t.stack.pki.cert('tpp-selfsigned').entry.subject, flaw: 'self-signed' });
  assertInvalidClient(await requestToken(t.stack, { clientId: 'tpp-selfsigned', cert: lookalike }), 'another self-signed');
  assertInvalidClient(await requestToken(t.stack, { clientId: 'tpp-selfsigned', cert: 'tpp-alpha' }), 'CA-issued');
  assertInvalidClient(await requestToken(t.stack, { clientId: 'tpp-selfsigned', cert: null }), 'none');
});

test('private_key_jwt (ES256): a fresh assertion gets a token; a plain bearer client gets no cnf', async () => {
  const r = await requestToken(t.stack, { clientId: 'tpp-bearer', assertion: await assertion(t.stack, 'tpp-bearer'), endpoint: 'plain' });
  assert.equal(r.status, 200);
  assert.equal(r.body!.token_type, 'Bearer');
  assert.equal(r.claims!.cnf, undefined);
  assert.equal(r.claims!.client_id, 'tpp-bearer');
});

test('private_key_jwt refuses an expired assertion, a wrong audience, a replayed jti and a key the client never registered', async () => {
  const bad: [string, string][] = [
    ['expired', await assertion(t.stack, 'tpp-bearer', { expiresIn: -60 })],
    ['wrong aud', await assertion(t.stack, 'tpp-bearer', { audience: 'https://other-bank.example' })],
    ['foreign key', await assertion(t.stack, 'tpp-bearer', { key: { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), alg: 'ES256', kid: t.stack.pki.clientKey('tpp-bearer').kid! } })],
  ];
  for (const [label, a] of bad) assertInvalidClient(await requestToken(t.stack, { clientId: 'tpp-bearer', assertion: a }), label);
  const once = await assertion(t.stack, 'tpp-bearer');
  assert.equal((await requestToken(t.stack, { clientId: 'tpp-bearer', assertion: once })).status, 200);
  const replay = await requestToken(t.stack, { clientId: 'tpp-bearer', assertion: once });
  assertInvalidClient(replay, 'replayed jti');
  assert.match(String(replay.body!.error_description), /client authentication failed/);
  assertInvalidClient(await requestToken(t.stack, { clientId: 'tpp-bearer' }), 'no assertion at all');
});

test('decisions: the IdP records idp.* checks under the x-fapi-interaction-id it echoes', async () => {
  const id = randomUUID();
  const ok = await alpha('tpp-alpha', { interactionId: id });
  assert.equal(ok.ex.response!.headers['x-fapi-interaction-id'], id);
  assert.deepEqual(idpChecks(t.stack, id), { 'idp.client-cert': 'pass', 'idp.client-auth': 'pass', 'idp.dpop-proof': 'skip', 'idp.token-binding': 'pass' });
  const decision = t.stack.decisions.peek(id)[0]!;
  assert.equal(decision.source, 'idp');
  assert.equal(decision.request.route, 'token');
  assert.equal(decision.tls?.peerCertificate?.thumbprint, thumbprint(t.stack, 'tpp-alpha'));
  assert.deepEqual(decision.checks.find((c) => c.id === 'idp.token-binding')!.inputs?.cnf, { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') });

  const wrong = await alpha('mallory');
  assert.equal(idpChecks(t.stack, wrong.interactionId)['idp.client-auth'], 'fail');
  const failed = t.stack.decisions.peek(wrong.interactionId)[0]!;
  assert.equal(failed.response.status, 401);
  assert.equal(failed.response.error, 'invalid_client');
  assert.equal(failed.checks.find((c) => c.id === 'idp.client-auth')!.inputs?.presented, t.stack.pki.cert('mallory').entry.subject);

  const none = await alpha(null);
  assert.equal(idpChecks(t.stack, none.interactionId)['idp.client-cert'], 'fail');
  assert.equal(idpChecks(t.stack, none.interactionId)['idp.token-binding'], 'skip');

  const pkj = await requestToken(t.stack, { clientId: 'tpp-bearer', assertion: await assertion(t.stack, 'tpp-bearer') });
  assert.deepEqual(idpChecks(t.stack, pkj.interactionId), { 'idp.client-cert': 'skip', 'idp.client-auth': 'pass', 'idp.dpop-proof': 'skip', 'idp.token-binding': 'fail' });

  const generated = await alpha('tpp-alpha', { interactionId: 'not-a-uuid' });
  assert.match(String(generated.ex.response!.headers['x-fapi-interaction-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});
