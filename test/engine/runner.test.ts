// The scenario engine against one bundled stack, in-process: the whole catalogue passes, runs are
// deterministic and independent of concurrency, the stored trace equals the live stream, a wrong
// expectation fails with the step, expected vs actual and the server check (with its RFC section),
// engine errors carry codes, --bail and capabilities skip, and an external target's checks are
// reported as not observable.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { loadCatalogue, type LoadedScenario } from '../../server/engine/catalogue.ts';
import { runScenarios, type RunResult, type ScenarioResult } from '../../server/engine/runner.ts';
import { bundledTarget, type Target } from '../../server/engine/target.ts';
import type { TraceEvent, TraceEventOf } from '../../lib/trace/events.ts';
import { formatScenarioError } from '../../lib/scenario/parse.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { tempDataDir } from '../helpers/paths.ts';
import { HEADER } from './fixtures.ts';

let t: TestStack;
let catalogue: LoadedScenario[];
const dir = tempDataDir('engine-scenarios');
before(async () => {
  t = await startTestStack('engine');
  const c = loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR);
  assert.deepEqual(c.errors, []);
  catalogue = c.scenarios;
});
after(async () => {
  await t.stop();
  dir.remove();
});

const run = (scenarios: LoadedScenario[], extra: Partial<Parameters<typeof runScenarios>[0]> = {}) =>
  runScenarios({ scenarios, target: bundledTarget(t.stack), trigger: 'test', prisma: t.stack.db.prisma, ...extra });

/** Scenarios written into a temporary directory (never into scenarios/), loaded like the CLI does. */
function scenarios(files: Record<string, string>): LoadedScenario[] {
  for (const [id, body] of Object.entries(files)) writeFileSync(path.join(dir.dir, `${id}.yaml`), HEADER.replace('id: unit', `id: ${id}`) + body);
  const c = loadCatalogue(Object.keys(files).map((id) => path.join(dir.dir, `${id}.yaml`)));
  assert.deepEqual(c.errors.map(formatScenarioError), []);
  return c.scenarios;
}

/** What must not change between runs: per scenario and step, the status, HTTP status, failed check and each expectation's verdict. */
function outcomes(result: RunResult): Record<string, string[]> {
  return Object.fromEntries(result.scenarios.map((s) => [s.scenarioId, [s.status, ...s.steps.map((st) =>
    `${st.index} ${st.status} ${st.httpStatus ?? '-'} ${st.failedCheck?.id ?? '-'} ${st.expectations.map((e) => `${e.path}=${e.pass}`).join(',')}`)]]));
}

let first: RunResult;
let live: TraceEvent[] = [];

test('the whole catalogue passes in-process against one stack (concurrency 8)', async (ctx) => {
  const t0 = performance.now();
  first = await run(catalogue, { concurrency: 8, onEvent: (e) => live.push(e) });
  const bad = first.scenarios.filter((s) => s.status !== 'passed').map((s) => `${s.scenarioId}: ${s.reason}`);
  assert.deepEqual(bad, []);
  assert.equal(first.counts.passed, catalogue.length);
  assert.equal(first.status, 'passed');
  ctx.diagnostic(`${catalogue.length} scenarios in ${Math.round(performance.now() - t0)} ms (concurrency 8)`);
});

test('the trace stored in SQLite is the live stream, event for event; run, scenario and step rows agree', async () => {
  const prisma = t.stack.db.prisma;
  const rows = await prisma.event.findMany({ where: { runId: first.runId }, orderBy: { seq: 'asc' } });
  assert.equal(rows.length, live.length);
  assert.deepEqual(rows.map((r) => r.seq), live.map((_, i) => i), 'seq is gapless from 0');
  // Stored as JSON: the live events compare after the same round trip (undefined members drop out).
  const stored = rows.map((r) => JSON.parse(r.payload) as TraceEvent);
  const expected = JSON.parse(JSON.stringify(live)) as TraceEvent[];
  const firstDiff = stored.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(expected[i]));
  assert.equal(firstDiff, -1, `stored event ${firstDiff} differs from the live one`);
  assert.deepEqual(stored, expected);
  assert.deepEqual(live.map((e) => e.type).filter((x) => x.startsWith('run.')), ['run.started', 'run.finished']);
  assert.equal(live.filter((e) => e.type === 'scenario.finished').length, catalogue.length);
  const runRow = await prisma.run.findUniqueOrThrow({ where: { id: first.runId }, include: { scenarios: { include: { steps: true } } } });
  assert.equal(runRow.status, 'passed');
  assert.equal(runRow.trigger, 'test');
  assert.deepEqual(runRow.scenarios.map((s) => s.status), catalogue.map(() => 'passed'));
  assert.equal(runRow.scenarios.flatMap((s) => s.steps).length, first.scenarios.reduce((n, s) => n + s.steps.length, 0));
  for (const s of first.scenarios) {
    const events = live.filter((e) => e.scenarioRunId === s.scenarioRunId);
    assert.equal(events[0]!.type, 'scenario.started', s.scenarioId);
    assert.equal(events.at(-1)!.type, 'scenario.finished', s.scenarioId);
    assert.equal(events.filter((e) => e.type === 'step.finished').length, s.steps.length, s.scenarioId);
  }
});

test('runs are deterministic and concurrency-independent: the catalogue at concurrency 1 gives the same outcomes per scenario and step', async (ctx) => {
  const t0 = performance.now();
  const second = await run(catalogue, { concurrency: 1 });
  ctx.diagnostic(`${catalogue.length} scenarios in ${Math.round(performance.now() - t0)} ms (concurrency 1)`);
  assert.notEqual(second.runId, first.runId);
  assert.deepEqual(outcomes(second), outcomes(first));
});

const STOLEN = `actors:
  alpha: { certificate: tpp-alpha, client: tpp-alpha }
  mallory: { certificate: mallory }
steps:
  - name: Alpha gets a token
    token: { actor: alpha, save: alpha_token }
  - name: Mallory replays it, and this scenario wrongly expects success
    call: { actor: mallory, path: /open-banking/v3.1/aisp/accounts, token: alpha_token }
    expect: { status: 200 }
  - name: never reached
    call: { actor: alpha, path: /open-banking/v3.1/aisp/accounts, token: alpha_token }
`;

test('a wrong expectation fails the scenario at its step, with expected vs actual and the server check that decided, with its RFC section', async () => {
  const finished: TraceEvent[] = [];
  const result = await run(scenarios({ 'wrong-expectation': STOLEN }), { onEvent: (e) => e.type === 'scenario.finished' && finished.push(e) });
  assert.equal(result.status, 'failed');
  const s = result.scenarios[0]!;
  assert.equal(s.status, 'failed');
  assert.ok(s.file?.endsWith('wrong-expectation.yaml'));
  assert.deepEqual(s.steps.map((st) => st.status), ['passed', 'failed', 'skipped']);
  const f = s.failure!;
  assert.equal(f.step, 1);
  assert.equal(f.stepName, 'Mallory replays it, and this scenario wrongly expects success');
  assert.deepEqual({ path: f.expectation!.path, expected: f.expectation!.expected, actual: f.expectation!.actual }, { path: 'status', expected: 200, actual: 401 });
  assert.equal(f.message, 'expected status 200, got 401');
  assert.deepEqual({ id: f.failedCheck!.id, spec: f.failedCheck!.spec, source: f.failedCheck!.source }, { id: 'mtls.cnf-thumbprint-match', spec: 'RFC 8705 §3', source: 'gateway' });
  assert.match(f.failedCheck!.specUrl, /rfc8705/);
  assert.match(f.failedCheck!.reason, /does not equal cnf\.x5t#S256/);
  assert.equal(s.reason, f.message);
  // The trace carries the explanation too (the run view shows it live).
  assert.equal(finished.length, 1);
  assert.equal((finished[0] as TraceEventOf<'scenario.finished'>).explanation, f.explanation);
  assert.match(f.explanation, /step 2 "Mallory replays it/);
});

test('a wrong check expectation reports what the server actually decided (or "not run")', async () => {
  const result = await run(scenarios({
    'wrong-check': STOLEN.replace('expect: { status: 200 }', 'expect: { status: 401, checks: { mtls.cnf-thumbprint-match: pass } }'),
    'check-not-run': STOLEN.replace('expect: { status: 200 }', 'expect: { status: 401, checks: { dpop.ath: fail } }'),
  }));
  const [wrong, notRun] = result.scenarios as [ScenarioResult, ScenarioResult];
  assert.deepEqual([wrong.failure!.expectation!.path, wrong.failure!.expectation!.actual], ['check mtls.cnf-thumbprint-match', 'fail']);
  assert.deepEqual([notRun.failure!.expectation!.path, notRun.failure!.expectation!.actual], ['check dpop.ath', 'not run']);
});

test('engine errors carry stable codes and end the scenario as "error" at the step that raised them', async () => {
  const step = (s: string, actors = '  alpha: { certificate: tpp-alpha, client: tpp-alpha }\n  app: { client: tpp-app }\n') => `actors:\n${actors}steps:\n${s}`;
  const cases: Record<string, [string, string]> = {
    'err-unknown-actor': ['unknown-actor', step('  - name: x\n    token: { actor: carol }\n')],
    'err-template': ['template', step('  - name: x\n    call: { actor: alpha, path: "/x/{{nothing}}" }\n')],
    'err-unknown-variable': ['unknown-variable', step('  - name: x\n    call: { actor: alpha, path: /x, token: never_saved }\n')],
    'err-unknown-key': ['unknown-key', step('  - name: x\n    call: { actor: alpha, path: /x, dpop: true }\n')],
    'err-no-client': ['no-client', step('  - name: x\n    token: { actor: nobody }\n', '  nobody: { }\n')],
    'err-unknown-certificate': ['unknown-certificate', step('  - name: x\n    mint: { name: c, subjectOf: no-such-cert, flaw: self-signed }\n')],
    'err-no-client-key': ['no-client-key', step('  - name: x\n    token: { actor: app }\n')],
    'err-forgery': ['forgery', step('  - name: opaque\n    token: { actor: alpha, resource: "urn:fapi-sandbox:ob-api-opaque", save: o }\n  - name: x\n    call: { actor: alpha, path: /x, token: { forge: alg-none, from: o } }\n')],
  };
  const result = await run(scenarios(Object.fromEntries(Object.entries(cases).map(([id, [, body]]) => [id, body]))));
  for (const s of result.scenarios) {
    const [code] = cases[s.scenarioId]!;
    assert.equal(s.status, 'error', s.scenarioId);
    const failed = s.steps.find((st) => st.status === 'error')!;
    assert.equal(failed.error?.code, code, `${s.scenarioId}: ${failed.error?.message}`);
    assert.ok(s.failure!.message.startsWith(`${code}: `), s.failure!.message);
  }
  assert.equal(result.status, 'error');
});

test('a target without a capability skips the scenarios that need it; one without the feature raises "unsupported"', async () => {
  const base = bundledTarget(t.stack);
  const limited: Target = { ...base, name: 'limited', mint: null, capabilities: new Set([...base.capabilities].filter((c) => c !== 'mint')) };
  const rotation = catalogue.filter((s) => s.scenario.id === 'certificate-rotation');
  const skipped = await runScenarios({ scenarios: rotation, target: limited, trigger: 'test' });
  assert.equal(skipped.scenarios[0]!.status, 'skipped');
  assert.match(skipped.scenarios[0]!.reason!, /the target lacks mint/);
  assert.equal(skipped.status, 'passed', 'skipped is not a failure');
  // A sandbox certificate the target does not map is a skip (a name the sandbox does not have is a scenario-file error: test/hardening/strict-inputs).
  const noBeta: Target = { ...limited, certificate: (name) => (name === 'tpp-beta' ? null : limited.certificate(name)) };
  const ghost = scenarios({ 'names-unmapped': 'actors:\n  g: { certificate: tpp-beta, client: tpp-alpha }\nsteps:\n  - name: x\n    token: { actor: g }\n' });
  const unknownCert = await runScenarios({ scenarios: ghost, target: noBeta, trigger: 'test' });
  assert.equal(unknownCert.scenarios[0]!.status, 'skipped');
  assert.match(unknownCert.scenarios[0]!.reason!, /certificate tpp-beta/);
  // A self-signed mint needs no CA key, so no capability gates it; a target that cannot mint at all says so at the step.
  const mint = scenarios({ 'needs-mint': 'actors:\n  a: { }\nsteps:\n  - name: x\n    mint: { name: c, subject: "CN=c", flaw: self-signed }\n' });
  const unsupported = await runScenarios({ scenarios: mint, target: limited, trigger: 'test' });
  assert.equal(unsupported.scenarios[0]!.steps[0]!.error?.code, 'unsupported');
});

test('a step with onlyWith is skipped, not the scenario, on a target without what it needs; the rest still runs and judges', async () => {
  const base = bundledTarget(t.stack);
  const noKey: Target = { ...base, name: 'no-issuer-key', signAccessToken: null, capabilities: new Set([...base.capabilities].filter((c) => c !== 'issuer-key')) };
  const expired = catalogue.filter((s) => s.scenario.id === 'mtls-expired-certificate');
  const events: TraceEvent[] = [];
  const result = await runScenarios({ scenarios: expired, target: noKey, trigger: 'test', onEvent: (e) => events.push(e) });
  const steps = result.scenarios[0]!.steps;
  assert.equal(result.scenarios[0]!.status, 'passed');
  assert.deepEqual(steps.map((st) => st.status), ['passed', 'passed', 'passed', 'skipped']);
  const finished = events.filter((e) => e.type === 'step.finished').at(-1);
  assert.ok(finished?.type === 'step.finished' && finished.reason === 'the target lacks issuer-key', JSON.stringify(finished));
  const full = await runScenarios({ scenarios: expired, target: base, trigger: 'test' });
  assert.deepEqual(full.scenarios[0]!.steps.map((st) => st.status), ['passed', 'passed', 'passed', 'passed']);
});

test('bail: after the first failure, scenarios not yet started are skipped (and still reported as finished)', async () => {
  const two = scenarios({ 'bail-1': STOLEN, 'bail-2': STOLEN });
  const events: TraceEvent[] = [];
  const result = await run(two, { concurrency: 1, bail: true, onEvent: (e) => events.push(e) });
  assert.deepEqual(result.scenarios.map((s) => s.status), ['failed', 'skipped']);
  assert.equal(result.scenarios[1]!.reason, 'not run: --bail after a failure');
  assert.deepEqual(result.counts, { passed: 0, failed: 1, error: 0, skipped: 1 });
  const finished = events.filter((e) => e.type === 'scenario.finished');
  assert.deepEqual(finished.map((e) => e.type === 'scenario.finished' && [e.scenarioId, e.status]), [['bail-1', 'failed'], ['bail-2', 'skipped']]);
});

test('against a target that hides its decisions (an external gateway), check expectations are "not observable" and the rest still judges', async () => {
  const external: Target = { ...bundledTarget(t.stack), name: 'external', decisions: null };
  const stolen = catalogue.filter((s) => s.scenario.id === 'mtls-stolen-token-other-certificate');
  const result = await runScenarios({ scenarios: stolen, target: external, trigger: 'test' });
  assert.equal(result.status, 'passed');
  const checks = result.scenarios[0]!.steps[1]!.expectations.filter((e) => e.path.startsWith('check '));
  assert.equal(checks.length, 3);
  assert.ok(checks.every((e) => e.unobservable && e.pass && e.actual === 'not observable'));
  assert.equal(result.scenarios[0]!.steps[1]!.failedCheck, null);
});
