// Mutation testing of the catalogue, a representative subset within `npm test`'s budget (`npm run mutants`
// runs them all, a step of .ci/run): the bundled gateway with one check disabled, judged from outside,
// fails the scenario written for that check on what a client observes, and the intact gateway fails
// none. Also: docs/mutants.json covers every mutant and agrees with NOT_OBSERVABLE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MUTANT_IDS, NOT_OBSERVABLE } from '../../lib/checks/mutants.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { catalogueScenarios, observableEvidence, runAgainstMutant } from '../../server/mutants/run.ts';
import type { MutantReport } from '../../server/mutants/main.ts';
import { certsDir } from '../helpers/paths.ts';

const SUBSET = ['mtls-untrusted-ca', 'dpop-forged-proof-signature', 'token-expired-or-foreign-issuer'];
const scenarios = catalogueScenarios().filter((s) => SUBSET.includes(s.scenario.id));

const killers = async (disabled: string[]) => {
  const verdict = await runAgainstMutant({ disabled, scenarios, certsDir: certsDir() });
  assert.deepEqual(verdict.other, [], 'no scenario fails for another reason (an engine error)');
  return verdict.failed;
};

test('the intact gateway passes the subset judged from outside; each mutant is killed by the scenario written for it, on observable evidence', async () => {
  assert.equal(scenarios.length, SUBSET.length);
  assert.deepEqual(await killers([]), []);
  const cases: [string, string, RegExp][] = [
    ['tls.client-cert-chain', 'mtls-untrusted-ca', /^status: expected 401, got 200/],
    ['dpop.signature', 'dpop-forged-proof-signature', /^status: expected 401, got 200/],
    ['token.claims:exp-absent', 'token-expired-or-foreign-issuer', /^status: expected 401, got 200/],
  ];
  for (const [mutant, scenario, evidence] of cases) {
    const failed = await killers([mutant]);
    assert.deepEqual(failed.map((k) => k.scenario), [scenario], mutant);
    assert.match(failed[0]!.evidence, evidence, mutant);
  }
});

test('only what a client sees is evidence: check outcomes, unobservable results and our own error_description wording are not', () => {
  const base = { expected: 1, actual: 2, pass: false };
  assert.equal(observableEvidence({ ...base, path: 'status' }), true);
  assert.equal(observableEvidence({ ...base, path: 'www-authenticate' }), true);
  assert.equal(observableEvidence({ ...base, path: 'alert' }), true);
  assert.equal(observableEvidence({ ...base, path: 'check tls.client-cert-chain' }), false);
  assert.equal(observableEvidence({ ...base, path: 'error_description' }), false);
  assert.equal(observableEvidence({ ...base, path: 'status', unobservable: true }), false);
});

test('docs/mutants.json lists every mutant; observable ones are killed, the others carry NOT_OBSERVABLE\'s reason', () => {
  const report = JSON.parse(readFileSync(path.join(ROOT_DIR, 'docs', 'mutants.json'), 'utf8')) as MutantReport;
  assert.ok(!Number.isNaN(Date.parse(report.generatedAt)));
  assert.deepEqual(report.checks.map((c) => c.id), [...MUTANT_IDS], 'stale: run npm run mutants');
  for (const c of report.checks) {
    assert.equal(c.observable, NOT_OBSERVABLE[c.id] === undefined, c.id);
    if (c.observable) assert.ok(c.killedBy.length > 0, `${c.id} survives: run npm run mutants`);
    else assert.equal(c.reason, NOT_OBSERVABLE[c.id]);
  }
});
