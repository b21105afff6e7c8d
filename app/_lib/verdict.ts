// The verdict of a scenario and of each step in plain words, from the scenario's intent: an attack
// (tagged `attack`, or a step that expects a refusal) is "blocked by <check>" or "succeeded: the
// gateway answered 200 to Mallory"; anything else is a happy path that "worked" or "broke at step N".
// A step's intent is its own expectation: a refusal expected (4xx/5xx, a refused handshake) or not.
import type { ExpectationResult } from '../../lib/trace/events.ts';
import type { ScenarioView, StepView } from '../../lib/trace/timeline.ts';
import { stepRefusal } from '../../lib/trace/timeline.ts';
import { actorName } from './lanes.ts';

export type VerdictKind = 'blocked' | 'succeeded' | 'worked' | 'broke' | 'running' | 'skipped';

export interface Verdict {
  kind: VerdictKind;
  /** pass: what the scenario wanted happened; fail: it did not; neutral: not decided yet. */
  tone: 'pass' | 'fail' | 'neutral';
  /** The sentence, as plain words: "Attack blocked by mtls.cnf-thumbprint-match". */
  headline: string;
  /** The check named in the headline (rendered as code). */
  checkId: string | null;
  /** The step the verdict is about (0-based), if any. */
  step: number | null;
}

const isRefusalStatus = (v: unknown): boolean =>
  (typeof v === 'number' && v >= 400) || v === '4xx' || v === '5xx' || (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'number' && s >= 400));

/** Whether the step expects to be refused (its status expectation is 4xx/5xx, or a refused handshake). */
export function expectsRefusal(step: Pick<StepView, 'expectations'>): boolean {
  return step.expectations.some((r) => (r.path === 'status' && isRefusalStatus(r.expected)) || (r.path === 'handshake' && r.expected === 'refused'));
}

/** Who answered the step's last request: the identity provider for token and authorize steps' decisions, else the gateway. */
function serverOf(step: StepView): string {
  const ex = step.exchanges.at(-1);
  const source = ex?.decisions[0]?.source;
  if (source) return source === 'idp' ? 'identity provider' : 'gateway';
  return step.kind === 'token' || step.kind === 'authorize' || step.kind === 'register' ? 'identity provider' : 'gateway';
}

const lastStatus = (step: StepView): number | null => step.exchanges.at(-1)?.http.response?.status ?? null;
const expectedCheck = (results: ExpectationResult[]): string | null =>
  results.find((r) => r.path.startsWith('check ') && r.expected === 'fail')?.path.slice('check '.length) ?? null;

/** One step, in words: "Blocked by mtls.cnf-thumbprint-match", "Attack succeeded: 200", "Worked", "Broke: 401". */
export function stepVerdict(step: StepView): Verdict {
  const base = { step: step.index, checkId: null };
  if (step.status === 'running') return { ...base, kind: 'running', tone: 'neutral', headline: 'Running…' };
  if (step.status === 'skipped') return { ...base, kind: 'skipped', tone: 'neutral', headline: 'Not run' };
  const refusal = stepRefusal(step);
  const status = lastStatus(step);
  const handshakeRefused = step.exchanges.length > 0 && step.exchanges.every((ex) => !ex.http.response);
  if (expectsRefusal(step)) {
    const refused = handshakeRefused || (status !== null && status >= 400);
    if (!refused) {
      return { ...base, kind: 'succeeded', tone: 'fail', headline: `Attack succeeded: the ${serverOf(step)} answered ${status ?? 'nothing'}${step.actor ? ` to ${actorName(step.actor)}` : ''}` };
    }
    const check = refusal?.check.id ?? null;
    const tone = step.status === 'passed' ? 'pass' : 'fail';
    if (check) return { ...base, kind: 'blocked', tone, checkId: check, headline: `Blocked by ${check}` };
    if (handshakeRefused) return { ...base, kind: 'blocked', tone, headline: 'Blocked in the TLS handshake' };
    return { ...base, kind: 'blocked', tone, checkId: null, headline: `Blocked: the ${serverOf(step)} answered ${status}` };
  }
  if (step.status === 'passed') return { ...base, kind: 'worked', tone: 'pass', headline: 'Worked' };
  const why = refusal ? `refused by ${refusal.check.id}` : handshakeRefused ? 'TLS handshake refused' : status !== null ? `the ${serverOf(step)} answered ${status}` : step.reason ?? 'failed';
  return { ...base, kind: 'broke', tone: 'fail', checkId: refusal?.check.id ?? null, headline: `Broke: ${why}` };
}

/**
 * The scenario's headline. `tags` are the catalogue's tags for the scenario (null when unknown:
 * a step that expects a refusal then makes it an attack).
 */
export function scenarioVerdict(scenario: ScenarioView, tags: readonly string[] | null): Verdict | null {
  if (scenario.status === 'pending') return null;
  if (scenario.status === 'skipped') return { kind: 'skipped', tone: 'neutral', headline: `Not run${scenario.reason ? `: ${scenario.reason}` : ''}`, checkId: null, step: null };
  const verdicts = scenario.steps.map(stepVerdict);
  const attackSteps = scenario.steps.filter(expectsRefusal);
  const attack = tags ? tags.includes('attack') || (!tags.includes('happy-path') && attackSteps.length > 0) : attackSteps.length > 0;
  const running = scenario.status === 'running';
  if (attack) {
    // A refusal the catalogue does not call an attack (a rotated certificate, a strict listener) is said as such.
    const isAttack = !tags || tags.includes('attack');
    const blockedWords = isAttack ? 'Attack blocked' : 'Refused as expected';
    const succeeded = verdicts.find((v) => v.kind === 'succeeded');
    if (succeeded) return isAttack ? succeeded : { ...succeeded, headline: succeeded.headline.replace(/^Attack succeeded/, 'Not refused') };
    const blocked = verdicts.find((v) => v.kind === 'blocked');
    const broke = verdicts.find((v) => v.kind === 'broke');
    if (broke && (!blocked || broke.step! < blocked.step!)) {
      return { ...broke, headline: `The scenario broke ${isAttack ? 'before the attack: ' : 'at '}step ${broke.step! + 1}: ${broke.headline.replace(/^Broke: /, '')}` };
    }
    if (blocked) {
      const check = blocked.checkId ?? expectedCheck(scenario.steps[blocked.step!]!.expectations);
      const observed = blocked.checkId !== null;
      const headline = observed ? `${blockedWords} by ${check}` : blocked.headline.replace(/^Blocked/, blockedWords);
      if (scenario.status === 'failed' || scenario.status === 'error') {
        return { ...blocked, tone: 'fail', checkId: observed ? check : null, headline: `${headline}, but not the way the scenario expects` };
      }
      return { ...blocked, tone: running ? 'neutral' : 'pass', checkId: observed ? check : null, headline };
    }
    if (running) return { kind: 'running', tone: 'neutral', headline: isAttack ? 'Attack in progress…' : 'Running…', checkId: null, step: null };
    return { kind: 'broke', tone: 'fail', headline: scenario.reason ?? 'The scenario failed', checkId: null, step: null };
  }
  const broke = verdicts.find((v) => v.kind === 'broke');
  if (broke) return { ...broke, headline: `Happy path broke at step ${broke.step! + 1}: ${broke.headline.replace(/^Broke: /, '')}` };
  if (running) return { kind: 'running', tone: 'neutral', headline: 'Running…', checkId: null, step: null };
  if (scenario.status === 'passed') return { kind: 'worked', tone: 'pass', headline: 'Happy path worked', checkId: null, step: null };
  return { kind: 'broke', tone: 'fail', headline: scenario.reason ?? 'The scenario failed', checkId: null, step: null };
}
