// Judges a step's observation against its `expect` block: status, OAuth error, WWW-Authenticate,
// named server-side check outcomes, handshake, token type and claims, headers and body values, and
// the authorization response an authorize step brought back to the app.
import type { Expectation } from '../../lib/scenario/schema.ts';
import type { ExpectationResult } from '../../lib/trace/events.ts';
import type { CheckResult } from '../../lib/checks/catalogue.ts';
import type { ScenarioState } from './state.ts';
import type { Observation } from './steps/exchange.ts';
import { header, jsonBody } from './http-client.ts';
import { getPath } from './template.ts';

export const DEFAULT_EXPECTATION: Expectation = { status: 200 };

/** Without an expect block: status 200, or for an authorize step, a code at the app. */
export function defaultExpectation(kind: string): Expectation {
  return kind === 'authorize' ? { callback: { code: true } } : DEFAULT_EXPECTATION;
}

/** Parses WWW-Authenticate (RFC 9110 §11.6.1) into challenges: [{ scheme, params }]. */
export function parseChallenges(value: string): { scheme: string; params: Record<string, string> }[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < value.length && chars.includes(value[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < value.length && !' \t,="'.includes(value[i]!)) i++;
    return value.slice(start, i);
  };
  while (i < value.length) {
    skip(' \t,');
    const name = token();
    if (!name) {
      i++;
      continue;
    }
    skip(' \t');
    if (value[i] !== '=') {
      out.push({ scheme: name, params: {} });
      continue;
    }
    i++;
    skip(' \t');
    let v = '';
    if (value[i] === '"') {
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === '\\') i++;
        v += value[i] ?? '';
        i++;
      }
      i++;
    } else v = token();
    const current = out.at(-1);
    if (current) current.params[name.toLowerCase()] = v;
  }
  return out;
}

/** RFC 8446 §6.2 alert descriptions by number (those a server refuses a handshake with). */
const ALERTS: Record<string, string> = {
  10: 'unexpected_message', 40: 'handshake_failure', 42: 'bad_certificate', 43: 'unsupported_certificate', 44: 'certificate_revoked',
  45: 'certificate_expired', 46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error',
  51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error', 86: 'inappropriate_fallback',
  109: 'missing_extension', 112: 'unrecognized_name', 116: 'certificate_required', 120: 'no_application_protocol',
};

/**
 * The TLS alert a refused exchange received: OpenSSL names it in Node's error code
 * (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED) or, when the code is generic (EPROTO), numbers it in the message.
 */
export function alertOf(error: { code: string; message: string } | null): string | null {
  if (!error) return null;
  const named = /_ALERT_([A-Z_]+)$/.exec(error.code)?.[1];
  if (named) return named.toLowerCase();
  const number = /SSL alert number (\d+)/.exec(error.message)?.[1];
  return number ? (ALERTS[number] ?? `alert ${number}`) : null;
}

function statusMatches(expected: NonNullable<Expectation['status']>, actual: number): boolean {
  if (typeof expected === 'number') return expected === actual;
  if (Array.isArray(expected)) return expected.includes(actual);
  return String(actual)[0] === expected[0];
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function findCheck(observation: Observation, id: string): CheckResult | undefined {
  for (const d of observation.decisions ?? []) {
    const found = d.checks.find((c) => c.id === id);
    if (found) return found;
  }
  return undefined;
}

export function evaluate(expect: Expectation, observation: Observation, state: ScenarioState): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  const ex = observation.exchange;
  const res = ex?.response ?? null;
  const body = ex ? jsonBody(ex) : null;
  const www = ex ? header(ex, 'www-authenticate') : null;
  const challenges = www ? parseChallenges(www) : [];
  const push = (path: string, expected: unknown, actual: unknown, pass: boolean, detail?: string) =>
    results.push({ path, expected, actual, pass, ...(detail ? { detail } : {}) });

  if (expect.handshake) {
    const got = res ? 'ok' : 'refused';
    push('handshake', expect.handshake, got, got === expect.handshake, ex?.error ? `${ex.error.code}: ${ex.error.message}` : undefined);
  }
  if (expect.alert !== undefined) {
    const got = alertOf(ex?.error ?? null);
    const wanted = Array.isArray(expect.alert) ? expect.alert : [expect.alert];
    push('alert', expect.alert, got ?? (res ? 'none (the handshake completed)' : 'none'), got !== null && wanted.includes(got), ex?.error ? `${ex.error.code}: ${ex.error.message}` : undefined);
  }
  if (expect.status !== undefined) {
    push('status', expect.status, res?.status ?? null, res !== null && statusMatches(expect.status, res.status), ex?.error ? `${ex.error.code}: ${ex.error.message}` : undefined);
  }
  if (expect.error !== undefined) {
    const actual = (typeof body?.error === 'string' ? body.error : null) ?? challenges.find((c) => c.params.error)?.params.error ?? observation.authorization?.error ?? null;
    push('error', expect.error, actual, actual === expect.error);
  }
  if (expect.errorDescriptionContains !== undefined) {
    const actual = typeof body?.error_description === 'string' ? body.error_description : (challenges.find((c) => c.params.error_description)?.params.error_description ?? null);
    push('error_description', `contains "${expect.errorDescriptionContains}"`, actual, !!actual?.includes(expect.errorDescriptionContains));
  }
  if (expect.wwwAuthenticate) {
    const w = expect.wwwAuthenticate;
    const match = challenges.find((c) => (!w.scheme || c.scheme.toLowerCase() === w.scheme.toLowerCase()) && (!w.error || c.params.error === w.error));
    const containsOk = !w.contains || (www ?? '').includes(w.contains);
    push('www-authenticate', w, www, !!match && containsOk);
  }
  for (const [id, want] of Object.entries(expect.checks ?? {})) {
    if (observation.decisions === null) {
      results.push({ path: `check ${id}`, expected: want, actual: 'not observable', pass: true, unobservable: true });
      continue;
    }
    const got = findCheck(observation, id);
    push(`check ${id}`, want, got?.outcome ?? 'not run', got?.outcome === want, got?.reason);
  }
  if (expect.tokenType !== undefined) {
    const actual = observation.token?.tokenType ?? null;
    push('token_type', expect.tokenType, actual, actual?.toLowerCase() === expect.tokenType.toLowerCase());
  }
  for (const [path, raw] of Object.entries(expect.claims ?? {})) {
    const want = state.deep(raw);
    const actual = getPath(observation.token?.claims ?? null, path.split('.')) ?? null;
    push(`claim ${path}`, want, actual, equal(want, actual));
  }
  for (const [name, raw] of Object.entries(expect.headers ?? {})) {
    const actual = ex ? header(ex, name) : null;
    if (raw === true || raw === false) push(`header ${name}`, raw ? 'present' : 'absent', actual ?? 'absent', (actual !== null) === raw);
    else {
      const want = state.text(raw);
      push(`header ${name}`, want, actual, actual === want);
    }
  }
  for (const [name, pattern] of Object.entries(expect.headersMatch ?? {})) {
    const actual = ex ? header(ex, name) : null;
    push(`header ${name}`, `matches /${pattern}/`, actual ?? 'absent', actual !== null && new RegExp(pattern).test(actual));
  }
  if (expect.callback) {
    const got = observation.authorization ?? null;
    const { code, error, errorDescriptionContains } = expect.callback;
    const detail = got ? undefined : 'the browser never got back to the app (see the last page or the pushed request)';
    if (code !== undefined) push('callback code', code ? 'a code' : 'no code', got?.code ? 'a code' : got?.error ? `error ${got.error}` : 'nothing', !!got?.code === code, detail);
    if (error !== undefined) push('callback error', error, got?.error ?? null, got?.error === error, got?.errorDescription ?? detail);
    if (errorDescriptionContains !== undefined) {
      push('callback error_description', `contains "${errorDescriptionContains}"`, got?.errorDescription ?? null, !!got?.errorDescription?.includes(errorDescriptionContains));
    }
  }
  // RFC 9207 §2, FAPI 2.0 SP 5.3.2.2-6: every authorization response names its issuer; none or another fails the step.
  if (observation.authorization) {
    const got = observation.authorization.iss;
    const want = expect.callback?.iss !== undefined ? state.text(expect.callback.iss) : state.target.endpoints.issuer;
    push('callback iss', want, got, got === want, got === null ? 'the authorization response carries no iss (RFC 9207 §2): a mix-up attack cannot be detected' : undefined);
  }
  // FAPI 2.0 SP 5.3.2.2-10: a request that carried the customer's credentials is never redirected with 307
  // (nor 308, RFC 9110 §15.4.9): the browser would post the password again, to wherever Location points.
  for (const r of observation.redirects ?? []) {
    if (!r.credentials) continue;
    push('redirect after credentials', 'not 307 or 308', r.status, r.status !== 307 && r.status !== 308,
      r.status === 307 || r.status === 308 ? `${r.method} ${r.url} carried the customer's credentials and was answered ${r.status}: the browser re-sends them to the next URL (FAPI 2.0 SP 5.3.2.2-10; 303 is what 5.3.2.2-11 asks)` : undefined);
  }
  for (const [path, raw] of Object.entries(expect.body ?? {})) {
    const want = state.deep(raw);
    const actual = getPath(body, path.split('.')) ?? null;
    push(`body ${path}`, want, actual, equal(want, actual));
  }
  for (const [path, { min, max }] of Object.entries(expect.bodyRange ?? {})) {
    const actual = getPath(body, path.split('.')) ?? null;
    const within = typeof actual === 'number' && (min === undefined || actual >= min) && (max === undefined || actual <= max);
    push(`body ${path}`, min === undefined ? `at most ${max}` : max === undefined ? `at least ${min}` : `${min} to ${max}`, actual, within,
      typeof actual === 'number' || actual === null ? undefined : `${path} is a ${typeof actual}, not a number`);
  }
  for (const [path, pattern] of Object.entries(expect.bodyMatch ?? {})) {
    const actual = getPath(body, path.split('.')) ?? null;
    push(`body ${path}`, `matches /${pattern}/`, actual, typeof actual === 'string' && new RegExp(pattern).test(actual),
      typeof actual === 'string' || actual === null ? undefined : `${path} is a ${typeof actual}, not a string`);
  }
  return results;
}
