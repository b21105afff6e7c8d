// Targets posted to the control API give nothing of the server away: no ${VAR} is expanded from the
// server's environment (expansion is for target files the CLI loads from disk), file paths stay inside
// the allowed folders with the same answer whether an outside file exists or not and never a byte of
// it, and no target endpoint is a link-local / cloud metadata address (169.254.0.0/16, fe80::/10).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { send } from '../../server/engine/http-client.ts';
import { loadTargetText } from '../../server/targets/load.ts';
import { ROOT_DIR } from '../../server/config.ts';

let t: TestStack;
before(async () => {
  process.env.FAPI_TEST_SECRET_VALUE = 'sekr1t-from-the-server-env';
  t = await startTestStack('target-files');
});
after(() => t.stop());

async function post(yaml: string): Promise<{ status: number; text: string; body: { error?: string; errors?: { path: string; message: string }[] } }> {
  const res = await fetch(`${t.stack.urls.ui}/api/targets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ yaml }) });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}

const base = (name: string) => `name: ${name}\nauthorizationServer: bundled\nresourceServer: { baseUrl: "https://localhost:9443" }\nsenderConstraint: mtls\n`;

test('a posted target\'s ${VAR} is not expanded from the server environment, nor echoed back expanded', async () => {
  const r = await post(`${base('env-probe')}description: "\${FAPI_TEST_SECRET_VALUE}"\n`);
  assert.doesNotMatch(r.text, /sekr1t/);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.errors?.[0]?.path, 'description');
  assert.match(r.body.errors![0]!.message, /only in target files the CLI loads/);
  // A CLI-loaded file (loadTargetFile, or loadTargetText with an env) still expands.
  const cli = loadTargetText(`${base('cli')}description: "\${X}"\n`, 't.yaml', { baseDir: ROOT_DIR, env: { X: 'from env' } });
  assert.equal(cli.file.description, 'from env');
});

test('posted target file paths outside the allowed folders are refused alike, existing or not, and leak no byte', async () => {
  const answers = [];
  for (const file of ['/etc/passwd', '/etc/no-such-file-here', '../../../../../etc/passwd', 'package.json']) {
    for (const field of [`trust: "${file}"`, `clients: { tpp-alpha: { clientId: x, dpopKey: "${file}" } }`]) {
      const r = await post(`${base(`paths-${answers.length}`)}${field}\n`);
      assert.equal(r.status, 400, r.text);
      assert.doesNotMatch(r.text, /root:|"name": "fapi-sandbox"|no such file|ENOENT/);
      answers.push(r.body.errors!.map((e) => e.message.replaceAll(file, 'FILE')).join('|'));
    }
  }
  assert.equal(new Set(answers.filter((_, i) => i % 2 === 0)).size, 1, `trust: one answer for every path: ${answers.join(' / ')}`);
  assert.equal(new Set(answers.filter((_, i) => i % 2 === 1)).size, 1, `dpopKey: one answer for every path: ${answers.join(' / ')}`);
  assert.match(answers[0]!, /outside the folders/);
  // A file in the sandbox's certs/ folder is fine.
  const ok = await post(`${base('paths-ok')}trust: certs/ca/root-ca.pem\n`);
  assert.equal(ok.status, 201, ok.text);
});

test('link-local and metadata addresses are refused as target endpoints, and the engine never connects to them', async () => {
  for (const url of ['https://169.254.169.254', 'https://[fe80::1]:8443', 'https://2852039166', 'https://[::ffff:169.254.169.254]']) {
    const r = await post(`name: meta\nauthorizationServer: bundled\nresourceServer: { baseUrl: "${url}" }\nsenderConstraint: mtls\n`);
    assert.equal(r.status, 400, `${url}: ${r.text}`);
    assert.match(r.body.errors![0]!.message, /link-local/);
  }
  const ex = await send({ method: 'GET', url: 'http://169.254.169.254/latest/meta-data/', headers: {}, ca: t.stack.pki.rootCa, cert: null, timeoutMs: 2_000 });
  assert.equal(ex.response, null);
  assert.match(ex.error?.message ?? '', /link-local/);
});
