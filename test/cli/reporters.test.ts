// The three reporters in-process, over one run result holding every outcome (passed, failed with and
// without a server check, engine error, skipped) and hostile text: JUnit stays well-formed with the
// right counts and elements, pretty names what failed, JSON is the result itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { junitReport, xmlEscape } from '../../server/cli/reporters/junit.ts';
import { prettySummary, prettyProgress } from '../../server/cli/reporters/pretty.ts';
import { jsonReport } from '../../server/cli/reporters/json.ts';
import { planReporters } from '../../server/cli/run.ts';
import { UsageError } from '../../server/cli/usage.ts';
import type { RunResult, ScenarioResult, StepResult } from '../../server/engine/runner.ts';

const step = (index: number, status: StepResult['status'], extra: Partial<StepResult> = {}): StepResult => ({
  index, name: `step <${index}> & "quoted"`, kind: 'call', status, durationMs: 5, expectations: [], failedCheck: null, error: null, httpStatus: 200, ...extra,
});
const scenario = (id: string, status: ScenarioResult['status'], extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
  scenarioRunId: `r-${id}`, scenarioId: id, title: `Title of ${id} <b>\u0001`, file: `scenarios/${id}.yaml`, status, durationMs: 1234, steps: [step(0, 'passed')], failure: null, ...extra,
});
const check = { id: 'mtls.cnf-thumbprint-match' as const, title: 'cnf thumbprint', spec: 'RFC 8705 §3', specUrl: 'https://www.rfc-editor.org/rfc/rfc8705#section-3', reason: 'thumbprint "a" <> "b"', source: 'gateway' as const };
const RESULT: RunResult = {
  runId: 'run_1', target: 'bundled', status: 'error', durationMs: 2500, counts: { passed: 1, failed: 2, error: 1, skipped: 1 },
  scenarios: [
    scenario('ok', 'passed'),
    scenario('stolen', 'failed', {
      steps: [step(0, 'passed'), step(1, 'failed', { httpStatus: 401, failedCheck: check })],
      failure: { step: 1, stepName: 'Mallory replays', message: 'expected status 200, got 401', expectation: { path: 'status', expected: 200, actual: 401, pass: false }, failedCheck: check, explanation: 'the binding was enforced where the scenario expected success' },
    }),
    scenario('not-blocked', 'failed', {
      steps: [step(0, 'failed', { httpStatus: 200 })],
      failure: { step: 0, stepName: 'Attack', message: 'expected status 401, got 200', expectation: { path: 'status', expected: 401, actual: 200, pass: false }, failedCheck: null, explanation: 'the gateway let the attack through' },
    }),
    scenario('broken', 'error', {
      steps: [step(0, 'error', { httpStatus: null, error: { code: 'unknown-actor', message: 'actor "carol" is not declared' } })],
      failure: { step: 0, stepName: 'x', message: 'unknown-actor: actor "carol" is not declared', expectation: null, failedCheck: null, explanation: 'Title of broken: step 1 "x" could not run: unknown-actor: actor "carol" is not declared' },
    }),
    scenario('skipped', 'skipped', { steps: [], reason: 'the target lacks mint' }),
  ],
};

test('JUnit: well-formed despite <, &, quotes and control characters; counts; a testcase per scenario with failure / error / skipped', () => {
  const xml = junitReport(RESULT);
  assert.equal(XMLValidator.validate(xml), true);
  assert.doesNotMatch(xml, /\u0001/);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: Record<string, string> & { testsuite: Record<string, string> & { testcase: Record<string, unknown>[] } } };
  const suite = doc.testsuites.testsuite;
  assert.deepEqual([suite.tests, suite.failures, suite.errors, suite.skipped, suite.time], ['5', '2', '1', '1', '2.500']);
  const cases = suite.testcase;
  assert.deepEqual(cases.map((c) => c.name), RESULT.scenarios.map((s) => `${s.scenarioId}: Title of ${s.scenarioId} <b>`));
  assert.deepEqual(cases.map((c) => Object.keys(c).filter((k) => ['failure', 'error', 'skipped'].includes(k))), [[], ['failure'], ['failure'], ['error'], ['skipped']]);
  const stolen = cases[1]!.failure as Record<string, string>;
  assert.equal(stolen.type, 'mtls.cnf-thumbprint-match');
  assert.equal(stolen.message, 'the binding was enforced where the scenario expected success Server check: mtls.cnf-thumbprint-match failed at the gateway: thumbprint "a" <> "b" (RFC 8705 §3, https://www.rfc-editor.org/rfc/rfc8705#section-3).');
  assert.equal((cases[2]!.failure as Record<string, string>).type, 'expectation');
  assert.equal((cases[3]!.error as Record<string, string>).type, 'engine-error');
  assert.match((cases[3]!.error as Record<string, string>).message, /unknown-actor: actor "carol" is not declared/);
  assert.equal((cases[4]!.skipped as Record<string, string>).message, 'the target lacks mint');
  assert.equal(cases[0]!.time, '1.234');
  assert.equal(cases[0]!.file, 'scenarios/ok.yaml');
  assert.equal(xmlEscape('a<b>&"\'\u0000\u001f\t'), 'a&lt;b&gt;&amp;&quot;&apos;\t');
});

test('pretty: a failure shows the step, expected and actual, and the server check with its RFC section; an unblocked attack says so', () => {
  const text = prettySummary(RESULT, 400);
  assert.match(text, /✗ stolen Title of stolen/);
  assert.match(text, /step 2: Mallory replays\n {4}the binding was enforced where the scenario expected success\n {4}expected status: 200\n {4}actual {3}status: 401/);
  assert.match(text, /server check: mtls\.cnf-thumbprint-match failed at the gateway: thumbprint "a" <> "b"\n {4}RFC 8705 §3 {2}https:\/\/www\.rfc-editor\.org\/rfc\/rfc8705#section-3/);
  assert.match(text, /✗ not-blocked[\s\S]*the server failed no check for this request: the attack was not blocked/);
  assert.match(text, /✗ broken[\s\S]*unknown-actor: actor "carol" is not declared/);
  assert.match(text, /1 passed, 2 failed, 1 errored, 1 skipped in 2\.50 s \(\+ stack start 400 ms\)/);
  const lines: string[] = [];
  const progress = prettyProgress((l) => lines.push(l));
  progress({ runId: 'r', seq: 0, at: '', scenarioRunId: null, stepId: null, type: 'scenario.finished', scenarioId: 'stolen', status: 'failed', durationMs: 12, reason: 'expected status 200, got 401' });
  progress({ runId: 'r', seq: 1, at: '', scenarioRunId: null, stepId: null, type: 'step.finished', index: 0, status: 'passed', durationMs: 1 });
  assert.deepEqual(lines, ['  ✗ stolen 12 ms  expected status 200, got 401']);
});

test('json: the run result itself, plus the tool name and the stack start-up time', () => {
  const parsed = JSON.parse(jsonReport(RESULT, 400)) as Record<string, unknown>;
  assert.equal(parsed.tool, 'fapi-sandbox');
  assert.equal(parsed.stackStartupMs, 400);
  const { tool: _t, stackStartupMs: _s, ...rest } = parsed;
  assert.deepEqual(rest, JSON.parse(JSON.stringify(RESULT)));
});

test('planReporters: pretty by default, FILE per reporter, --out for the one file-less json/junit, one stdout reporter at most', () => {
  assert.deepEqual(planReporters([], undefined), [{ name: 'pretty', file: null }]);
  assert.deepEqual(planReporters(['pretty', 'junit=r.xml', 'json=r.json'], undefined), [{ name: 'pretty', file: null }, { name: 'junit', file: 'r.xml' }, { name: 'json', file: 'r.json' }]);
  assert.deepEqual(planReporters(['junit'], 'out.xml'), [{ name: 'junit', file: 'out.xml' }]);
  assert.deepEqual(planReporters(['pretty', 'junit'], 'out.xml'), [{ name: 'pretty', file: null }, { name: 'junit', file: 'out.xml' }]);
  assert.deepEqual(planReporters(['json'], undefined), [{ name: 'json', file: null }]);
  for (const [specs, outFile] of [[['tap'], undefined], [['pretty'], 'x'], [['json', 'junit'], 'x'], [['pretty', 'json'], undefined], [['json', 'junit'], undefined]] as const) {
    assert.throws(() => planReporters([...specs], outFile), UsageError, `${specs.join(',')} --out ${outFile}`);
  }
});
