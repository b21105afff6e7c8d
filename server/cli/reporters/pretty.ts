// Human output: a line per scenario as it finishes, then for each failure the step, expected and
// actual outcome, and the server check that decided it, with its RFC section.
import type { TraceEvent } from '../../../lib/trace/events.ts';
import type { RunResult, ScenarioResult } from '../../engine/runner.ts';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const dim = paint(2);
export const bold = paint(1);

const MARK = { passed: green('✓'), failed: red('✗'), error: red('!'), skipped: yellow('-') } as const;

const secs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** Live progress: one line per finished scenario. */
export function prettyProgress(write: (line: string) => void): (event: TraceEvent) => void {
  return (event) => {
    if (event.type !== 'scenario.finished') return;
    const reason = event.status === 'passed' ? '' : dim(`  ${event.reason ?? ''}`);
    write(`  ${MARK[event.status]} ${event.scenarioId} ${dim(secs(event.durationMs))}${reason}`);
  };
}

function failureDetail(s: ScenarioResult): string[] {
  const f = s.failure;
  if (!f) return [];
  const lines = [`${red(`✗ ${s.scenarioId}`)} ${s.title}${s.file ? dim(`  (${s.file})`) : ''}`, `    step ${f.step + 1}: ${f.stepName}`];
  // The explanation without the scenario and step it starts with (the two lines above say them).
  if (f.explanation) lines.push(...wrap(f.explanation.replace(`${s.title}: step ${f.step + 1} "${f.stepName}": `, ''), 100).map((l) => `    ${l}`));
  if (f.expectation) {
    lines.push(`    expected ${f.expectation.path}: ${JSON.stringify(f.expectation.expected)}`);
    lines.push(`    actual   ${f.expectation.path}: ${JSON.stringify(f.expectation.actual)}${f.expectation.detail ? dim(` (${f.expectation.detail})`) : ''}`);
  } else lines.push(`    ${f.message}`);
  if (f.failedCheck) {
    lines.push(`    server check: ${bold(f.failedCheck.id)} failed at the ${f.failedCheck.source}: ${f.failedCheck.reason}`);
    lines.push(`    ${dim(`${f.failedCheck.spec}  ${f.failedCheck.specUrl}`)}`);
  } else if (f.expectation && f.expectation.path === 'status' && unobservable(s).length === 0) {
    lines.push(`    ${dim('the server failed no check for this request: the attack was not blocked')}`);
  }
  return lines;
}

/** Greedy word wrap for long explanations. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** Check expectations the target could not show (an external gateway's or AS's internal checks). */
export function unobservable(s: ScenarioResult): string[] {
  return [...new Set(s.steps.flatMap((st) => st.expectations.filter((e) => e.unobservable).map((e) => e.path.replace(/^check /, ''))))];
}

export function prettySummary(result: RunResult, startupMs: number | null): string {
  const lines: string[] = [];
  const bad = result.scenarios.filter((s) => s.status === 'failed' || s.status === 'error');
  if (bad.length) lines.push('', ...bad.flatMap((s) => [...failureDetail(s), '']));
  const hidden = result.scenarios.filter((s) => s.status !== 'skipped' && unobservable(s).length);
  if (hidden.length) {
    lines.push(dim(`not observable on target ${result.target}: the internal checks of ${hidden.length} scenario${hidden.length === 1 ? '' : 's'} (its servers are external); they were judged on what the client sees: status, WWW-Authenticate, body`));
  }
  const skipped = result.scenarios.filter((s) => s.status === 'skipped' && s.reason);
  if (skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const s of skipped) byReason.set(s.reason!, [...(byReason.get(s.reason!) ?? []), s.scenarioId]);
    lines.push(...[...byReason].map(([reason, ids]) => yellow(`- skipped ${ids.length}: ${reason}`) + dim(` (${ids.join(', ')})`)));
  }
  const c = result.counts;
  const parts = [green(`${c.passed} passed`), c.failed ? red(`${c.failed} failed`) : null, c.error ? red(`${c.error} errored`) : null, c.skipped ? yellow(`${c.skipped} skipped`) : null].filter(Boolean);
  lines.push(`${parts.join(', ')} in ${secs(result.durationMs)}${startupMs !== null ? dim(` (+ stack start ${secs(startupMs)})`) : ''}  ${dim(`run ${result.runId}`)}`);
  return lines.join('\n');
}
