// `npm start` / `fapi-sandbox start` as a user runs it (child processes, every port free): certs/
// generated when missing, /api/health 200 with every listener, a banner with every URL and the curl
// recipe, Ctrl-C (SIGINT) and SIGTERM stop it cleanly and close the ports, and a port in use or a bad
// setting is a clear error naming the environment variable, exit 1.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { send, jsonBody } from '../../server/engine/http-client.ts';
import { cliEnv, runCli, spawnCli } from '../helpers/cli.ts';
import { tempDataDir } from '../helpers/paths.ts';

const tmp = tempDataDir('start');
after(() => tmp.remove());

interface Ready { pid: number; urls: Record<string, string>; startupMs: number; certsDir: string }

/** Waits for the ready file (written once every listener is up); collects output meanwhile. */
async function started(child: ChildProcess, readyFile: string, timeoutMs = 30_000): Promise<{ ready: Ready; output: () => string; exited: Promise<{ code: number | null; signal: string | null; atMs: number }> }> {
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null; atMs: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() })));
  const t0 = performance.now();
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was ready:\n${out}`);
    if (performance.now() - t0 > timeoutMs) throw new Error(`not ready after ${timeoutMs} ms:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The banner is printed just before the ready file is written; give stdout a moment to drain.
  while (!out.includes('Ctrl-C stops everything.') && performance.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 20));
  return { ready: JSON.parse(readFileSync(readyFile, 'utf8')) as Ready, output: () => out, exited };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

test('npm start (scripts/start.mjs) with a fresh certs directory: generates certs/, health 200 with every listener, banner, Ctrl-C stops within 2 s and frees the ports', async (ctx) => {
  const certs = path.join(tmp.dir, 'fresh-certs');
  const readyFile = path.join(tmp.dir, 'ready-1.json');
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT_DIR, 'scripts', 'start.mjs'), '--no-ui'], {
    cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'pipe'],
    env: cliEnv(path.join(tmp.dir, 'data-1'), { FAPI_CERTS_DIR: certs, FAPI_READY_FILE: readyFile }),
  });
  try {
    const { ready, output, exited } = await started(child, readyFile);
    ctx.diagnostic(`ready ${Math.round(performance.now() - t0)} ms after spawn (stack ${ready.startupMs} ms, including PKI generation)`);
    assert.equal(ready.pid, child.pid);
    assert.ok(existsSync(path.join(certs, 'index.json')), 'certs generated');
    assert.equal(ready.certsDir, certs);

    const health = await send({ method: 'GET', url: `${ready.urls.ui}/api/health`, headers: {}, ca: '', cert: null });
    assert.equal(health.response?.status, 200);
    assert.match(String(health.response!.headers['content-type']), /application\/json/);
    const body = jsonBody(health)!;
    assert.equal(body.status, 'ok');
    assert.deepEqual(body.listeners, { ui: true, idp: true, idpMtls: true, gateway: true, gatewayStrict: true, api: true });
    assert.deepEqual(body.urls, ready.urls);
    assert.deepEqual(body.database, { provider: 'sqlite', shared: false });
    const ca = readFileSync(path.join(certs, 'ca', 'root-ca.pem'), 'utf8');
    const discovery = await send({ method: 'GET', url: `${ready.urls.idp}/.well-known/openid-configuration`, headers: {}, ca, cert: null });
    assert.equal(jsonBody(discovery)!.issuer, ready.urls.idp, 'the IdP answers over TLS with the generated server certificate');
    const gateway = await send({ method: 'GET', url: `${ready.urls.gateway}/open-banking/v3.1/aisp/accounts`, headers: {}, ca, cert: null });
    assert.equal(gateway.response?.status, 401, 'the gateway answers');

    const banner = output();
    assert.match(banner, /generating the sandbox PKI/);
    assert.match(banner, /fapi-sandbox is up \(\d+\.\d\d s\)/);
    for (const url of Object.values(ready.urls)) assert.ok(banner.includes(url), `banner lists ${url}`);
    assert.ok(banner.includes(`${ready.urls.ui}/api/health`));
    assert.ok(banner.includes(`${ready.urls.idpMtls}/token`), 'the curl recipe gets a token at the mTLS alias');
    assert.match(banner, /curl -s --cacert \S+root-ca\.pem --cert \S+tpp-alpha\.chain\.pem --key \S+tpp-alpha\.key\.pem/);
    assert.ok(banner.includes(`-H "Authorization: Bearer $TOKEN" ${ready.urls.gateway}/open-banking/v3.1/aisp/accounts`));

    const stopAt = performance.now();
    child.kill('SIGINT');
    const { code, atMs } = await exited;
    assert.equal(code, 0, output());
    assert.ok(atMs - stopAt < 2000, `stopped in ${Math.round(atMs - stopAt)} ms`);
    ctx.diagnostic(`SIGINT to exit: ${Math.round(atMs - stopAt)} ms`);
    assert.match(output(), /SIGINT: stopping…/);
    for (const url of Object.values(ready.urls)) assert.equal(await portOpen(portOf(url)), false, `${url} closed`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('fapi-sandbox start --no-ui on the shared certs: SIGTERM stops it cleanly too, exit 0', async () => {
  const readyFile = path.join(tmp.dir, 'ready-2.json');
  const child = spawnCli(['start', '--no-ui'], cliEnv(path.join(tmp.dir, 'data-2'), { FAPI_READY_FILE: readyFile }));
  try {
    const { ready, output, exited } = await started(child, readyFile);
    assert.doesNotMatch(output(), /generating the sandbox PKI/, 'existing certs are reused');
    const health = await send({ method: 'GET', url: `${ready.urls.ui}/api/health`, headers: {}, ca: '', cert: null });
    assert.equal(health.response?.status, 200);
    const ui = await send({ method: 'GET', url: `${ready.urls.ui}/`, headers: {}, ca: '', cert: null });
    assert.equal(ui.response?.status, 404, 'no UI with --no-ui');
    assert.match(String(jsonBody(ui)?.error_description), /--no-ui/);
    child.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 0, output());
    assert.match(output(), /SIGTERM: stopping…/);
    assert.equal(await portOpen(portOf(ready.urls.gateway)), false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a port already in use: exit 1 and a message naming the listener and its environment variable', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const stale = path.join(tmp.dir, 'ready-stale.json');
    writeFileSync(stale, '{"pid":1}');
    const r = await runCli(['start', '--no-ui'], cliEnv(path.join(tmp.dir, 'data-3'), { FAPI_GATEWAY_PORT: String(port), FAPI_READY_FILE: stale }), 30_000);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(existsSync(stale), false, 'a ready file from an earlier run is removed, not left to mislead');
    assert.ok(r.stderr.includes(`fapi-sandbox: port ${port} (gateway) is already in use: stop the other process or set FAPI_GATEWAY_PORT`), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    blocker.close();
  }
});

test('bad settings: exit 1 naming the variable and what it takes', async () => {
  const cases: [Record<string, string>, string][] = [
    [{ FAPI_IDP_PORT: 'abc' }, 'FAPI_IDP_PORT must be an integer 0..65535, got "abc"'],
    [{ FAPI_API_PORT: '70000' }, 'FAPI_API_PORT must be an integer 0..65535, got "70000"'],
    [{ FAPI_ACCESS_TOKEN_ALG: 'RS256' }, 'FAPI_ACCESS_TOKEN_ALG must be one of PS256, ES256, got "RS256"'],
    [{ FAPI_IDP_DPOP_NONCE: 'yes' }, 'FAPI_IDP_DPOP_NONCE must be one of 0, 1, got "yes"'],
  ];
  const results = await Promise.all(cases.map(([extra], i) => runCli(['start', '--no-ui'], cliEnv(path.join(tmp.dir, `data-bad-${i}`), extra), 30_000)));
  cases.forEach(([, message], i) => {
    assert.equal(results[i]!.code, 1, results[i]!.stderr);
    assert.ok(results[i]!.stderr.includes(`fapi-sandbox: ${message}`), results[i]!.stderr);
  });
});
