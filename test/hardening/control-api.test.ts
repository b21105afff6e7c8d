// The control API (web UI port): loopback-only by default, mutations refused from other sites
// (Origin, Sec-Fetch-Site, preflight-free content types: Fetch §3.2.3 / §2.2.2), and a Host allowlist
// against DNS rebinding. Reads stay open to the sandbox's own pages and to curl.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { loadConfig } from '../../server/config.ts';

let t: TestStack;
let port: number;
before(async () => {
  t = await startTestStack('control-api');
  port = Number(new URL(t.stack.urls.ui).port);
});
after(() => t.stop());

/** A raw request to the UI port (fetch would not let us set Host or Sec-Fetch-Site). */
function request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const RUN = JSON.stringify({ scenarios: ['mtls-client-credentials'] });
const own = () => ({ host: `localhost:${port}`, origin: `http://localhost:${port}` });

test('the listeners bind to 127.0.0.1 by default; the UI port is not reachable on other interfaces', async () => {
  assert.equal(loadConfig({}, {}).bind, '127.0.0.1');
  assert.equal(loadConfig({}, { FAPI_BIND: '0.0.0.0' }).bind, '0.0.0.0');
  for (const server of Object.values(t.stack.servers)) {
    const address = server.address();
    assert.ok(address && typeof address === 'object' && address.address === '127.0.0.1');
  }
  const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (external) {
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(port, external.address);
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED', `the UI port on ${external.address}`);
  }
});

test('a mutation from the sandbox\'s own page (or from curl, without Origin) is accepted', async () => {
  const page = await request('POST', '/api/runs', { ...own(), 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, RUN);
  assert.equal(page.status, 202, JSON.stringify(page.json));
  const curl = await request('POST', '/api/runs', { host: `127.0.0.1:${port}`, 'content-type': 'application/json; charset=utf-8' }, RUN);
  assert.equal(curl.status, 202, JSON.stringify(curl.json));
  // Let both runs finish before the stack stops.
  for (const runId of [page.json.runId, curl.json.runId]) {
    while ((await t.stack.db.prisma.run.findUnique({ where: { id: String(runId) } }))?.status === 'running') await new Promise((r) => setTimeout(r, 50));
  }
});

test('cross-site mutations are 403 cross_site_request with a reason', async () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['another site\'s Origin', { origin: 'https://evil.example', 'content-type': 'application/json' }, /Origin https:\/\/evil\.example is not this sandbox/],
    ['another port on localhost', { origin: 'http://localhost:1', 'content-type': 'application/json' }, /is not this sandbox/],
    ['an opaque Origin (sandboxed frame, file:)', { origin: 'null', 'content-type': 'application/json' }, /Origin null/],
    ['no Origin, Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, /Sec-Fetch-Site cross-site refused/],
    ['no Origin, Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, /same-site refused/],
    ['a form post (no preflight)', { 'content-type': 'application/x-www-form-urlencoded' }, /without a preflight/],
    ['a multipart form post', { 'content-type': 'multipart/form-data; boundary=x' }, /without a preflight/],
    ['text/plain (no preflight)', { 'content-type': 'text/plain' }, /without a preflight/],
    ['no content type', {}, /typeless body/],
  ];
  for (const [label, headers, reason] of cases) {
    const r = await request('POST', '/api/runs', { host: `localhost:${port}`, ...headers }, RUN);
    assert.equal(r.status, 403, label);
    assert.equal(r.json.error, 'cross_site_request', label);
    assert.match(String(r.json.error_description), reason, label);
  }
  const xml = await request('POST', '/api/runs', { ...own(), 'content-type': 'application/xml' }, '<run/>');
  assert.equal(xml.status, 415);
  assert.equal(xml.json.error, 'unsupported_media_type');
});

test('reads stay available (health, runs, scenarios); a foreign Origin on a GET gets no CORS grant', async () => {
  for (const path of ['/api/health', '/api/runs', '/api/scenarios']) {
    const r = await request('GET', path, own());
    assert.equal(r.status, 200, path);
  }
  const headers = await new Promise<http.IncomingHttpHeaders>((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/api/runs', headers: { host: `localhost:${port}`, origin: 'https://evil.example' } }, (res) => {
      res.resume();
      resolve(res.headers);
    });
  });
  assert.equal(headers['access-control-allow-origin'], undefined);
});

test('DNS rebinding: a Host that is not a name of this sandbox is refused (421) on every path', async () => {
  for (const host of ['evil.example', `evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
    for (const [method, path] of [['GET', '/api/runs'], ['GET', '/'], ['POST', '/api/runs']] as const) {
      const r = await request(method, path, { host, 'content-type': 'application/json' }, method === 'POST' ? RUN : undefined);
      assert.equal(r.status, 421, `${method} ${path} Host ${host}`);
      assert.equal(r.json.error, 'host_not_allowed');
    }
  }
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST', `localhost:${port + 1}`]) {
    assert.equal((await request('GET', '/api/health', { host })).status, 200, host);
  }
  // More names (a container's), or none checked at all, from the environment.
  assert.ok(loadConfig({}, { FAPI_ALLOWED_HOSTS: 'sandbox.internal, Demo.Example' }).allowedHosts.includes('demo.example'));
  assert.ok(loadConfig({}, { FAPI_PUBLIC_HOST: 'fapi.test' }).allowedHosts.includes('fapi.test'));
  assert.ok(loadConfig({}, { FAPI_BIND: '192.0.2.7' }).allowedHosts.includes('192.0.2.7'));
  assert.ok(!loadConfig({}, { FAPI_BIND: '0.0.0.0' }).allowedHosts.includes('0.0.0.0'));
  assert.deepEqual(loadConfig({}, { FAPI_ALLOWED_HOSTS: '*' }).allowedHosts.includes('*'), true);
});
