// External-AS mode catches a non-FAPI authorization server: a second oidc-provider configured the
// permissive way (PAR optional, hybrid allowed, any client-assertion aud, open registration, DPoP
// replays as invalid_grant, request objects without FAPI's lifetime limit) runs on real TLS as an external target, and the as-* scenarios fail
// against it, each at the step and expectation that names what the server got wrong.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JWK } from 'jose';
import { createPublicKey } from 'node:crypto';
import { ROOT_DIR } from '../../server/config.ts';
import { loadPki, type Pki } from '../../server/pki/load.ts';
import { loadCatalogue, select } from '../../server/engine/catalogue.ts';
import { runScenarios, type RunResult } from '../../server/engine/runner.ts';
import { loadTargetFile } from '../../server/targets/load.ts';
import { buildTarget, discoverAs } from '../../server/targets/build.ts';
import { openDb, type Db } from '../../server/db/client.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';

const REDIRECT = 'https://app.example/callback';
const SCENARIOS = [
  'as-discovery-metadata', 'as-authorization-request-without-par', 'as-par-response-types', 'as-par-redirect-uri',
  'as-client-assertion-audience', 'as-client-assertion-clock-skew', 'as-dpop-proof-replayed-at-token', 'as-dcr-fapi-negatives',
  'as-request-object-claims', 'as-tls12-bcp195-suites',
];

const publicJwk = ({ d: _d, ...pub }: JWK) => pub;

/** oidc-provider the way many deployments leave it: OAuth 2.0 defaults, no FAPI profile. */
async function permissiveAs(pki: Pki): Promise<{ issuer: string; close(): Promise<void> }> {
  const { default: Provider } = await import('oidc-provider');
  const server = https.createServer({ key: pki.server.key, cert: pki.server.chain, ca: pki.rootCa, requestCert: true, rejectUnauthorized: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://localhost:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'tpp-alpha', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: pki.cert('tpp-alpha').entry.subject,
        grant_types: ['authorization_code', 'implicit', 'client_credentials'], response_types: ['code', 'code id_token', 'id_token'], redirect_uris: [REDIRECT],
        jwks: { keys: [createPublicKey(pki.cert('tpp-alpha-signing').cert).export({ format: 'jwk' }) as JWK] },
      },
      { client_id: 'tpp-dpop', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk(pki.clientKey('tpp-dpop'))] }, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    ],
    clientAuthMethods: ['tls_client_auth', 'private_key_jwt', 'none', 'client_secret_basic'],
    clientDefaults: { id_token_signed_response_alg: 'PS256', grant_types: ['authorization_code'], response_types: ['code'] },
    jwks: { keys: pki.idpJwks.keys as JWK[] as never },
    scopes: ['openid', 'accounts'],
    // Explicit values keep oidc-provider from printing a notice per default it falls back to.
    ttl: { AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    renderError: async (ctx, out) => {
      ctx.type = 'text';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
    features: {
      clientCredentials: { enabled: true },
      registration: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      requestObjects: { enabled: true },
      dPoP: { enabled: true },
      mTLS: {
        enabled: true, certificateBoundAccessTokens: true, tlsClientAuth: true,
        getCertificate: (ctx) => (ctx.socket as TLSSocket).getPeerX509Certificate() ?? undefined,
        certificateAuthorized: (ctx) => (ctx.socket as TLSSocket).authorized,
        certificateSubjectMatches: (ctx, property, expected) => property === 'tls_client_auth_subject_dn' && (ctx.socket as TLSSocket).getPeerX509Certificate()?.subject.split('\n').reverse().join(',') === expected,
      },
    },
  });
  server.on('request', provider.callback());
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let as: { issuer: string; close(): Promise<void> };
let db: Db;
let result: RunResult;
const dir = mkdtempSync(path.join(os.tmpdir(), 'fapi-permissive-'));
const data = tempDataDir('permissive-as');

before(async () => {
  const c = certsDir();
  const pki = await loadPki(c);
  as = await permissiveAs(pki);
  const file = path.join(dir, 'target.yaml');
  writeFileSync(file, `name: permissive-as
authorizationServer:
  discovery: ${as.issuer}/.well-known/openid-configuration
  redirectUri: ${REDIRECT}
resourceServer: { baseUrl: "https://localhost:9" }
senderConstraint: both
trust: ${c}/ca/root-ca.pem
clients:
  tpp-alpha: { clientId: tpp-alpha, auth: tls_client_auth, certificate: tpp-alpha, key: ${c}/signing/tpp-alpha-signing.key.pem, keyAlg: ES256 }
  tpp-dpop: { clientId: tpp-dpop, auth: private_key_jwt, key: ${c}/keys/tpp-dpop.private.jwk.json }
certificates:
  tpp-alpha: { cert: ${c}/clients/tpp-alpha.chain.pem, key: ${c}/clients/tpp-alpha.key.pem }
`);
  const loaded = loadTargetFile(file);
  const target = buildTarget(loaded, await discoverAs(loaded, null), null);
  db = await openDb(data.dir, ROOT_DIR);
  const { selected } = select(loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR).scenarios, SCENARIOS);
  result = await runScenarios({ scenarios: selected, target, trigger: 'test', prisma: db.prisma });
});
after(async () => {
  await as?.close();
  await db?.close();
  data.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** The scenario failed (not errored, not skipped) at this step, on this expectation, with this actual value. */
function failedAt(id: string, step: number, pathOf: string, actual: unknown) {
  const s = result.scenarios.find((x) => x.scenarioId === id);
  assert.ok(s, `${id} ran`);
  assert.equal(s.status, 'failed', `${id}: ${s.status} ${s.reason ?? ''} ${JSON.stringify(s.failure)}`);
  assert.equal(s.failure?.step, step, `${id}: failed at step ${s.failure?.step} (${s.failure?.stepName}): ${s.failure?.message} ${s.failure?.explanation ?? ''} ${JSON.stringify(s.failure?.expectation)}`);
  assert.equal(s.failure?.expectation?.path, pathOf, `${id}: ${s.failure?.message}`);
  assert.deepEqual(s.failure?.expectation?.actual, actual, `${id}: ${s.failure?.message}`);
  return s;
}

test('discovery: PAR not required', () => {
  failedAt('as-discovery-metadata', 0, 'body require_pushed_authorization_requests', null);
});

test('TLS as Node leaves it: 1.1 refused, but TLS 1.2 with CBC suites only is accepted on the issuer origin (FAPI 2.0 SP 5.2.3-2)', () => {
  failedAt('as-tls12-bcp195-suites', 1, 'handshake', 'ok');
});

test('an authorization request without PAR reaches the sign-in page instead of being refused', () => {
  const s = failedAt('as-authorization-request-without-par', 0, 'callback error', null);
  assert.match(s.failure!.explanation ?? s.failure!.message, /invalid_request/);
});

test('PAR accepts the hybrid response type, and a request without redirect_uri', () => {
  failedAt('as-par-response-types', 0, 'status', 201);
  failedAt('as-par-redirect-uri', 1, 'status', 201);
});

test('a client assertion aimed at the token endpoint, or issued 70 s in the future, is accepted', () => {
  failedAt('as-client-assertion-audience', 0, 'status', 200);
  failedAt('as-client-assertion-clock-skew', 3, 'status', 200);
});

test('a replayed DPoP proof at the token endpoint is invalid_grant, not invalid_dpop_proof', () => {
  failedAt('as-dpop-proof-replayed-at-token', 1, 'error', 'invalid_grant');
});

test('open registration accepts a public client', () => {
  failedAt('as-dcr-fapi-negatives', 0, 'status', 201);
});

test('request objects (signed with the key the target file names): another aud and an old nbf refused, exp 61 minutes after nbf accepted', () => {
  failedAt('as-request-object-claims', 2, 'status', 201);
});
