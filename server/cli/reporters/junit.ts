// JUnit XML for CI (GitHub Actions, GitLab, Jenkins): a testsuite per run, a testcase per scenario,
// the failed check and RFC section in the failure message.
import type { RunResult, ScenarioResult } from '../../engine/runner.ts';

export function xmlEscape(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

function steps(s: ScenarioResult): string {
  return s.steps
    .map((st) => {
      const hidden = st.expectations.filter((e) => e.unobservable).map((e) => e.path.replace(/^check /, ''));
      return `step ${st.index + 1} [${st.status}] ${st.name}${st.httpStatus ? ` -> HTTP ${st.httpStatus}` : ''}${st.failedCheck ? ` (${st.failedCheck.source} refused: ${st.failedCheck.id})` : ''}${hidden.length ? ` [not observable on this target: ${hidden.join(', ')}]` : ''}`;
    })
    .join('\n');
}

function testcase(s: ScenarioResult): string {
  const attrs = `classname="fapi-sandbox" name="${xmlEscape(`${s.scenarioId}: ${s.title}`)}" time="${secs(s.durationMs)}"${s.file ? ` file="${xmlEscape(s.file)}"` : ''}`;
  const out = `<system-out>${xmlEscape(steps(s))}</system-out>`;
  if (s.status === 'passed') return `    <testcase ${attrs}>\n      ${out}\n    </testcase>`;
  if (s.status === 'skipped') return `    <testcase ${attrs}>\n      <skipped message="${xmlEscape(s.reason ?? 'skipped')}"/>\n    </testcase>`;
  const f = s.failure;
  const check = f?.failedCheck ? `${f.failedCheck.id} failed at the ${f.failedCheck.source}: ${f.failedCheck.reason} (${f.failedCheck.spec}, ${f.failedCheck.specUrl})` : null;
  const message = f?.explanation ? `${f.explanation}${check ? ` Server check: ${check}.` : ''}` : `step ${f ? f.step + 1 : '?'} "${f?.stepName ?? ''}": ${f?.message ?? s.reason ?? s.status}${check ? `; ${check}` : ''}`;
  const tag = s.status === 'error' ? 'error' : 'failure';
  const type = f?.failedCheck?.id ?? (s.status === 'error' ? 'engine-error' : 'expectation');
  return `    <testcase ${attrs}>\n      <${tag} message="${xmlEscape(message)}" type="${xmlEscape(type)}">${xmlEscape(`${message}\n\n${steps(s)}`)}</${tag}>\n      ${out}\n    </testcase>`;
}

export function junitReport(result: RunResult): string {
  const c = result.counts;
  const total = result.scenarios.length;
  const head = `tests="${total}" failures="${c.failed}" errors="${c.error}" skipped="${c.skipped}" time="${secs(result.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="fapi-sandbox" ${head}>`,
    `  <testsuite name="fapi-sandbox (${xmlEscape(result.target)})" ${head} timestamp="${new Date().toISOString()}">`,
    ...result.scenarios.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
