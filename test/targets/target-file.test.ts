// Target files: the examples are valid, bad files are refused with file, line, field and what was
// expected, capabilities are derived as documented, routes map, and every catalogue scenario's
// `requires:` covers what its steps imply (so skips name the right capability).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { parseTarget } from '../../lib/target/parse.ts';
import { formatScenarioError } from '../../lib/scenario/parse.ts';
import { loadTargetText, TargetError, type LoadedTarget } from '../../server/targets/load.ts';
import { capabilitiesOf } from '../../server/targets/build.ts';
import { loadCatalogue } from '../../server/engine/catalogue.ts';
import { impliedCapabilities, requirementsOf } from '../../server/engine/requirements.ts';
import { BUNDLED_CAPABILITIES } from '../../server/engine/target.ts';
import { CATALOGUE_ROUTES, catalogueRouteOf } from '../../lib/target/routes.ts';
import { buildRoutes } from '../../server/gateway/routes.ts';
import { loadConfig } from '../../server/config.ts';
import { certsDir } from '../helpers/paths.ts';

const EXAMPLES = path.join(ROOT_DIR, 'examples', 'targets');
const ENV = { FAPI_EXTERNAL_GATEWAY_KEY: 'a-key-of-at-least-16-characters' };

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof TargetError) return err.errors.map(formatScenarioError);
    throw err;
  }
  assert.fail('expected a TargetError');
}

test('every example target file is valid and points editors at the schema', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const text = readFileSync(path.join(EXAMPLES, f), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\.\/\.\.\/schemas\/target\.schema\.json/, f);
    const r = parseTarget(text, f, ENV);
    assert.ok(r.ok, `${f}: ${r.ok ? '' : r.errors.map(formatScenarioError).join('\n')}`);
  }
  // The nginx examples also load: their certificate authority files exist and match.
  for (const f of ['nginx-ssl-verify-only.yaml', 'nginx-cnf-binding.yaml']) {
    const loaded = loadTargetText(readFileSync(path.join(EXAMPLES, f), 'utf8').replaceAll('../../certs/', `${certsDir()}/`), f, { baseDir: EXAMPLES, env: ENV });
    assert.ok(loaded.certificateAuthority, f);
  }
});

const MINIMAL = `name: my-gateway
authorizationServer: bundled
resourceServer:
  baseUrl: https://localhost:9543
senderConstraint: mtls
`;

test('a bad target file names the file, line, field and what was expected', () => {
  const bad = MINIMAL.replace('senderConstraint: mtls', 'senderConstraint: tls\nunsupported: [teleport]').replace('https://localhost:9543', 'http://localhost:9543');
  const r = parseTarget(bad, 'targets/bad.yaml');
  assert.equal(r.ok, false);
  const lines = r.ok ? [] : r.errors.map(formatScenarioError);
  assert.ok(lines.includes('targets/bad.yaml:4: resourceServer.baseUrl: an https:// URL'), lines.join('\n'));
  assert.ok(lines.includes('targets/bad.yaml:5: senderConstraint: expected one of "mtls", "dpop", "both"'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('targets/bad.yaml:6: unsupported[0]: expected one of "mtls"')), lines.join('\n'));
  const noAs = parseTarget(MINIMAL.replace('authorizationServer: bundled', 'authorizationServer:\n  resources: {}'), 't.yaml');
  assert.deepEqual(noAs.ok ? [] : noAs.errors.map(formatScenarioError), ['t.yaml:3: authorizationServer: give discovery, or issuer + tokenEndpoint + jwksUri']);
});

test('${ENV} references are filled in; an unset one is an error at its line', () => {
  const text = `${MINIMAL}bundled:\n  externalGatewayKey: \${FAPI_EXTERNAL_GATEWAY_KEY}\n`;
  const ok = parseTarget(text, 't.yaml', ENV);
  assert.ok(ok.ok && ok.target.bundled?.externalGatewayKey === ENV.FAPI_EXTERNAL_GATEWAY_KEY);
  const unset = parseTarget(text, 't.yaml', {});
  assert.deepEqual(unset.ok ? [] : unset.errors.map(formatScenarioError), ['t.yaml:7: bundled.externalGatewayKey: environment variable FAPI_EXTERNAL_GATEWAY_KEY is not set']);
});

test('files are read relative to the target file; a missing file, a key of another certificate and a non-CA are refused', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fapi-target-files-'));
  try {
    const c = certsDir();
    const text = `${MINIMAL}trust: missing-ca.pem
certificates:
  tpp-alpha: { cert: ${c}/clients/tpp-alpha.chain.pem, key: ${c}/clients/mallory.key.pem }
certificateAuthority: { cert: ${c}/clients/mallory.pem, key: ${c}/clients/mallory.key.pem }
clients:
  tpp-alpha: { clientId: alpha, certificate: nope }
`;
    const errors = errorsOf(() => loadTargetText(text, 't.yaml', { baseDir: dir }));
    assert.ok(errors.includes(`t.yaml:6: trust: no such file ${path.join(dir, 'missing-ca.pem')}`), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('t.yaml:8: certificates.tpp-alpha.key: this key does not belong to the certificate')), errors.join('\n'));
    assert.ok(errors.includes('t.yaml:9: certificateAuthority.cert: this certificate is not a CA (basicConstraints cA is false)'), errors.join('\n'));
    assert.ok(errors.includes('t.yaml:11: clients.tpp-alpha.certificate: no certificate "nope" under certificates:'), errors.join('\n'));
    // The same certificates, right this time, load with their summaries; a private_key_jwt key gets its alg.
    writeFileSync(path.join(dir, 'ca.pem'), readFileSync(path.join(c, 'ca', 'root-ca.pem')));
    const good = loadTargetText(`${MINIMAL}trust: ca.pem
certificates:
  tpp-alpha: { cert: ${c}/clients/tpp-alpha.chain.pem, key: ${c}/clients/tpp-alpha.key.pem }
clients:
  tpp-dpop: { clientId: dpop-client, key: ${c}/keys/tpp-dpop.private.jwk.json }
`, 't.yaml', { baseDir: dir });
    assert.equal(good.trust.length, 1);
    assert.match(good.certificates.get('tpp-alpha')!.summary.subject, /CN=tpp-alpha/);
    assert.equal(good.clients.get('tpp-dpop')!.key!.alg, 'ES256');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function loaded(yaml: string): LoadedTarget {
  return loadTargetText(yaml, 't.yaml', { baseDir: ROOT_DIR, env: ENV });
}

test('capabilities are derived from the file as documented', () => {
  const sorted = (s: Set<string>) => [...s].sort();
  const both = loaded(MINIMAL.replace(/resourceServer:\n  baseUrl: \S+/, 'resourceServer: bundled').replace('mtls', 'both'));
  assert.deepEqual(sorted(capabilitiesOf(both, null)), [...BUNDLED_CAPABILITIES].sort());
  assert.deepEqual(sorted(capabilitiesOf(loaded(MINIMAL), null)), ['dcr', 'idp-checks', 'issuer-key', 'mtls', 'par', 'token-revocation']);
  const rich = loaded(`${MINIMAL.replace('senderConstraint: mtls', 'senderConstraint: dpop').replace('  baseUrl: https://localhost:9543', '  baseUrl: https://localhost:9543\n  strictBaseUrl: https://localhost:9544\n  routes: { fapi: /api, dpop-nonce: /nonce/api, bearer: https://other.example/api }')}capabilities: [revocation]\nunsupported: [dcr]\n`);
  assert.deepEqual(sorted(capabilitiesOf(rich, null)), ['bearer-route', 'dpop', 'dpop-nonce', 'idp-checks', 'issuer-key', 'par', 'revocation', 'strict-tls', 'token-revocation']);
  // Your AS in front of the bundled gateway: its checks are observable, the phantom route is not possible.
  const mixed = loaded('name: x\nauthorizationServer: { discovery: "https://as.example/.well-known/openid-configuration" }\nresourceServer: bundled\nsenderConstraint: both\n');
  const caps = capabilitiesOf(mixed, { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', mtlsTokenEndpoint: 'https://as.example/token', registrationEndpoint: null, jwksUri: 'https://as.example/jwks', jwks: { keys: [] }, source: 'test', parEndpoint: 'https://as.example/par', authorizationEndpoint: 'https://as.example/auth', redirectUri: null });
  assert.ok(caps.has('gateway-checks') && !caps.has('idp-checks') && !caps.has('phantom') && !caps.has('dcr') && !caps.has('mint') && !caps.has('token-revocation') && !caps.has('issuer-key'), sorted(caps).join(' '));
  assert.ok(!caps.has('par'), 'PAR probes need the redirect_uri the clients registered');
  const revoking = capabilitiesOf(mixed, { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', mtlsTokenEndpoint: 'https://as.example/token', registrationEndpoint: null, revocationEndpoint: 'https://as.example/revoke', jwksUri: 'https://as.example/jwks', jwks: { keys: [] }, source: 'test', parEndpoint: 'https://as.example/par', authorizationEndpoint: 'https://as.example/auth', redirectUri: null });
  assert.ok(revoking.has('token-revocation'), 'a revocation endpoint gives token-revocation');
});

test('scenario paths map onto a target\'s routes; the catalogue routes are the bundled gateway\'s', () => {
  assert.deepEqual(catalogueRouteOf('/dpop-nonce/open-banking/v3.1/aisp/accounts'), { id: 'dpop-nonce', rest: '/accounts' });
  assert.deepEqual(catalogueRouteOf('/open-banking/v3.1/aisp/accounts/acc-1/balances'), { id: 'fapi', rest: '/accounts/acc-1/balances' });
  assert.equal(catalogueRouteOf('/somewhere/else'), null);
  const gateway = buildRoutes(loadConfig({}, { NODE_ENV: 'test' })).map((r) => r.prefix).sort();
  assert.deepEqual(Object.values(CATALOGUE_ROUTES).map((r) => r.prefix).sort(), gateway);
});

test('every catalogue scenario declares what its steps imply, and names its clients and certificates', () => {
  const { scenarios } = loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR);
  for (const { scenario, file } of scenarios) {
    const implied = new Set(scenario.steps.filter((st) => !st.onlyWith).flatMap(impliedCapabilities));
    const missing = [...implied].filter((c) => !(scenario.requires as string[]).includes(c));
    assert.deepEqual(missing, [], `${file}: requires: should list ${missing.join(', ')}`);
    const getsTokens = scenario.steps.some((s) => 'token' in s || 'call' in s);
    if (getsTokens) assert.ok(scenario.requires.some((c) => ['mtls', 'dpop', 'bearer-route'].includes(c)), `${file}: requires: should say mtls and / or dpop`);
  }
  const stolen = scenarios.find((s) => s.scenario.id === 'mtls-stolen-token-other-certificate')!.scenario;
  assert.deepEqual(requirementsOf(stolen), { capabilities: ['mtls'], clients: ['tpp-alpha'], certificates: ['tpp-alpha', 'mallory'], resources: [] });
  const rotation = scenarios.find((s) => s.scenario.id === 'certificate-rotation')!.scenario;
  assert.deepEqual(requirementsOf(rotation).certificates, ['tpp-alpha'], 'a minted certificate is not required from the target');
  const audience = scenarios.find((s) => s.scenario.id === 'token-for-another-audience')!.scenario;
  assert.deepEqual(requirementsOf(audience).resources, ['payments-api']);
});

test('an endpoint that is no URL at all is a field error, not an exception (found by the YAML fuzz class)', () => {
  const result = parseTarget('name: x\nauthorizationServer: bundled\nresourceServer: { baseUrl: "https://[zz" }\nsenderConstraint: mtls\n', 'odd.yaml', {});
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.errors.map((e) => `${e.line} ${e.path}`), ['3 resourceServer.baseUrl']);
});
