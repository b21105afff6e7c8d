// lib/trace/timeline.ts: folding a run's events into scenarios, steps and exchanges (what the UI's
// run view draws), including out-of-order arrival and event types the timeline does not know.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceEvent, TraceEventBody } from '../../lib/trace/events.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import { buildTimeline, refusingCheck, stepRefusal } from '../../lib/trace/timeline.ts';

let seq = 0;
const ev = (body: TraceEventBody | Record<string, unknown>, scenarioRunId: string | null = 'r-0', stepId: string | null = null) =>
  ({ runId: 'r', seq: seq++, at: '2026-01-01T00:00:00.000Z', scenarioRunId, stepId, ...body }) as TraceEvent;

const http = (url: string, status: number) =>
  ({ type: 'http.exchange', interactionId: `id-${status}`, request: { method: 'GET', url, headers: {} }, response: { status, headers: {}, body: '' }, error: null, durationMs: 1 }) as const;

const decision = (outcome: 'pass' | 'fail'): Decision => ({
  interactionId: 'id', source: 'gateway', at: '', request: { method: 'GET', url: '', route: 'ob-api' }, tls: null, durationMs: 0.1,
  checks: [{ id: 'tls.client-cert-chain', outcome: 'pass', reason: 'ok' }, { id: 'mtls.cnf-thumbprint-match', outcome, reason: outcome }],
  response: { status: outcome === 'pass' ? 200 : 401 },
});

function events(): TraceEvent[] {
  seq = 0;
  const s0 = 'r-0-0';
  const s1 = 'r-0-1';
  const token = { header: { alg: 'PS256' }, claims: { jti: 'j1', cnf: { 'x5t#S256': 'T' } } };
  return [
    ev({ type: 'run.started', target: 'bundled', scenarios: [{ id: 'demo', title: 'Demo', scenarioRunId: 'r-0' }] }, null),
    ev({ type: 'scenario.started', scenarioId: 'demo', title: 'Demo' }),
    ev({ type: 'step.started', index: 0, name: 'token', kind: 'token', actor: 'alpha' }, 'r-0', s0),
    ev({ type: 'token.decoded', label: 'assertion', role: 'client_assertion', format: 'jwt', token }, 'r-0', s0),
    ev({ type: 'tls.handshake', tls: { host: 'h', port: 1, servername: 'h', protocol: 'TLSv1.3', cipher: null, alpn: null, serverChain: [], clientCertificate: null, clientCertificateName: null, sessionReused: false, error: null } }, 'r-0', s0),
    ev(http('https://idp/token', 200), 'r-0', s0),
    ev({ type: 'token.decoded', label: 'alpha_token', role: 'access_token', format: 'jwt', token }, 'r-0', s0),
    ev({ type: 'step.finished', index: 0, status: 'passed', durationMs: 5 }, 'r-0', s0),
    ev({ type: 'step.started', index: 1, name: 'replay', kind: 'call', actor: 'mallory' }, 'r-0', s1),
    ev(http('https://gw/accounts', 401), 'r-0', s1),
    ev({ type: 'server.decision', decision: decision('fail') }, 'r-0', s1),
    ev({ type: 'expectation.result', result: { path: 'status', expected: 401, actual: 401, pass: true } }, 'r-0', s1),
    ev({ type: 'browser.consent', screen: 'consent' }, 'r-0', s1),
    ev({ type: 'step.finished', index: 1, status: 'passed', durationMs: 3 }, 'r-0', s1),
    ev({ type: 'scenario.finished', scenarioId: 'demo', status: 'passed', durationMs: 9 }),
    ev({ type: 'run.finished', status: 'passed', durationMs: 10, counts: { passed: 1, failed: 0, error: 0, skipped: 0 } }, null),
  ];
}

test('a run folds into scenario → steps → exchanges with their handshake, tokens and decisions', () => {
  const run = buildTimeline(events());
  assert.equal(run.status, 'passed');
  assert.equal(run.scenarios.length, 1);
  const [scenario] = run.scenarios;
  assert.equal(scenario!.scenarioId, 'demo');
  assert.deepEqual(scenario!.steps.map((s) => [s.index, s.name, s.actor, s.status]), [[0, 'token', 'alpha', 'passed'], [1, 'replay', 'mallory', 'passed']]);
  const [tokenStep, callStep] = scenario!.steps;
  const ex = tokenStep!.exchanges[0]!;
  assert.equal(ex.tls?.protocol, 'TLSv1.3');
  assert.deepEqual(ex.sent.map((t) => t.role), ['client_assertion'], 'decoded before the request: sent');
  assert.deepEqual(ex.received.map((t) => t.label), ['alpha_token'], 'decoded after the response: issued');
  assert.equal(callStep!.exchanges[0]!.decisions.length, 1);
  assert.equal(callStep!.expectations.length, 1);
  assert.ok(callStep!.events.some((e) => (e.type as string) === 'browser.consent'), 'unknown event types are kept for the generic renderer');
});

test('the refusing check is the first failed one; a passing decision refuses nothing', () => {
  const run = buildTimeline(events());
  const [tokenStep, callStep] = run.scenarios[0]!.steps;
  assert.equal(stepRefusal(callStep!)?.check.id, 'mtls.cnf-thumbprint-match');
  assert.equal(stepRefusal(tokenStep!), null);
  const passing = { ...callStep!.exchanges[0]!, decisions: [decision('pass')] };
  assert.equal(refusingCheck(passing), null);
});

test('events in any order and a run still in progress give the same structure', () => {
  const all = events();
  const shuffled = [...all].reverse();
  assert.deepEqual(JSON.stringify(buildTimeline(shuffled)), JSON.stringify(buildTimeline(all)));
  const partial = buildTimeline(all.slice(0, 9));
  assert.equal(partial.status, 'running');
  assert.equal(partial.scenarios[0]!.steps[1]!.status, 'running');
});
