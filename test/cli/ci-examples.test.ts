// examples/ci/ (the README's CI recipes): the GitHub Actions workflow and the GitLab CI job run the CLI
// with arguments it accepts (checked with `run ... --list`, which parses the same options and runs
// nothing, and the run's reporter planning), and upload the very JUnit file the run writes, also when the run fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT_DIR } from '../../server/config.ts';
import { cliEnv, runCli } from '../helpers/cli.ts';
import { tempDataDir } from '../helpers/paths.ts';
import { planReporters } from '../../server/cli/run.ts';

const load = (file: string) => parse(readFileSync(path.join(ROOT_DIR, 'examples', 'ci', file), 'utf8'));
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

/** The arguments after `fapi-sandbox` in an `npx --yes fapi-sandbox run ...` command, and its JUnit file. */
function command(line: string): { args: string[]; junit: string } {
  const m = /^npx --yes fapi-sandbox (run .*)$/.exec(line.trim());
  assert.ok(m, `not an npx fapi-sandbox run command: ${line}`);
  const args = m[1]!.split(/\s+/);
  const junit = args.find((a) => a.startsWith('junit='))?.slice('junit='.length);
  assert.ok(junit, `${line}: no --reporter junit=FILE`);
  return { args, junit };
}

async function acceptedByTheCli(args: string[]): Promise<void> {
  // `--list` parses the options but plans no reporters: check those as the run does.
  const reporters = args.flatMap((a, i) => (args[i - 1] === '--reporter' ? [a] : []));
  assert.deepEqual(planReporters(reporters, undefined).map((r) => r.name).sort(), ['junit', 'pretty']);
  const data = tempDataDir('ci-examples');
  try {
    const r = await runCli([...args, '--list'], cliEnv(data.dir));
    assert.equal(r.code, 0, `fapi-sandbox ${args.join(' ')} --list: ${r.stderr}`);
  } finally {
    data.remove();
  }
}

test('GitHub Actions: the run, the artifact upload and the test report agree on the JUnit file, even after a failure', async () => {
  const steps = load('github-actions.yml').jobs.scenarios.steps as { uses?: string; run?: string; if?: string; with?: Record<string, unknown> }[];
  const run = steps.find((s) => s.run?.includes('fapi-sandbox run'))!;
  const { args, junit } = command(run.run!);
  await acceptedByTheCli(args);
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
  const report = steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'))!;
  for (const s of [upload, report]) assert.equal(s.if, 'always()', `${s.uses} runs when scenarios fail`);
  assert.match(junit, glob(String(upload.with!.path)));
  assert.match(junit, glob(String(report.with!.report_paths)));
});

test('GitLab CI: the run and artifacts:reports:junit agree on the JUnit file, kept when the job fails', async () => {
  const job = load('gitlab-ci.yml')['fapi-sandbox'];
  assert.match(job.image, /^node:(2[02468])/);
  const { args, junit } = command(job.script.find((l: string) => l.includes('fapi-sandbox run')));
  await acceptedByTheCli(args);
  assert.equal(job.artifacts.when, 'always');
  assert.match(junit, glob(job.artifacts.reports.junit));
});
