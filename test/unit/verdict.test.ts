// The run view's verdict in plain words (app/_lib/verdict.ts): an attack blocked by the refusing
// check, an attack that succeeded (a 2xx where a refusal was expected, as behind an nginx that only
// verifies the certificate), a happy path that worked or broke, from the tags or, without them, from
// what the steps expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceEvent, TraceEventBody } from '../../lib/trace/events.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import { buildTimeline } from '../../lib/trace/timeline.ts';
import { scenarioVerdict, stepVerdict } from '../../app/_lib/verdict.ts';

let seq = 0;
const ev = (body: TraceEventBody, stepId: string | null = null) =>
  ({ runId: 'r', seq: seq++, at: '2026-01-01T00:00:00.000Z', scenarioRunId: 'r-0', stepId, ...body }) as TraceEvent;
const http = (url: string, status: number): TraceEventBody =>
  ({ type: 'http.exchange', interactionId: 'i', request: { method: 'GET', url, headers: {} }, response: { status, headers: {}, body: '' }, error: null, durationMs: 1 });
const refusal: Decision = {
  interactionId: 'i', source: 'gateway', at: '', request: { method: 'GET', url: '', route: 'ob-api' }, tls: null, durationMs: 0.1,
  checks: [{ id: 'tls.client-cert-chain', outcome: 'pass', reason: 'ok' }, { id: 'mtls.cnf-thumbprint-match', outcome: 'fail', reason: 'differ' }],
  response: { status: 401 },
};

/** Alpha gets a token (expects 200), Mallory replays it (expects 401); `replay` is what Mallory got. */
function stolenToken(replay: 'refused' | 'answered', observable = true) {
  seq = 0;
  const status = replay === 'refused' ? 401 : 200;
  const outcome = replay === 'refused' ? 'passed' : 'failed';
  return buildTimeline([
    ev({ type: 'run.started', target: 'bundled', scenarios: [{ id: 'stolen', title: 'Stolen', scenarioRunId: 'r-0' }] }),
    ev({ type: 'scenario.started', scenarioId: 'stolen', title: 'Stolen' }),
    ev({ type: 'step.started', index: 0, name: 'token', kind: 'token', actor: 'alpha' }, 's0'),
    ev(http('https://idp/token', 200), 's0'),
    ev({ type: 'expectation.result', result: { path: 'status', expected: 200, actual: 200, pass: true } }, 's0'),
    ev({ type: 'step.finished', index: 0, status: 'passed', durationMs: 5 }, 's0'),
    ev({ type: 'step.started', index: 1, name: 'replay', kind: 'call', actor: 'mallory' }, 's1'),
    ev(http('https://gw/accounts', status), 's1'),
    ...(observable && replay === 'refused' ? [ev({ type: 'server.decision', decision: refusal }, 's1')] : []),
    ev({ type: 'expectation.result', result: { path: 'status', expected: 401, actual: status, pass: status === 401 } }, 's1'),
    ev({ type: 'step.finished', index: 1, status: outcome, durationMs: 3 }, 's1'),
    ev({ type: 'scenario.finished', scenarioId: 'stolen', status: outcome, durationMs: 9 }),
  ]).scenarios[0]!;
}

test('an attack refused by a check: "Attack blocked by <check>", the step says "Blocked by <check>"', () => {
  const s = stolenToken('refused');
  const v = scenarioVerdict(s, ['mtls', 'attack']);
  assert.deepEqual([v?.kind, v?.tone, v?.headline, v?.checkId, v?.step], ['blocked', 'pass', 'Attack blocked by mtls.cnf-thumbprint-match', 'mtls.cnf-thumbprint-match', 1]);
  assert.equal(stepVerdict(s.steps[1]!).headline, 'Blocked by mtls.cnf-thumbprint-match');
  assert.equal(stepVerdict(s.steps[0]!).kind, 'worked');
});

test('an attack refused by a server whose checks cannot be seen: blocked, in the status it answered', () => {
  const v = scenarioVerdict(stolenToken('refused', false), ['attack']);
  assert.deepEqual([v?.kind, v?.headline, v?.checkId], ['blocked', 'Attack blocked: the gateway answered 401', null]);
});

test('an attack answered 200: "Attack succeeded: the gateway answered 200 to Mallory"', () => {
  const s = stolenToken('answered', false);
  const v = scenarioVerdict(s, ['attack']);
  assert.deepEqual([v?.kind, v?.tone, v?.headline, v?.step], ['succeeded', 'fail', 'Attack succeeded: the gateway answered 200 to Mallory', 1]);
  assert.equal(scenarioVerdict(s, null)?.kind, 'succeeded', 'without tags, a step that expects a refusal makes it an attack');
});

test('a refusal the catalogue does not call an attack: "Refused as expected by <check>", or "Not refused"', () => {
  assert.equal(scenarioVerdict(stolenToken('refused'), ['mtls', 'rotation'])?.headline, 'Refused as expected by mtls.cnf-thumbprint-match');
  assert.equal(scenarioVerdict(stolenToken('answered', false), ['mtls', 'rotation'])?.headline, 'Not refused: the gateway answered 200 to Mallory');
});

test('a happy path: worked, or broke at the step that failed', () => {
  seq = 0;
  const run = (status: number) => buildTimeline([
    ev({ type: 'run.started', target: 'bundled', scenarios: [{ id: 'happy', title: 'Happy', scenarioRunId: 'r-0' }] }),
    ev({ type: 'scenario.started', scenarioId: 'happy', title: 'Happy' }),
    ev({ type: 'step.started', index: 0, name: 'call', kind: 'call', actor: 'alpha' }, 's0'),
    ev(http('https://gw/accounts', status), 's0'),
    ev({ type: 'expectation.result', result: { path: 'status', expected: 200, actual: status, pass: status === 200 } }, 's0'),
    ev({ type: 'step.finished', index: 0, status: status === 200 ? 'passed' : 'failed', durationMs: 3 }, 's0'),
    ev({ type: 'scenario.finished', scenarioId: 'happy', status: status === 200 ? 'passed' : 'failed', durationMs: 9 }),
  ]).scenarios[0]!;
  assert.deepEqual([scenarioVerdict(run(200), ['happy-path'])?.headline, scenarioVerdict(run(200), null)?.tone], ['Happy path worked', 'pass']);
  assert.equal(scenarioVerdict(run(401), ['happy-path'])?.headline, 'Happy path broke at step 1: the gateway answered 401');
});
