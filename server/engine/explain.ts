// Turns a failed step into a sentence a gateway engineer can act on: what was expected (status,
// OAuth error, and the check that should have refused, with its RFC section), what came back, what
// that means (the attack got through; refused but not in the RFC's shape; a legitimate call refused)
// and how to fix it. Built from the step's own expectations and the check catalogue, for any target.
import type { Expectation, Scenario } from '../../lib/scenario/schema.ts';
import type { ExpectationResult } from '../../lib/trace/events.ts';
import { CHECKS, isCheckId, type CheckId } from '../../lib/checks/catalogue.ts';
import type { Observation } from './steps/exchange.ts';
import { header, jsonBody } from './http-client.ts';
import { parseChallenges } from './expectations.ts';

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The check a step expects to refuse the request (the first `checks:` entry expecting fail). */
function guardOf(expect: Expectation): CheckId | null {
  const id = Object.entries(expect.checks ?? {}).find(([, v]) => v === 'fail')?.[0];
  return id && isCheckId(id) ? id : null;
}

function expectedStatus(expect: Expectation): string {
  const s = expect.status;
  return s === undefined ? '' : Array.isArray(s) ? s.join(' or ') : String(s);
}

/** What the server said, briefly: status, OAuth error and description, or an HTML page's title. */
function actualSummary(observation: Observation | null): { status: number | null; text: string } {
  const ex = observation?.exchange;
  if (!ex?.response) return { status: null, text: ex?.error ? `no HTTP response (${ex.error.code}: ${ex.error.message})` : 'no response' };
  const res = ex.response;
  const body = jsonBody(ex);
  const www = header(ex, 'www-authenticate');
  const challenge = www ? parseChallenges(www).find((c) => c.params.error) : undefined;
  const error = (typeof body?.error === 'string' ? body.error : null) ?? challenge?.params.error ?? null;
  const description = (typeof body?.error_description === 'string' ? body.error_description : null) ?? challenge?.params.error_description ?? null;
  const title = /<title>([^<]{1,120})<\/title>/i.exec(res.body)?.[1]?.trim();
  const detail = [error, description ? `"${description.slice(0, 160)}"` : null].filter(Boolean).join(' ') || (title ? `"${title}"` : '');
  return { status: res.status, text: `${res.status}${detail ? ` ${detail}` : ''}${www ? '' : res.status === 401 ? ' (no WWW-Authenticate)' : ''}` };
}

/**
 * The explanation of a failed step: "<scenario>: step N "<name>": expected ..., got .... <meaning>. Fix: ...".
 * `party` is who answered (the gateway or the authorization server).
 */
export function explainFailure(
  scenario: Pick<Scenario, 'title'>,
  step: { index: number; name: string; expect: Expectation; party: 'gateway' | 'idp' | null },
  failed: ExpectationResult,
  observation: Observation | null,
): string {
  const who = step.party === 'idp' ? 'authorization server' : 'gateway';
  const guard = guardOf(step.expect);
  const info = guard ? CHECKS[guard] : null;
  const want = [expectedStatus(step.expect), step.expect.error].filter(Boolean).join(' ');
  const wantText = `${want || `${failed.path} ${JSON.stringify(failed.expected)}`}${info ? ` (${info.spec}: ${lower(info.title)})` : ''}`;
  const got = actualSummary(observation);
  const head = `${scenario.title}: step ${step.index + 1} "${step.name}"`;
  const expectsRefusal = step.expect.handshake === 'refused' || /^[45]/.test(expectedStatus(step.expect));
  const fix = info ? ` Fix: ${info.fix}` : '';

  if (step.expect.handshake === 'refused' && got.status !== null) {
    return `${head}: expected the TLS handshake to be refused, got HTTP ${got.text}. The ${who} completed a handshake it should have refused.${fix}`;
  }
  if (expectsRefusal && got.status !== null && got.status < 400) {
    const what = info ? `: it does not check that ${lower(info.title)} (${info.spec})` : '';
    return `${head}: expected ${wantText}, got ${got.text}. The ${who} let the attack through${what}.${fix}`;
  }
  if (expectsRefusal && failed.path !== 'status' && failed.path.startsWith('check ') === false) {
    return `${head}: expected ${wantText}, got ${got.text}. The request was refused, but not the way the RFC asks (${failed.path}: expected ${JSON.stringify(failed.expected)}, got ${JSON.stringify(failed.actual)}): clients cannot tell why they were refused.`;
  }
  if (expectsRefusal && got.status !== null) {
    return `${head}: expected ${wantText}, got ${got.text}. The request was refused, but not the way the RFC asks (RFC 6750 §3.1 / RFC 9449 §7.1: 401 with WWW-Authenticate and an error code), so clients cannot tell why.`;
  }
  if (!expectsRefusal && got.status !== null && got.status >= 400 && failed.path === 'status') {
    return `${head}: expected ${wantText}, got ${got.text}. The ${who} refused a legitimate request.`;
  }
  return `${head}: expected ${failed.path} ${JSON.stringify(failed.expected)}, got ${got.status === null ? got.text : JSON.stringify(failed.actual)}${failed.detail ? ` (${failed.detail})` : ''}.${fix}`;
}
