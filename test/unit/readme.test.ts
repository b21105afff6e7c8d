// The README's recipes that can drift from the code without a server: the scenario of "Add a scenario"
// is a valid scenario (the parser and the published JSON Schema agree) whose id is its file name, the
// mistake it shows is reported as the README says, and the CI snippets run the same commands as the
// files in examples/ci/. (The curl recipes need a running sandbox: they were run by hand, see DEVELOPERS.md.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT_DIR } from '../../server/config.ts';
import { formatScenarioError, parseScenario } from '../../lib/scenario/parse.ts';

const readme = readFileSync(path.join(ROOT_DIR, 'README.md'), 'utf8');
const section = (title: string) => {
  const start = readme.indexOf(`\n## ${title}`);
  assert.ok(start >= 0, `README has a "${title}" section`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end === -1 ? undefined : end);
};
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

test('"Add a scenario": the example is a valid scenario, named after its file, and its mistake reads as shown', () => {
  const text = section('Add a scenario');
  const [yaml] = blocks(text, 'yaml');
  const file = /`(my-scenarios\/([a-z0-9-]+)\.yaml)`/.exec(text)!;
  const result = parseScenario(yaml!, file[1]!);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  assert.equal(result.scenario.id, file[2]);
  const ajv = new Ajv2020({ strict: false });
  ajv.addFormat('starts_with', true);
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(ROOT_DIR, 'schemas', 'scenario.schema.json'), 'utf8')));
  assert.ok(validate(parse(yaml!)), JSON.stringify(validate.errors));
  const broken = parseScenario(yaml!.replace('status: 401, error: invalid_token', 'status: 401, eror: invalid_token'), file[1]!);
  assert.ok(!broken.ok);
  const shown = /runs: `([^`]+)`/.exec(text)![1];
  assert.equal(formatScenarioError(broken.errors[0]!), shown);
});

test('"In CI": the snippets run the commands of examples/ci/', () => {
  const text = section('In CI: GitHub Actions and GitLab CI');
  const commands = blocks(text, 'yaml').flatMap((b) => [...b.matchAll(/(npx --yes fapi-sandbox run [^\n]+)/g)].map((m) => m[1]!.trim()));
  assert.equal(commands.length, 2);
  for (const [command, file] of [[commands[0]!, 'github-actions.yml'], [commands[1]!, 'gitlab-ci.yml']] as const) {
    assert.ok(readFileSync(path.join(ROOT_DIR, 'examples', 'ci', file), 'utf8').includes(command), `${file} runs ${command}`);
  }
});
