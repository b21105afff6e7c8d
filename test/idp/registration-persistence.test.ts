// Dynamic client registration (RFC 7591) with the RFC 8705 §2.1.2 metadata and private_key_jwt PS256,
// and persistence through the Prisma adapter: registrations, opaque tokens and the gateway's DPoP
// replay cache (RFC 9449 §11.1) survive a restart of the stack on the same data directory.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { startStack, type Stack } from '../../server/stack.ts';
import type { Ports } from '../../server/config.ts';
import { callGateway, failedCheck } from '../helpers/stack.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';
import { requestToken, assertion, introspect, idpChecks } from '../helpers/idp.ts';
import { send, jsonBody } from '../../server/engine/http-client.ts';
import { mintCertificate } from '../../server/pki/mint.ts';
import { buildProof, generateDpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { RESOURCES } from '../../server/resources.ts';

const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
const data = tempDataDir('idp-dcr');
const start = (ports: Partial<Ports> = {}) => startStack({
  ui: false, quiet: true, dataDir: data.dir, certsDir: certsDir(),
  ports: { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0, ...ports },
});
let stack: Stack;
before(async () => {
  stack = await start();
});
after(async () => {
  await stack.stop();
  data.remove();
});

async function register(s: Stack, metadata: Record<string, unknown>) {
  const ex = await send({
    method: 'POST', url: s.idp.endpoints.registration, ca: s.pki.rootCa, cert: null,
    headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(metadata),
  });
  return { status: ex.response?.status ?? null, body: jsonBody(ex), ex };
}

const CC = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'accounts' };

test('DCR with tls_client_auth_subject_dn: the registered subject authenticates and gets a bound token; another subject does not', async () => {
  const cert = await mintCertificate(stack.pki, { name: 'newco', subject: 'CN=newco-app,O=NewCo Ltd,C=GB', flaw: 'none' });
  const reg = await register(stack, { ...CC, client_name: 'NewCo', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: cert.summary.subject, tls_client_certificate_bound_access_tokens: true });
  assert.equal(reg.status, 201, reg.ex.response?.body);
  const clientId = String(reg.body!.client_id);
  assert.equal(reg.body!.tls_client_auth_subject_dn, 'CN=newco-app,O=NewCo Ltd,C=GB');
  const r = await requestToken(stack, { clientId, cert });
  assert.equal(r.status, 200);
  assert.deepEqual(r.claims!.cnf, { 'x5t#S256': cert.summary.thumbprint });
  assert.equal(r.claims!.client_id, clientId);
  assert.equal((await requestToken(stack, { clientId, cert: 'tpp-alpha' })).body!.error, 'invalid_client');
  const call = await send({ method: 'GET', url: stack.urls.gateway + ACCOUNTS, headers: { authorization: `Bearer ${String(r.body!.access_token)}` }, ca: stack.pki.rootCa, cert });
  assert.equal(call.response?.status, 200, 'the gateway accepts the token with the registered certificate');
});

test('DCR with tls_client_auth_san_dns: a certificate with that dNSName authenticates', async () => {
  const cert = await mintCertificate(stack.pki, { name: 'sanco', subject: 'CN=whatever,O=SanCo,C=GB', flaw: 'none', dnsNames: ['api.sanco.example'] });
  const reg = await register(stack, { ...CC, token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'api.sanco.example', tls_client_certificate_bound_access_tokens: true });
  assert.equal(reg.status, 201, reg.ex.response?.body);
  const r = await requestToken(stack, { clientId: String(reg.body!.client_id), cert });
  assert.equal(r.status, 200);
  assert.deepEqual(r.claims!.cnf, { 'x5t#S256': cert.summary.thumbprint });
  const other = await mintCertificate(stack.pki, { name: 'sanco-2', subject: 'CN=whatever,O=SanCo,C=GB', flaw: 'none', dnsNames: ['api.other.example'] });
  assert.equal((await requestToken(stack, { clientId: String(reg.body!.client_id), cert: other })).body!.error, 'invalid_client');
});

test('DCR with private_key_jwt PS256 and DPoP-bound tokens: a PS256 assertion by the registered RSA key gets a token; an ES256 one is refused', async () => {
  const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true, modulusLength: 2048 });
  const pub: JWK = { ...(await exportJWK(publicKey)), alg: 'PS256', use: 'sig', kid: 'ps-1' };
  const reg = await register(stack, { ...CC, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks: { keys: [pub] }, dpop_bound_access_tokens: true });
  assert.equal(reg.status, 201, reg.ex.response?.body);
  const clientId = String(reg.body!.client_id);
  const key: JWK = { ...(await exportJWK(privateKey)), alg: 'PS256', kid: 'ps-1' };
  const proof = (await buildProof(await generateDpopKey('dcr'), { method: 'POST', url: stack.idp.endpoints.token, now: Date.now() / 1000 })).jwt;
  const r = await requestToken(stack, { clientId, assertion: await assertion(stack, clientId, { key }), dpop: proof });
  assert.equal(r.status, 200, r.ex.response?.body);
  assert.equal(idpChecks(stack, r.interactionId)['idp.client-auth'], 'pass');
  const es = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), alg: 'ES256', kid: 'ps-1' };
  assert.equal((await requestToken(stack, { clientId, assertion: await assertion(stack, clientId, { key: es }) })).body!.error, 'invalid_client');
});

test('DCR refuses incomplete or contradictory tls_client_auth metadata with invalid_client_metadata', async () => {
  const bad: [string, Record<string, unknown>][] = [
    ['no subject or SAN', { token_endpoint_auth_method: 'tls_client_auth' }],
    ['two identifiers', { token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=a', tls_client_auth_san_dns: 'a.example' }],
    ['unsupported method', { token_endpoint_auth_method: 'client_secret_basic' }],
    ['self-signed without jwks', { token_endpoint_auth_method: 'self_signed_tls_client_auth' }],
  ];
  for (const [label, metadata] of bad) {
    const r = await register(stack, { ...CC, ...metadata });
    assert.equal(r.status, 400, `${label}: ${r.ex.response?.body}`);
    assert.equal(r.body!.error, 'invalid_client_metadata', label);
  }
});

test('a restart on the same data directory keeps registrations, opaque tokens and the DPoP replay cache', async () => {
  const cert = await mintCertificate(stack.pki, { name: 'keeper', subject: 'CN=keeper,O=Keeper Ltd,C=GB', flaw: 'none' });
  const reg = await register(stack, { ...CC, token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: cert.summary.subject, tls_client_certificate_bound_access_tokens: true });
  const clientId = String(reg.body!.client_id);
  const opaque = await requestToken(stack, { clientId: 'tpp-alpha', cert: 'tpp-alpha', resource: RESOURCES.obApiOpaque });
  const token = String(opaque.body!.access_token);
  const key = await generateDpopKey('restart');
  const dpop = await requestToken(stack, {
    clientId: 'tpp-dpop', assertion: await assertion(stack, 'tpp-dpop'),
    dpop: (await buildProof(key, { method: 'POST', url: stack.idp.endpoints.token, now: Date.now() / 1000 })).jwt,
  });
  const dpopToken = String(dpop.body!.access_token);
  const ports = Object.fromEntries(Object.entries(stack.urls).map(([k, u]) => [k, Number(new URL(u).port)])) as unknown as Ports;
  const proof = (s: Stack) => buildProof(key, { method: 'GET', url: s.urls.gateway + ACCOUNTS, accessToken: dpopToken, now: Date.now() / 1000 }, { jti: 'kept-across-restart', ath: 'auto', embedPrivateKey: false, omitClaims: [] });
  const before = await callGateway(stack, ACCOUNTS, { token: dpopToken, scheme: 'DPoP', headers: { dpop: (await proof(stack)).jwt } });
  assert.equal(before.response?.status, 200);

  await stack.stop();
  stack = await start(ports);

  const i = await introspect(stack, token);
  assert.equal(i.body!.active, true, 'the opaque token issued before the restart is still active');
  assert.equal(i.body!.client_id, 'tpp-alpha');
  assert.equal((await callGateway(stack, `/phantom${ACCOUNTS}`, { cert: 'tpp-alpha', token })).response?.status, 200);
  const again = await requestToken(stack, { clientId, cert });
  assert.equal(again.status, 200, `the client registered before the restart still authenticates: ${again.ex.response?.body}`);
  const replay = await callGateway(stack, ACCOUNTS, { token: dpopToken, scheme: 'DPoP', headers: { dpop: (await proof(stack)).jwt } });
  assert.equal(replay.response?.status, 401);
  assert.equal(failedCheck(stack, replay), 'dpop.jti-unique', 'the jti seen before the restart is still refused');
});
