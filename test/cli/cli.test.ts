// The `fapi-sandbox` command as CI runs it (a child process, the built dist/): run with each
// reporter, JUnit XML that parses and counts right, failure output naming the step, expected and
// actual outcome and the server check with its RFC section, exit codes 0 / 1 / 2, list, --list,
// --bail, certs into another directory, and proof for curl users.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { runCli, cliEnv } from '../helpers/cli.ts';
import { tempDataDir } from '../helpers/paths.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { loadCatalogue } from '../../server/engine/catalogue.ts';

const tmp = tempDataDir('cli');
const env = cliEnv(path.join(tmp.dir, 'data'));
const out = (name: string) => path.join(tmp.dir, name);
const scenariosDir = out('scenarios');
const brokenDir = out('broken');
const CATALOGUE = loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR).scenarios;

const header = (id: string) => `id: ${id}
title: A scenario written by the CLI tests
summary: written into a temporary directory, never into scenarios/
tags: [mtls]
references: [RFC 8705 §3]
teaches: what a failing scenario looks like in CI
gatewayShould: refuse the stolen token
`;
const STOLEN = `actors:
  alpha: { certificate: tpp-alpha, client: tpp-alpha }
  mallory: { certificate: mallory }
steps:
  - name: Alpha gets a token
    token: { actor: alpha, save: alpha_token }
  - name: Mallory replays it and this scenario wrongly expects success
    call: { actor: mallory, path: /open-banking/v3.1/aisp/accounts, token: alpha_token }
    expect: { status: 200 }
`;
const FINE = `actors:
  alpha: { certificate: tpp-alpha, client: tpp-alpha }
steps:
  - name: Alpha gets a token
    token: { actor: alpha }
    expect: { status: 200, tokenType: Bearer }
`;

before(() => {
  mkdirSync(scenariosDir, { recursive: true });
  mkdirSync(brokenDir, { recursive: true });
  writeFileSync(path.join(scenariosDir, 'a-wrong-expectation.yaml'), header('a-wrong-expectation') + STOLEN);
  writeFileSync(path.join(scenariosDir, 'b-fine.yaml'), header('b-fine') + FINE);
  writeFileSync(path.join(brokenDir, 'broken.yaml'), header('broken') + FINE.replace('    token: { actor: alpha }', '    call: { actor: alpha, path: accounts }'));
});
after(() => tmp.remove());

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
type Suite = { tests: string; failures: string; errors: string; skipped: string; testcase: Case | Case[] };
type Case = { name: string; file?: string; failure?: { message: string; type: string; '#text': string }; 'system-out'?: string };
function junit(text: string): { suites: { tests: string; failures: string }; suite: Suite; cases: Case[] } {
  assert.equal(XMLValidator.validate(text), true, 'well-formed XML');
  const doc = xml.parse(text) as { testsuites: { tests: string; failures: string; testsuite: Suite } };
  const suite = doc.testsuites.testsuite;
  return { suites: doc.testsuites, suite, cases: Array.isArray(suite.testcase) ? suite.testcase : [suite.testcase] };
}

test('run --reporter junit --out results.xml (the CI command): exit 0, a valid JUnit file with a passing testcase per scenario', async (ctx) => {
  const r = await runCli(['run', '--reporter', 'junit', '--out', out('results.xml')], env);
  ctx.diagnostic(`the whole catalogue through the CLI: ${r.ms} ms including start-up`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'nothing on stdout: the report is in the file');
  const { suites, suite, cases } = junit(readFileSync(out('results.xml'), 'utf8'));
  const n = String(CATALOGUE.length);
  assert.deepEqual([suites.tests, suites.failures, suite.tests, suite.failures, suite.errors, suite.skipped], [n, '0', n, '0', '0', '0']);
  assert.deepEqual(cases.map((c) => c.name.split(':')[0]).sort(), CATALOGUE.map((s) => s.scenario.id).sort());
  const one = cases.find((c) => c.name.startsWith('mtls-client-credentials:'))!;
  assert.equal(one.file, 'scenarios/mtls-client-credentials.yaml');
  assert.equal(one.failure, undefined);
  assert.match(one['system-out']!, /step 1 \[passed\] .* -> HTTP 200/);
});

test('run <id> <id> --reporter json (stdout) and junit=FILE in folders that do not exist yet: exit 0, only JSON on stdout', async () => {
  const nested = path.join(tmp.dir, 'reports', 'deep', 'two.xml');
  const r = await runCli(['run', 'mtls-client-credentials', 'dpop-client-credentials', '--reporter', 'json', '--reporter', `junit=${nested}`], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(junit(readFileSync(nested, 'utf8')).cases.length, 2);
  const report = JSON.parse(r.stdout) as { tool: string; status: string; counts: Record<string, number>; scenarios: { scenarioId: string; steps: unknown[] }[]; stackStartupMs: number };
  assert.equal(report.tool, 'fapi-sandbox');
  assert.equal(report.status, 'passed');
  assert.deepEqual(report.counts, { passed: 2, failed: 0, error: 0, skipped: 0 });
  assert.deepEqual(report.scenarios.map((s) => s.scenarioId).sort(), ['dpop-client-credentials', 'mtls-client-credentials']);
  assert.ok(report.stackStartupMs > 0);
});

test('a failing scenario: exit 1; pretty names the step, expected and actual, the server check and its RFC section; JUnit has the <failure>', async () => {
  const file = out('failing.xml');
  const r = await runCli(['run', '--scenarios', scenariosDir, '--reporter', 'pretty', '--reporter', `junit=${file}`], env);
  assert.equal(r.code, 1, r.stderr);
  const o = r.stdout;
  assert.match(o, /running 2 scenarios against the bundled stack/);
  assert.match(o, /✓ b-fine/);
  assert.match(o, /✗ a-wrong-expectation/);
  assert.match(o, /step 2: Mallory replays it and this scenario wrongly expects success/);
  assert.match(o, /expected status: 200/);
  assert.match(o, /actual {3}status: 401/);
  assert.match(o, /server check: mtls\.cnf-thumbprint-match failed at the gateway: presented certificate thumbprint/);
  assert.match(o, /RFC 8705 §3 {2}https:\/\/www\.rfc-editor\.org\/rfc\/rfc8705/);
  assert.match(o, /1 passed, 1 failed in /);
  assert.match(o, new RegExp(`junit report written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const { suite, cases } = junit(readFileSync(file, 'utf8'));
  assert.deepEqual([suite.tests, suite.failures, suite.errors], ['2', '1', '0']);
  const failed = cases.find((c) => c.failure)!;
  assert.match(failed.name, /^a-wrong-expectation: /);
  assert.equal(failed.failure!.type, 'mtls.cnf-thumbprint-match');
  assert.match(failed.failure!.message, /step 2 "Mallory replays it.*": expected 200, got 401 invalid_token.*Server check: mtls\.cnf-thumbprint-match failed at the gateway: .* \(RFC 8705 §3, https:/);
  assert.equal(cases.filter((c) => !c.failure).length, 1);
});

test('--bail with --concurrency 1: the scenario after the failure is skipped, exit 1', async () => {
  const r = await runCli(['run', '--scenarios', scenariosDir, '--bail', '--concurrency', '1', '--reporter', 'json'], env);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { counts: Record<string, number>; scenarios: { scenarioId: string; status: string; reason?: string }[] };
  assert.deepEqual(report.counts, { passed: 0, failed: 1, error: 0, skipped: 1 });
  assert.deepEqual(report.scenarios.map((s) => [s.scenarioId, s.status]), [['a-wrong-expectation', 'failed'], ['b-fine', 'skipped']]);
  assert.equal(report.scenarios[1]!.reason, 'not run: --bail after a failure');
});

test('a broken scenario file: exit 2, no stack started, and the message names the file, line, field and what was expected', async () => {
  const r = await runCli(['run', '--scenarios', brokenDir], env);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const file = path.join(brokenDir, 'broken.yaml');
  assert.match(r.stderr, /^fapi-sandbox: scenario files have errors:\n/);
  assert.ok(r.stderr.includes(`  ${file}:12: steps[0].call.path: `), r.stderr);
  assert.match(r.stderr, /steps\[0\]\.call\.path: .*"\/"/);
  const list = await runCli(['list', '--scenarios', brokenDir], env);
  assert.equal(list.code, 2, 'list refuses it the same way');
  assert.ok(list.stderr.includes(`${file}:12:`));
});

test('usage errors exit 2 with a message: a bad setting, unknown reporter, flag, scenario or command, bad --concurrency, --out ambiguity, two stdout reporters, proof without --url, an unwritable report file', async () => {
  const cases: [string[], RegExp, Record<string, string>?][] = [
    [['run', '--reporter', 'tap'], /unknown reporter "tap" \(use pretty, json, junit\)/],
    [['run', 'mtls-client-credentials'], /^fapi-sandbox: FAPI_ACCESS_TOKEN_ALG must be one of PS256, ES256, got "RS256"\n$/, { FAPI_ACCESS_TOKEN_ALG: 'RS256' }],
    [['proof', '--jkt'], /^fapi-sandbox: FAPI_GATEWAY_BINDING must be one of mtls, dpop, either, got "both"\n$/, { FAPI_GATEWAY_BINDING: 'both' }],
    [['run', '--nope'], /Unknown option '--nope'/],
    [['run', 'no-such-scenario'], /no scenario or tag named no-such-scenario/],
    [['run', '--concurrency', '0'], /--concurrency takes an integer 1\.\.64/],
    [['run', '--reporter', 'json', '--reporter', 'junit', '--out', out('x')], /--out needs exactly one json or junit reporter/],
    [['run', '--reporter', 'pretty', '--reporter', 'json'], /only one reporter can write to stdout/],
    [['run', '--scenarios', out('does-not-exist')], /ENOENT/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /usage: fapi-sandbox <command>/],
    [['proof', '--method', 'GET'], /proof needs --url/],
    [['run', '--reporter', 'junit', '--out', path.join(out('a-file.txt'), 'results.xml')], /cannot write the junit report to .*a-file\.txt\/results\.xml: /],
    [['run', '--reporter', `json=${tmp.dir}`], /cannot write the json report to .*: it is a directory/],
  ];
  writeFileSync(out('a-file.txt'), 'not a folder\n');
  const results = await Promise.all(cases.map(([args, , extra]) => runCli(args, { ...env, ...extra })));
  cases.forEach(([args, message], i) => {
    const r = results[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr + r.stdout, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
  });
});

test('list, list <tag>, run --list <tag> and --help: exit 0, no stack started', async () => {
  const [all, dpop, runList, help] = await Promise.all([
    runCli(['list'], env), runCli(['list', 'dpop'], env), runCli(['run', '--list', 'mtls-client-credentials', 'nonce'], env), runCli(['--help'], env),
  ]);
  for (const r of [all, dpop, runList, help]) assert.equal(r.code, 0, r.stderr);
  const ids = (text: string) => text.trim().split('\n').slice(0, -1).map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(ids(all.stdout), CATALOGUE.map((s) => s.scenario.id));
  assert.match(all.stdout, new RegExp(`${CATALOGUE.length} scenarios\\n$`));
  const tagged = CATALOGUE.filter((s) => (s.scenario.tags as string[]).includes('dpop')).map((s) => s.scenario.id);
  assert.deepEqual(ids(dpop.stdout), tagged);
  assert.ok(ids(runList.stdout).includes('mtls-client-credentials') && ids(runList.stdout).includes('dpop-server-nonce'));
  assert.match(help.stdout, /exit codes: 0 all passed, 1 a scenario failed \(check: the target check failed\), 2 usage, setting, scenario-file or target-file error/);
});

test('certs regenerates the PKI into FAPI_CERTS_DIR; proof --jkt and proof --url sign with a key kept there', async () => {
  const certs = out('certs');
  const e = { ...env, FAPI_CERTS_DIR: certs };
  const gen = await runCli(['certs'], e);
  assert.equal(gen.code, 0, gen.stderr);
  assert.ok(existsSync(path.join(certs, 'index.json')));
  const index = JSON.parse(readFileSync(path.join(certs, 'index.json'), 'utf8')) as { certificates: { name: string; thumbprint: string }[] };
  assert.match(gen.stdout, new RegExp(`generated ${index.certificates.length} certificates in ${certs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  for (const c of index.certificates) assert.ok(gen.stdout.includes(c.thumbprint), c.name);

  const jkt = await runCli(['proof', '--jkt'], e);
  assert.equal(jkt.code, 0, jkt.stderr);
  const keyFile = path.join(certs, 'keys', 'cli-dpop.private.jwk.json');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const privateJwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  const { d: _d, alg: _alg, ...publicJwk } = privateJwk;
  assert.equal(jkt.stdout.trim(), await calculateJwkThumbprint(publicJwk));

  const url = 'https://localhost:9443/open-banking/v3.1/aisp/accounts?x=1';
  const proof = await runCli(['proof', '--url', url, '--method', 'post', '--token', 'tok-123', '--nonce', 'n-1'], e);
  assert.equal(proof.code, 0, proof.stderr);
  const jwt = proof.stdout.trim();
  const h = decodeProtectedHeader(jwt);
  assert.equal(h.typ, 'dpop+jwt');
  assert.equal(h.alg, 'ES256');
  assert.equal(await calculateJwkThumbprint(h.jwk!), jkt.stdout.trim(), 'signed by the same kept key');
  const c = decodeJwt(jwt);
  assert.deepEqual([c.htm, c.htu, c.nonce, c.ath], ['POST', 'https://localhost:9443/open-banking/v3.1/aisp/accounts', 'n-1', createHash('sha256').update('tok-123').digest('base64url')]);
  const again = await runCli(['proof', '--jkt'], e);
  assert.equal(again.stdout, jkt.stdout, 'the key is kept between calls');
});
