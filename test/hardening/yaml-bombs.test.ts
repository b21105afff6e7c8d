// YAML alias bombs ("billion laughs") are file errors with a line, never an exception: the CLI exits 2
// (a bad file, not a failed scenario), the scenario catalogue keeps answering with the error listed,
// and POST /api/targets answers 400.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseScenario } from '../../lib/scenario/parse.ts';
import { parseTarget } from '../../lib/target/parse.ts';
import { CatalogueCache } from '../../server/engine/catalogue.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { runCli, cliEnv } from '../helpers/cli.ts';
import { tempDataDir } from '../helpers/paths.ts';

/** Ten levels of ten aliases: 10^10 strings once expanded. */
export function aliasBomb(top = 'steps'): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`);
  return `id: bomb\ntitle: bomb\n${lines.join('\n')}\n${top}: *a9\n`;
}

let t: TestStack;
before(async () => {
  t = await startTestStack('yaml-bombs');
});
after(() => t.stop());

test('parsers turn an alias bomb into a file error', () => {
  const s = parseScenario(aliasBomb(), 'bomb.yaml');
  assert.equal(s.ok, false);
  assert.match(!s.ok ? s.errors[0]!.message : '', /alias/i);
  const tf = parseTarget(aliasBomb('description'), 'bomb.yaml');
  assert.equal(tf.ok, false);
});

test('one alias bomb in a scenarios folder is listed as that file\'s error; the rest of the catalogue stands', () => {
  const data = tempDataDir('yaml-bomb-catalogue');
  try {
    writeFileSync(path.join(data.dir, 'bomb.yaml'), aliasBomb());
    const catalogue = new CatalogueCache(data.dir, ROOT_DIR).get();
    assert.deepEqual(catalogue.errors.map((e) => e.file.endsWith('bomb.yaml')), [true]);
  } finally {
    data.remove();
  }
});

test('POST /api/targets with an alias bomb is 400 invalid_target', async () => {
  const res = await fetch(`${t.stack.urls.ui}/api/targets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ yaml: aliasBomb('description') }) });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: string }).error, 'invalid_target');
});

test('the CLI with an alias bomb exits 2 with the file error, no stack trace', { timeout: 120_000 }, async () => {
  const data = tempDataDir('yaml-bomb-cli');
  try {
    const dir = path.join(data.dir, 'scenarios');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'bomb.yaml'), aliasBomb());
    const r = await runCli(['run', '--scenarios', dir], cliEnv(data.dir));
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, /bomb\.yaml/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    data.remove();
  }
});
