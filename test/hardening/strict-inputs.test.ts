// Typos are errors, not silent defaults: POST /api/runs refuses unknown fields (400 naming the field: a
// misspelt "target" would run against the bundled stack), and a scenario naming a certificate the
// sandbox does not have is a scenario-file error (CLI exit 2), not a skipped scenario and exit 0.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { runCli, cliEnv } from '../helpers/cli.ts';
import { tempDataDir } from '../helpers/paths.ts';
import { loadCatalogue } from '../../server/engine/catalogue.ts';
import { ROOT_DIR } from '../../server/config.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('strict-inputs');
});
after(() => t.stop());

test('POST /api/runs with an unknown field is 400 naming it', async () => {
  const res = await fetch(`${t.stack.urls.ui}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarios: ['mtls-client-credentials'], taget: 'my-bank' }) });
  const body = (await res.json()) as { error: string; error_description: string };
  assert.equal(res.status, 400, JSON.stringify(body));
  assert.equal(body.error, 'invalid_request');
  assert.match(body.error_description, /"taget"/);
  assert.equal(await t.stack.db.prisma.run.count(), 0, 'nothing ran');
});

test('a scenario naming an unknown certificate is a scenario-file error; the CLI exits 2', { timeout: 120_000 }, async () => {
  const data = tempDataDir('unknown-cert');
  try {
    const dir = path.join(data.dir, 'scenarios');
    mkdirSync(dir);
    const text = readFileSync(path.join(ROOT_DIR, 'scenarios', 'mtls-client-credentials.yaml'), 'utf8')
      .replace('id: mtls-client-credentials', 'id: typo-cert').replace('{ certificate: tpp-alpha,', '{ certificate: tpp-alhpa,');
    writeFileSync(path.join(dir, 'typo-cert.yaml'), text);
    const catalogue = loadCatalogue([dir]);
    assert.equal(catalogue.scenarios.length, 0);
    assert.equal(catalogue.errors[0]?.path, 'actors.alpha.certificate');
    assert.match(catalogue.errors[0]!.message, /tpp-alhpa/);
    const r = await runCli(['run', '--scenarios', dir], cliEnv(data.dir));
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /tpp-alhpa/);
  } finally {
    data.remove();
  }
});
