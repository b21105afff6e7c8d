// The published package, as a user gets it: `npm pack` (prepack builds the web UI, prepare the Prisma
// client and dist/), the tarball's contents checked, installed into a clean temporary directory
// (`npm init -y && npm install <tarball>`: registry dependencies, better-sqlite3 built for this Node),
// then `npx fapi-sandbox run` (the whole catalogue, exit 0), `run --reporter junit --out results.xml`,
// and `start` with and without the UI (health, a page, the OpenAPI documents), stopped with SIGTERM.
// Costs an npm install with a native build (about 2 minutes here), so it is its own step in .ci/run,
// not part of `npm test`. Usage: npm run test:pack [-- --keep]   (--keep leaves the directory for a look)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnGroup, waitForJson } from './sandbox.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(path.join(os.tmpdir(), 'fapi-pack-'));
const clean = path.join(work, 'project');
// The consumer's environment: none of this checkout's FAPI_* settings, no CI hint for npm.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FAPI_') && !k.startsWith('npm_')));
env.NEXT_TELEMETRY_DISABLED = '1';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const timings = [];

function step(label, fn) {
  const t0 = performance.now();
  process.stdout.write(`--- ${label}\n`);
  const result = fn();
  const seconds = (performance.now() - t0) / 1000;
  timings.push([label, seconds]);
  process.stdout.write(`    ${seconds.toFixed(1)} s\n`);
  return result;
}

function fail(message) {
  console.error(`\ntest-pack: FAILED: ${message}\n(work directory: ${work})`);
  process.exit(1);
}

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return r;
}

const tarball = step('npm pack (prepack: next build; prepare: prisma generate, tsc)', () => {
  const r = run(npm, ['pack', '--pack-destination', work, '--json'], { cwd: root, env: { ...env, ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('npm_config_'))) } });
  if (r.status !== 0) fail(`npm pack exited ${r.status}:\n${r.stderr.slice(-4000)}`);
  const json = /^\[\s*\{\s*"id"/m.exec(r.stdout);
  if (!json) fail(`npm pack printed no JSON:\n${r.stdout.slice(-2000)}`);
  const [info] = JSON.parse(r.stdout.slice(json.index));
  const files = info.files.map((f) => f.path);
  const need = ['bin/fapi-sandbox.js', 'dist/server/cli/main.js', 'dist/generated/prisma/client.js', '.next/BUILD_ID', 'next.config.ts',
    'scenarios/mtls-stolen-token-other-certificate.yaml', 'schemas/scenario.schema.json', 'schemas/target.schema.json',
    'openapi/ob-api.yaml', 'openapi/control-api.yaml', 'prisma/schema.prisma', 'examples/targets/your-gateway.yaml', 'README.md'];
  const missing = need.filter((f) => !files.includes(f));
  if (!files.some((f) => f.startsWith('prisma/migrations/') && f.endsWith('migration.sql'))) missing.push('prisma/migrations/*/migration.sql');
  if (missing.length) fail(`the tarball lacks ${missing.join(', ')}`);
  const unwanted = files.filter((f) => /^(\.next\/cache|test|e2e|server|lib|app|generated|data|scripts)\//.test(f) || (f.startsWith('certs/') && f !== 'certs/README.md') || f.endsWith('.map'));
  if (unwanted.length) fail(`the tarball holds what it should not: ${unwanted.slice(0, 10).join(', ')}`);
  console.log(`    ${info.filename}: ${files.length} files, ${(info.size / 1e6).toFixed(2)} MB packed, ${(info.unpackedSize / 1e6).toFixed(2)} MB unpacked`);
  return path.join(work, info.filename);
});

step('npm init -y && npm install <tarball> in a clean directory', () => {
  rmSync(clean, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', clean]);
  if (run(npm, ['init', '-y'], { cwd: clean }).status !== 0) fail('npm init -y');
  const r = run(npm, ['install', '--no-audit', '--no-fund', tarball], { cwd: clean });
  if (r.status !== 0) fail(`npm install exited ${r.status}:\n${r.stderr.slice(-4000)}`);
  const installed = path.join(clean, 'node_modules', 'fapi-sandbox');
  if (!existsSync(path.join(installed, '.next', 'BUILD_ID'))) fail('the installed package has no built UI');
  if (existsSync(path.join(clean, 'node_modules', 'prisma')) || existsSync(path.join(clean, 'node_modules', 'typescript'))) fail('a build-time dependency (prisma, typescript) was installed for the user');
});

const catalogue = readdirSync(path.join(root, 'scenarios')).filter((f) => f.endsWith('.yaml')).length;

step('npx fapi-sandbox run (the whole catalogue)', () => {
  const r = run(npx, ['--no', 'fapi-sandbox', 'run'], { cwd: clean });
  const summary = /(\d+) passed/.exec(r.stdout);
  if (r.status !== 0) fail(`npx fapi-sandbox run exited ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  if (!summary || Number(summary[1]) !== catalogue) fail(`expected ${catalogue} scenarios to pass:\n${r.stdout.slice(-2000)}`);
  console.log(`    ${r.stdout.trim().split('\n').at(-1)}`);
});

step('npx fapi-sandbox run --reporter junit --out results.xml', () => {
  const r = run(npx, ['--no', 'fapi-sandbox', 'run', '--reporter', 'junit', '--out', 'results.xml'], { cwd: clean });
  if (r.status !== 0) fail(`exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const xml = readFileSync(path.join(clean, 'results.xml'), 'utf8');
  const suites = /<testsuites\b[^>]*\btests="(\d+)"[^>]*\bfailures="(\d+)"/.exec(xml) ?? /<testsuites\b[^>]*\bfailures="(\d+)"[^>]*\btests="(\d+)"/.exec(xml);
  if (!xml.startsWith('<?xml') || !suites) fail(`results.xml is not JUnit XML:\n${xml.slice(0, 500)}`);
  const testcases = (xml.match(/<testcase\b/g) ?? []).length;
  if (testcases !== catalogue || /<failure\b/.test(xml)) fail(`results.xml: ${testcases} testcases (expected ${catalogue}), failures: ${/<failure\b/.test(xml)}`);
});

/** `fapi-sandbox start` on free ports until FAPI_READY_FILE appears; checks the URLs, then SIGTERM. */
async function start(args, checks) {
  const ready = path.join(work, `ready-${args.join('') || 'ui'}.json`);
  const proc = spawnGroup(path.join(clean, 'node_modules', '.bin', 'fapi-sandbox'), ['start', ...args], {
    cwd: clean, baseEnv: env, log: true,
    env: { FAPI_READY_FILE: ready, FAPI_UI_PORT: '0', FAPI_IDP_PORT: '0', FAPI_IDP_MTLS_PORT: '0', FAPI_GATEWAY_PORT: '0', FAPI_GATEWAY_STRICT_PORT: '0', FAPI_API_PORT: '0' },
  });
  try {
    const { urls } = await waitForJson(ready, proc).catch((err) => fail(`start ${args.join(' ')}: ${err.message}`));
    for (const [pathname, want] of checks) {
      const res = await fetch(urls.ui + pathname);
      const text = await res.text();
      if (res.status !== 200 || !want.test(text)) fail(`start ${args.join(' ')}: GET ${pathname} answered ${res.status}: ${text.slice(0, 300)}`);
    }
  } finally {
    const { code } = await proc.stop(30_000);
    if (code !== 0) fail(`start ${args.join(' ')} did not stop cleanly on SIGTERM (exit ${code}):\n${proc.output()}`);
  }
}

const t0 = performance.now();
process.stdout.write('--- fapi-sandbox start --no-ui, then start (the web UI from the tarball)\n');
await start(['--no-ui'], [['/api/health', /"status":"ok"/], ['/api/openapi/ob-api.json', /"openapi":"3\.1\.0"/]]);
await start([], [['/api/health', /"status":"ok"/], ['/', /<html[\s\S]*fapi-sandbox/i], ['/runs', /<html/i]]);
timings.push(['start --no-ui and start', (performance.now() - t0) / 1000]);
console.log(`    ${timings.at(-1)[1].toFixed(1)} s`);

console.log(`\ntest-pack: passed. ${timings.map(([l, s]) => `${l.split(' (')[0]}: ${s.toFixed(1)} s`).join('; ')}`);
if (keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
