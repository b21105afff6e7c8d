// The consent scenarios of the catalogue (tag consent) against the bundled stack through the engine:
// they pass, the trace shows the browser steps (pages, form posts, the authorization response) and
// the server's decisions, and a target without the consent-journey capability skips them.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { loadCatalogue, select } from '../../server/engine/catalogue.ts';
import { runScenarios } from '../../server/engine/runner.ts';
import { bundledTarget } from '../../server/engine/target.ts';
import type { TraceEvent } from '../../lib/trace/events.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('consent-scenarios');
});
after(() => t.stop());

const catalogue = loadCatalogue([path.join(ROOT_DIR, 'scenarios')]);
const consentScenarios = select(catalogue.scenarios, ['consent']).selected;

test('the catalogue has the consent scenarios, each requiring the consent-journey capability', () => {
  assert.deepEqual(catalogue.errors, []);
  const ids = consentScenarios.map((s) => s.scenario.id).sort();
  for (const id of ['consent-journey-mtls', 'consent-journey-dpop', 'consent-code-replay', 'consent-pkce-verifier-mismatch', 'consent-rejected',
    'consent-revoked-mid-session', 'consent-account-outside', 'consent-refresh-wrong-certificate', 'consent-refresh-wrong-dpop-key']) {
    assert.ok(ids.includes(id), id);
  }
  for (const { scenario } of consentScenarios) assert.ok(scenario.requires.includes('consent-journey'), scenario.id);
});

test('every consent scenario passes against the bundled stack, and the trace shows the browser', async () => {
  const events: TraceEvent[] = [];
  const result = await runScenarios({ scenarios: consentScenarios, target: bundledTarget(t.stack), trigger: 'test', onEvent: (e) => events.push(e) });
  const failed = result.scenarios.filter((s) => s.status !== 'passed').map((s) => `${s.scenarioId}: ${s.reason}`);
  assert.deepEqual(failed, []);
  const of = (type: string) => events.filter((e) => e.type === type) as (TraceEvent & { label: string })[];
  const pages = of('browser.page');
  assert.ok(pages.some((e) => e.label === 'the bank\'s sign-in page' && (e as unknown as { title: string }).title === 'Sign in – Sandbox Bank'));
  assert.ok(pages.some((e) => e.label === 'the bank\'s consent page'));
  const submits = of('browser.submit') as unknown as { label: string; fields: Record<string, unknown> }[];
  assert.ok(submits.some((e) => e.label === 'demo signs in' && e.fields.password === '••••••••'), 'passwords are masked in the trace');
  const responses = of('authorization.response') as unknown as { code: string | null; error: string | null; stateMatches: boolean; issMatches: boolean | null }[];
  assert.ok(responses.some((e) => e.code && e.stateMatches && e.issMatches === true));
  assert.ok(responses.some((e) => e.error === 'access_denied'));
  const requests = of('authorization.request') as unknown as { parameters: Record<string, string>; pkce: { method: string } }[];
  assert.ok(requests.every((e) => !('client_assertion' in e.parameters)));
  assert.ok(requests.some((e) => e.parameters.authorization_details?.includes('openbanking_account_access')));
  for (const e of [...pages, ...of('browser.submit'), ...of('authorization.response'), ...of('authorization.request')]) assert.ok(e.label.length > 3, e.type);
});

test('a target without the consent-journey capability skips the consent scenarios', async () => {
  const target = { ...bundledTarget(t.stack), capabilities: new Set(['mtls', 'dpop', 'mint'] as const) };
  const result = await runScenarios({ scenarios: consentScenarios, target, trigger: 'test' });
  assert.equal(result.counts.skipped, consentScenarios.length);
  assert.match(result.scenarios[0]!.reason ?? '', /lacks consent-journey/);
});
