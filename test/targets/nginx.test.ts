// The proof against a gateway no one here wrote: Debian's nginx as an external gateway in front of the
// bundled OB API, tokens from the bundled IdP, driven through the example target files exactly as the
// CLI does (openTargetFile starts the bundled stack on the ports the nginx config points at).
//   ssl-verify-only.conf (only ssl_verify_client on): the stolen-token replay with another valid
//     certificate must be reported FAILED, with a message a gateway engineer understands;
//   cnf-binding.conf (+ njs comparing cnf.x5t#S256 with the certificate): the same scenario PASSES.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { loadPki } from '../../server/pki/load.ts';
import { loadCatalogue, select } from '../../server/engine/catalogue.ts';
import { runScenarios, type RunResult, type ScenarioResult } from '../../server/engine/runner.ts';
import { openTargetFile, type OpenTarget } from '../../server/targets/open.ts';
import { prettySummary } from '../../server/cli/reporters/pretty.ts';
import { junitReport } from '../../server/cli/reporters/junit.ts';
import { freePort, nginxBinary, njsModule, startNginx, type RunningNginx } from '../helpers/nginx.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';

const SCENARIOS = [
  'mtls-client-credentials',
  'mtls-stolen-token-other-certificate',
  'mtls-stolen-token-no-certificate',
  'mtls-expired-certificate',
  'mtls-revoked-certificate',
  'forged-token-alg-none',
  'dpop-client-credentials',
];

const missing = !nginxBinary() ? 'nginx is not installed' : !njsModule() ? 'the njs module (libnginx-mod-http-js) is not installed' : null;
if (missing) {
  const message = `\n!!! ${missing}: the external-gateway proof (test/targets/nginx.test.ts) cannot run. Install it: apt-get install nginx libnginx-mod-http-js (.ci/run does).\n`;
  if (process.env.CI) throw new Error(message);
  console.error(message);
}

interface Harness {
  nginx: RunningNginx;
  opened: OpenTarget;
  result: RunResult;
  cleanup(): Promise<void>;
}

/** nginx from an example config, the example target file rendered with the same ports, and a run. */
async function runAgainst(example: 'ssl-verify-only' | 'cnf-binding'): Promise<Harness> {
  const certs = certsDir();
  const key = `external-gateway-key-${Math.random().toString(36).slice(2)}-0123456789`;
  const [idpPort, apiPort] = [await freePort(), await freePort()];
  const pki = await loadPki(certs);
  const jwks = { keys: pki.idpJwks.keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub) };
  const nginx = await startNginx({ example, apiPort, gatewayKey: key, certsDir: certs, issuer: `https://localhost:${idpPort}`, jwks });
  const dir = mkdtempSync(path.join(os.tmpdir(), `fapi-target-${example}-`));
  const data = tempDataDir(`target-${example}`);
  let opened: OpenTarget | null = null;
  try {
    let yaml = readFileSync(path.join(ROOT_DIR, 'examples', 'targets', `nginx-${example}.yaml`), 'utf8');
    const rewrite = (pattern: RegExp, value: string) => {
      assert.match(yaml, pattern, `examples/targets/nginx-${example}.yaml: ${pattern} not found`);
      yaml = yaml.replace(pattern, value);
    };
    rewrite(/baseUrl: https:\/\/localhost:9543/, `baseUrl: ${nginx.url}`);
    rewrite(/ports: \{ idp: 8443, idpMtls: 8444, api: 9080 \}/, `ports: { idp: ${idpPort}, api: ${apiPort} }`);
    rewrite(/\.\.\/\.\.\/certs\//g, `${certs}/`);
    const file = path.join(dir, 'target.yaml');
    writeFileSync(file, yaml);
    opened = await openTargetFile(file, { env: { FAPI_EXTERNAL_GATEWAY_KEY: key }, stack: { dataDir: data.dir, certsDir: certs } });
    const { selected } = select(loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR).scenarios, SCENARIOS);
    assert.equal(selected.length, SCENARIOS.length);
    const result = await runScenarios({ scenarios: selected, target: opened.target, trigger: 'test', prisma: opened.stack!.db.prisma, concurrency: 2 });
    const o = opened;
    return {
      nginx, opened: o, result,
      async cleanup() {
        await o.stop();
        await nginx.stop();
        data.remove();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await opened?.stop();
    await nginx.stop();
    data.remove();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\nnginx output:\n${nginx.output()}`, { cause: err });
  }
}

const byId = (r: RunResult, id: string): ScenarioResult => r.scenarios.find((s) => s.scenarioId === id)!;
const statuses = (r: RunResult) => Object.fromEntries(r.scenarios.map((s) => [s.scenarioId, s.status]));

describe('nginx with only ssl_verify_client on', { skip: missing ?? false }, () => {
  let h: Harness;
  before(async () => {
    h = await runAgainst('ssl-verify-only');
  });
  after(() => h?.cleanup());

  test('the target runs with tokens from the bundled IdP, the gateway unobservable', () => {
    assert.equal(h.opened.target.name, 'nginx-ssl-verify-only');
    assert.ok(h.opened.target.capabilities.has('idp-checks'));
    assert.ok(!h.opened.target.capabilities.has('gateway-checks'));
    assert.equal(byId(h.result, 'mtls-client-credentials').status, 'passed', JSON.stringify(byId(h.result, 'mtls-client-credentials').failure));
  });

  test('the stolen-token replay with another valid certificate is FAILED: the binding is not enforced', () => {
    const s = byId(h.result, 'mtls-stolen-token-other-certificate');
    assert.equal(s.status, 'failed', JSON.stringify(statuses(h.result)));
    assert.equal(s.failure?.step, 1);
    assert.equal(s.steps[1]!.httpStatus, 200);
    const text = s.failure!.explanation;
    assert.match(text, /expected 401 invalid_token \(RFC 8705 §3: cnf\.x5t#S256 equals the presented certificate's SHA-256 thumbprint\), got 200/);
    assert.match(text, /The gateway let the attack through: it does not check that cnf\.x5t#S256 equals the presented certificate's SHA-256 thumbprint/);
    assert.match(text, /Fix: Hash the DER of the certificate from the TLS layer/);
    // The gateway-internal checks the scenario names are reported as not observable, not as passed.
    const hidden = s.steps[1]!.expectations.filter((e) => e.unobservable).map((e) => e.path);
    assert.deepEqual(hidden.sort(), ['check mtls.cnf-thumbprint-match', 'check tls.client-cert-chain', 'check token.signature']);
    assert.match(prettySummary(h.result, null), /The gateway let the attack through/);
    assert.match(prettySummary(h.result, null), /not observable on target nginx-ssl-verify-only/);
    assert.match(junitReport(h.result), /failure message="Stolen certificate-bound token replayed with another valid certificate: step 2 /);
    assert.match(junitReport(h.result), /not observable on this target: tls\.client-cert-chain, token\.signature, mtls\.cnf-thumbprint-match/);
  });

  test('a missing or expired certificate is refused, but with nginx\'s 400 page instead of an RFC 6750 401', () => {
    for (const id of ['mtls-stolen-token-no-certificate', 'mtls-expired-certificate']) {
      const s = byId(h.result, id);
      assert.equal(s.status, 'failed', id);
      assert.match(s.failure!.explanation, /got 400 "400 (No required SSL certificate was sent|The SSL certificate error)"\. The request was refused, but not the way the RFC asks/, id);
    }
  });

  test('forged tokens are still refused: the upstream validates the token signature', () => {
    assert.equal(byId(h.result, 'forged-token-alg-none').status, 'passed', JSON.stringify(byId(h.result, 'forged-token-alg-none').failure));
  });

  test('scenarios the target cannot run are skipped, naming what it lacks', () => {
    assert.equal(byId(h.result, 'dpop-client-credentials').status, 'skipped');
    assert.equal(byId(h.result, 'dpop-client-credentials').reason, 'the target lacks dpop');
    assert.equal(byId(h.result, 'mtls-revoked-certificate').reason, 'the target lacks revocation');
  });
});

describe('nginx with njs checking cnf.x5t#S256 against the client certificate', { skip: missing ?? false }, () => {
  let h: Harness;
  before(async () => {
    h = await runAgainst('cnf-binding');
  });
  after(() => h?.cleanup());

  test('the stolen-token replay with another valid certificate PASSES: refused with 401 invalid_token', () => {
    const s = byId(h.result, 'mtls-stolen-token-other-certificate');
    assert.equal(s.status, 'passed', JSON.stringify(s.failure));
    assert.equal(s.steps[1]!.httpStatus, 401);
    assert.equal(s.steps[2]!.httpStatus, 200, 'the same token still works for its owner');
  });

  test('every mTLS scenario of the subset passes, revoked certificates included; DPoP is skipped', () => {
    assert.deepEqual(statuses(h.result), {
      'mtls-client-credentials': 'passed',
      'mtls-stolen-token-other-certificate': 'passed',
      'mtls-stolen-token-no-certificate': 'passed',
      'mtls-expired-certificate': 'passed',
      'mtls-revoked-certificate': 'passed',
      'forged-token-alg-none': 'passed',
      'dpop-client-credentials': 'skipped',
    }, JSON.stringify(h.result.scenarios.filter((s) => s.failure).map((s) => s.failure!.explanation)));
  });
});
