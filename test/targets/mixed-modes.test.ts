// Mixed mode, your authorization server in front of the bundled gateway: a second sandbox stack plays
// "your AS" (reached only through its discovery document), and openTargetFile starts a bundled gateway
// that trusts that issuer and its remote JWKS. Its gateway checks stay observable, the AS's are not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { loadCatalogue, select } from '../../server/engine/catalogue.ts';
import { runScenarios, type RunResult } from '../../server/engine/runner.ts';
import { openTargetFile, type OpenTarget } from '../../server/targets/open.ts';
import { checkTarget } from '../../server/targets/check.ts';
import { remoteJwks } from '../../server/gateway/remote-jwks.ts';
import { jwtVerify } from 'jose';
import { startTestStack, material, callGateway, type TestStack } from '../helpers/stack.ts';
import { send } from '../../server/engine/http-client.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';

let yourAs: TestStack;
let opened: OpenTarget;
let result: RunResult;
const dir = mkdtempSync(path.join(os.tmpdir(), 'fapi-mixed-'));
const data = tempDataDir('mixed-gateway');

before(async () => {
  yourAs = await startTestStack('mixed-as');
  const c = certsDir();
  const file = path.join(dir, 'target.yaml');
  writeFileSync(file, `name: your-as-bundled-gateway
authorizationServer:
  discovery: ${yourAs.stack.idp.issuer}/.well-known/openid-configuration
  resources: { ob-api: "urn:fapi-sandbox:ob-api", payments-api: "urn:fapi-sandbox:payments-api" }
resourceServer: bundled
senderConstraint: both
trust: ${c}/ca/root-ca.pem
clients:
  tpp-alpha: { clientId: tpp-alpha, auth: tls_client_auth }
  mallory-app: { clientId: mallory-app }
  tpp-dpop: { clientId: tpp-dpop, auth: private_key_jwt, key: ${c}/keys/tpp-dpop.private.jwk.json }
`);
  opened = await openTargetFile(file, { stack: { dataDir: data.dir, certsDir: c } });
  const ids = ['mtls-client-credentials', 'mtls-stolen-token-other-certificate', 'dpop-client-credentials', 'token-for-another-audience', 'forged-token-hs256-public-key', 'phantom-token', 'plain-bearer-token-refused'];
  const { selected } = select(loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR).scenarios, ids);
  result = await runScenarios({ scenarios: selected, target: opened.target, trigger: 'test', prisma: opened.stack!.db.prisma });
});
after(async () => {
  await opened?.stop();
  await yourAs?.stop();
  data.remove();
  rmSync(dir, { recursive: true, force: true });
});

const status = (id: string) => result.scenarios.find((s) => s.scenarioId === id);

test('endpoints come from the discovery document, including the mTLS alias', () => {
  assert.equal(opened.target.endpoints.issuer, yourAs.stack.idp.issuer);
  assert.equal(opened.target.endpoints.token, yourAs.stack.idp.endpoints.token);
  assert.notEqual(opened.target.endpoints.gateway, yourAs.stack.urls.gateway);
  assert.equal(opened.target.endpoints.gateway, opened.stack!.urls.gateway);
});

test('the bundled gateway accepts your AS\'s bound tokens and refuses a replay, with its checks observable', () => {
  for (const id of ['mtls-client-credentials', 'mtls-stolen-token-other-certificate', 'dpop-client-credentials', 'token-for-another-audience', 'forged-token-hs256-public-key']) {
    assert.equal(status(id)?.status, 'passed', `${id}: ${status(id)?.failure?.explanation}`);
  }
  const stolen = status('mtls-stolen-token-other-certificate')!;
  assert.equal(stolen.steps[1]!.failedCheck?.id, 'mtls.cnf-thumbprint-match', 'the gateway decision is joined');
  const hidden = status('mtls-client-credentials')!.steps[0]!.expectations.filter((e) => e.unobservable).map((e) => e.path);
  assert.deepEqual(hidden, ['check idp.client-auth', 'check idp.token-binding'], 'the external AS\'s checks are not observable');
});

test('what the mix cannot do is skipped by name', () => {
  assert.equal(status('phantom-token')?.reason, 'the target lacks phantom, resource ob-api-opaque');
  assert.equal(status('plain-bearer-token-refused')?.reason, 'the target lacks client tpp-bearer');
});

test('that gateway trusts your issuer only: a token of its own bundled IdP is refused (iss)', async () => {
  const own = opened.stack!;
  const tok = await send({
    method: 'POST', url: own.idp.endpoints.token, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=tpp-alpha&scope=accounts', ca: own.pki.rootCa, cert: material(own, 'tpp-alpha'),
  });
  const token = (JSON.parse(tok.response!.body) as { access_token: string }).access_token;
  const ex = await callGateway(own, '/open-banking/v3.1/aisp/accounts', { cert: 'tpp-alpha', token });
  assert.equal(ex.response?.status, 401);
  assert.match(String(ex.response?.headers['www-authenticate']), new RegExp(`token\\.claims: iss '${own.idp.issuer}' is not the trusted issuer ${yourAs.stack.idp.issuer}`));
});

test('remote JWKS: fetched over TLS with the given CA; an untrusted server is an error', async () => {
  const tok = await send({
    method: 'POST', url: yourAs.stack.idp.endpoints.token, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=tpp-alpha&scope=accounts', ca: yourAs.stack.pki.rootCa, cert: material(yourAs.stack, 'tpp-alpha'),
  });
  const token = (JSON.parse(tok.response!.body) as { access_token: string }).access_token;
  const jwksUri = `${yourAs.stack.idp.issuer}/jwks`;
  const { payload } = await jwtVerify(token, remoteJwks(jwksUri, yourAs.stack.pki.rootCa));
  assert.equal(payload.client_id, 'tpp-alpha');
  const otherCa = yourAs.stack.pki.rogueCa.cert;
  await assert.rejects(jwtVerify(token, remoteJwks(jwksUri, otherCa)), /certificate/i);
});

test('check: reachable servers with verified chains, a bound token from your AS, a call through the gateway', async () => {
  const report = await checkTarget(opened.target);
  assert.ok(report.ok, JSON.stringify(report.checks, null, 1));
  assert.deepEqual(report.checks.map((c) => c.id.split(' ')[0]), ['tls', 'tls', 'tls', 'tls', 'token', 'call']);
  assert.match(report.checks.find((c) => c.id === 'token')!.detail, /x5t#S256/);
});
