// docker-compose.yml's `nginx` profile without Docker (no engine here): the same steps on this machine.
// examples/docker/nginx-config.mjs renders the gateway config into <data>/nginx with certs/ beside it,
// Debian's nginx runs it with the compose command's -p / -c layout, and the mTLS scenarios run through
// examples/targets/compose-nginx.yaml against the running sandbox by URL (nothing bundled started),
// as `docker compose exec sandbox ... run --target examples/targets/compose-nginx.yaml mtls` does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { loadCatalogue, select } from '../../server/engine/catalogue.ts';
import { runScenarios, type RunResult } from '../../server/engine/runner.ts';
import { openTargetFile } from '../../server/targets/open.ts';
import { freePort, nginxBinary, njsModule } from '../helpers/nginx.ts';
import { certsDir } from '../helpers/paths.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const SCRIPT = path.join(ROOT_DIR, 'examples', 'docker', 'nginx-config.mjs');
const KEY = 'compose-gateway-key-0123456789abcdef';
const missing = !nginxBinary() ? 'nginx is not installed' : !njsModule() ? 'the njs module (libnginx-mod-http-js) is not installed' : null;
if (missing && process.env.CI) throw new Error(`${missing}: apt-get install nginx libnginx-mod-http-js (.ci/run does)`);

/** A prefix laid out like the nginx container's /fapi: certs/ (the shared PKI) and data/ side by side. */
function prefix(): { dir: string; env: Record<string, string>; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fapi-compose-'));
  chmodSync(dir, 0o755); // a root master runs its workers as nobody: they read data/nginx/jwks.json
  symlinkSync(certsDir(), path.join(dir, 'certs'));
  mkdirSync(path.join(dir, 'data'), { mode: 0o755 });
  return { dir, env: { FAPI_CERTS_DIR: path.join(dir, 'certs'), FAPI_DATA_DIR: path.join(dir, 'data') }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function render(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FAPI_'))) as NodeJS.ProcessEnv;
  return spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...clean, ...env } });
}

describe('the nginx-config step of the compose nginx profile', () => {
  test('refuses to render without a usable gateway key or with an unknown example, saying why', () => {
    const p = prefix();
    try {
      const none = render(p.env);
      assert.equal(none.status, 2);
      assert.match(none.stderr, /set FAPI_EXTERNAL_GATEWAY_KEY \(at least 16 characters/);
      const quote = render({ ...p.env, FAPI_EXTERNAL_GATEWAY_KEY: 'has"a;quote-0123456789' });
      assert.equal(quote.status, 2);
      assert.match(quote.stderr, /letters, digits/);
      const other = render({ ...p.env, FAPI_EXTERNAL_GATEWAY_KEY: KEY, FAPI_NGINX_CONFIG: 'envoy' });
      assert.equal(other.status, 2);
      assert.match(other.stderr, /FAPI_NGINX_CONFIG must be cnf-binding or ssl-verify-only, got "envoy"/);
    } finally {
      p.remove();
    }
  });
});

describe('the compose nginx profile, run here', { skip: missing ?? false }, () => {
  let t: TestStack;
  let p: ReturnType<typeof prefix>;
  let nginx: ChildProcess;
  let output = '';
  let nginxPort = 0;
  let result: RunResult;

  before(async () => {
    t = await startTestStack('compose-nginx', { externalGatewayKey: KEY });
    p = prefix();
    nginxPort = await freePort();
    const r = render({
      ...p.env, FAPI_EXTERNAL_GATEWAY_KEY: KEY, FAPI_NGINX_PORT: String(nginxPort),
      FAPI_API_PORT: new URL(t.stack.urls.api).port, FAPI_IDP_PORT: new URL(t.stack.urls.idp).port,
    });
    assert.equal(r.status, 0, r.stderr);
    const conf = path.join(p.dir, 'data', 'nginx', 'gateway.conf');
    assert.match(readFileSync(conf, 'utf8'), new RegExp(`listen ${nginxPort} ssl;[\\s\\S]*x-sandbox-gateway-key "${KEY}"`));
    // The compose service's command, with Debian's nginx: nginx -p /fapi -c /fapi/data/nginx/gateway.conf.
    nginx = spawn(nginxBinary()!, ['-p', p.dir, '-e', 'stderr', '-c', conf, '-g', 'daemon off;'], { cwd: p.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stdout!.on('data', (d: Buffer) => (output += d));
    nginx.stderr!.on('data', (d: Buffer) => (output += d));
    for (let i = 0; !(await new Promise<boolean>((res) => net.connect(nginxPort, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); res(true); }).once('error', () => res(false)))); i++) {
      if (nginx.exitCode !== null || i > 400) throw new Error(`nginx did not start:\n${output}`);
      await new Promise((res) => setTimeout(res, 25));
    }
    let yaml = readFileSync(path.join(ROOT_DIR, 'examples', 'targets', 'compose-nginx.yaml'), 'utf8');
    const rewrite = (pattern: RegExp, value: string) => {
      assert.match(yaml, pattern);
      yaml = yaml.replace(pattern, value);
    };
    rewrite(/https:\/\/localhost:8443\//, `${t.stack.urls.idp}/`);
    rewrite(/https:\/\/localhost:9543/, `https://localhost:${nginxPort}`);
    rewrite(/\.\.\/\.\.\/certs\//g, `${certsDir()}/`);
    const file = path.join(p.dir, 'compose-nginx.yaml');
    writeFileSync(file, yaml);
    const opened = await openTargetFile(file);
    assert.equal(opened.stack, null, 'nothing bundled is started: the sandbox already runs');
    try {
      const { selected } = select(loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR).scenarios, ['mtls']);
      result = await runScenarios({ scenarios: selected, target: opened.target, trigger: 'test', prisma: null, concurrency: 2 });
    } finally {
      await opened.stop();
    }
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((res) => nginx.once('exit', res));
      nginx.kill('SIGTERM');
      await exited;
    }
    p?.remove();
    await t?.stop();
  });

  test('the stolen certificate-bound token is refused by nginx; no mTLS scenario fails', () => {
    const statuses = Object.fromEntries(result.scenarios.map((s) => [s.scenarioId, s.status]));
    assert.equal(statuses['mtls-stolen-token-other-certificate'], 'passed', output);
    assert.equal(statuses['mtls-client-credentials'], 'passed');
    assert.equal(statuses['mtls-revoked-certificate'], 'passed');
    const failed = result.scenarios.filter((s) => s.status === 'failed' || s.status === 'error');
    assert.deepEqual(failed.map((s) => `${s.scenarioId}: ${s.failure?.explanation ?? s.reason}`), []);
    assert.ok(result.scenarios.filter((s) => s.status === 'passed').length >= 10, JSON.stringify(statuses));
  });
});
