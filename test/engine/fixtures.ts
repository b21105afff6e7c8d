// Test data for the engine's unit tests: a parsed scenario, a static target (no servers), and
// observations (what a step saw) built from plain values.
import assert from 'node:assert/strict';
import { parseScenario } from '../../lib/scenario/parse.ts';
import type { Scenario } from '../../lib/scenario/schema.ts';
import type { TraceEventBody } from '../../lib/trace/events.ts';
import type { CertSummary, Decision } from '../../lib/trace/decision.ts';
import type { CheckResult } from '../../lib/checks/catalogue.ts';
import { ScenarioState } from '../../server/engine/state.ts';
import type { CertMaterial, Target } from '../../server/engine/target.ts';
import type { Observation } from '../../server/engine/steps/exchange.ts';

export const HEADER = `id: unit
title: A unit-test scenario
summary: exercises the engine without servers
tags: [mtls]
references: [RFC 8705]
teaches: how the engine resolves templates
gatewayShould: nothing in particular here
`;

export function scenario(rest: string): Scenario {
  const r = parseScenario(HEADER + rest, 'unit.yaml');
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return r.scenario;
}

export const SUMMARY: CertSummary = {
  subject: 'CN=tpp-alpha,O=Alpha Payments Ltd,C=GB', issuer: 'CN=FAPI Sandbox Issuing CA,O=FAPI Sandbox,C=GB', serialNumber: '01',
  notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2029-01-01T00:00:00.000Z', thumbprint: 'A'.repeat(43), subjectAltNames: [], selfSigned: false,
};

export function staticTarget(overrides: Partial<Target> = {}): Target {
  const certs: Record<string, CertMaterial> = { 'tpp-alpha': { name: 'tpp-alpha', chain: '', key: '', summary: SUMMARY } };
  return {
    name: 'static',
    endpoints: {
      issuer: 'https://idp.example', token: 'https://idp.example:8444/token', tokenPlain: 'https://idp.example/token', registration: null,
      par: null, authorization: null, callback: null, gateway: 'https://gw.example', gatewayStrict: null,
    },
    ca: '',
    certificate: (name) => certs[name] ?? null,
    client: (name) => ({ clientId: name, key: null, dpopKey: null }),
    resource: () => null,
    scope: (name) => name,
    gatewayUrl: (path) => `https://gw.example${path}`,
    psuPassword: () => null,
    idpPublicJwks: { keys: [] },
    decisions: null,
    signAccessToken: null,
    mint: null,
    capabilities: new Set(),
    ...overrides,
  };
}

export function state(rest: string, target: Target = staticTarget()): { state: ScenarioState; events: TraceEventBody[] } {
  const events: TraceEventBody[] = [];
  return { state: new ScenarioState(scenario(rest), target, (e) => events.push(e)), events };
}

export function observation(res: { status: number; headers?: Record<string, string>; body?: unknown } | null, opts: { checks?: CheckResult[] | null; token?: Observation['token']; error?: string } = {}): Observation {
  const decision: Decision | null = opts.checks
    ? { interactionId: 'i', source: 'gateway', at: '', request: { method: 'GET', url: '/', route: 'r' }, tls: null, checks: opts.checks, response: { status: res?.status ?? 0 }, durationMs: 0 }
    : null;
  return {
    exchange: {
      tls: null,
      request: { method: 'GET', url: 'https://gw.example/', headers: {} },
      response: res ? { status: res.status, headers: res.headers ?? {}, body: res.body === undefined ? '' : typeof res.body === 'string' ? res.body : JSON.stringify(res.body) } : null,
      error: opts.error ? { code: opts.error, message: `${opts.error} happened` } : null,
      durationMs: 1,
    },
    decisions: opts.checks === null ? null : decision ? [decision] : [],
    ...(opts.token ? { token: opts.token } : {}),
  };
}
