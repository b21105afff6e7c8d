// Server limits over real sockets (RFC 9110 §15.5.9 408, §15.5.14 413, RFC 6585 §5 431): oversized and
// too many headers, huge bodies refused without being read, slowloris and slow bodies cut off by
// the head / request timeouts, stalled TLS handshakes dropped, idle connections not starving others.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { startTestStack, idpToken, callGateway, material, thumbprint, type TestStack } from '../helpers/stack.ts';
import { rawExchange } from '../helpers/raw.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';

const LIMITS = {
  headersTimeoutMs: 400, requestTimeoutMs: 900, keepAliveTimeoutMs: 400, tlsHandshakeTimeoutMs: 400,
  maxHeaderBytes: 8_192, maxHeaderCount: 50, maxBodyBytes: 64 * 1024,
};
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
let t: TestStack;
let gatewayPort: number;
let alpha: { ca: string; cert: string; key: string };
let token: string;

before(async () => {
  t = await startTestStack('limits', { limits: LIMITS });
  gatewayPort = Number(new URL(t.stack.urls.gateway).port);
  const m = material(t.stack, 'tpp-alpha');
  alpha = { ca: t.stack.pki.rootCa, cert: m.chain, key: m.key };
  token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
});
after(() => t.stop());

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
const get = (extra: string[] = []) => head([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${token}`, ...extra]);

test('the defaults are explicit, tighter than Node\'s, and every one can be set from the environment', () => {
  const d = loadConfig({}, {});
  assert.deepEqual(d.limits, {
    headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, tlsHandshakeTimeoutMs: 10_000,
    maxHeaderBytes: 16_384, maxHeaderCount: 100, maxBodyBytes: 1_048_576,
  });
  const { clockToleranceSeconds, dpopIatWindowSeconds, certClockToleranceSeconds } = d.gateway;
  assert.deepEqual({ clockToleranceSeconds, dpopIatWindowSeconds, certClockToleranceSeconds }, { clockToleranceSeconds: 5, dpopIatWindowSeconds: 60, certClockToleranceSeconds: 0 });
  const e = loadConfig({}, { FAPI_HEADERS_TIMEOUT_MS: '2000', FAPI_MAX_BODY_BYTES: '4096', FAPI_DPOP_IAT_WINDOW_SECONDS: '30', FAPI_CLOCK_TOLERANCE_SECONDS: '0' });
  assert.equal(e.limits.headersTimeoutMs, 2000);
  assert.equal(e.limits.maxBodyBytes, 4096);
  assert.equal(e.gateway.dpopIatWindowSeconds, 30);
  assert.equal(e.gateway.clockToleranceSeconds, 0);
  assert.throws(() => loadConfig({}, { FAPI_HEADERS_TIMEOUT_MS: 'soon' }), /FAPI_HEADERS_TIMEOUT_MS must be an integer 100\.\.600000, got "soon"/);
  assert.throws(() => loadConfig({}, { FAPI_DPOP_IAT_WINDOW_SECONDS: '-5' }), (err: Error) => err instanceof ConfigError && /FAPI_DPOP_IAT_WINDOW_SECONDS must be an integer/.test(err.message));
  assert.throws(() => loadConfig({}, { FAPI_HEADERS_TIMEOUT_MS: '5000', FAPI_REQUEST_TIMEOUT_MS: '1000' }), /must be at least FAPI_HEADERS_TIMEOUT_MS/);
  // The running listeners carry the configured values.
  const gw = t.stack.servers.gateway;
  assert.ok('headersTimeout' in gw, 'the in-process gateway listener (no FAPI_GATEWAY_WORKERS) is an HTTPS server');
  assert.equal(gw.headersTimeout, LIMITS.headersTimeoutMs);
  assert.equal(gw.requestTimeout, LIMITS.requestTimeoutMs);
  assert.equal(gw.keepAliveTimeout, LIMITS.keepAliveTimeoutMs);
});

test('a genuine request within the limits is served', async () => {
  const r = await rawExchange({ port: gatewayPort, tls: alpha, chunks: [get(['Connection: close'])], timeoutMs: 3000 });
  assert.equal(r.status, 200, r.text.slice(0, 300));
});

test('headers over maxHeaderBytes are 431, on the gateway and the IdP', async () => {
  for (const port of [gatewayPort, Number(new URL(t.stack.urls.idpMtls).port)]) {
    const r = await rawExchange({ port, tls: alpha, chunks: [get([`X-Padding: ${'a'.repeat(LIMITS.maxHeaderBytes)}`])], timeoutMs: 3000 });
    assert.equal(r.status, 431, `port ${port}: ${r.text.slice(0, 200)}`);
    assert.ok(r.closed);
  }
});

test('more header fields than maxHeaderCount are 431 with a JSON reason; none is dropped silently', async () => {
  const many = Array.from({ length: LIMITS.maxHeaderCount }, (_, i) => `X-H${i}: ${i}`);
  const r = await rawExchange({ port: gatewayPort, tls: alpha, chunks: [get([...many, 'Connection: close'])], timeoutMs: 3000 });
  assert.equal(r.status, 431, r.text.slice(0, 300));
  assert.match(r.text, /"error":"request_header_fields_too_large"/);
  assert.match(r.text, /at most 50 are accepted/);
  // A second Authorization header far down the list is seen, not truncated away: still refused.
  const fewer = Array.from({ length: LIMITS.maxHeaderCount - 5 }, (_, i) => `X-H${i}: ${i}`);
  const dup = await rawExchange({ port: gatewayPort, tls: alpha, chunks: [get([...fewer, `Authorization: Bearer ${token}`, 'Connection: close'])], timeoutMs: 3000 });
  assert.equal(dup.status, 400, dup.text.slice(0, 300));
  assert.match(dup.text, /2 Authorization headers/);
});

test('a declared body over maxBodyBytes is 413 at once, before a byte of it is sent', async () => {
  for (const [port, path] of [[gatewayPort, ACCOUNTS], [Number(new URL(t.stack.urls.idpMtls).port), '/token']] as const) {
    const r = await rawExchange({
      port, tls: alpha, timeoutMs: 3000,
      chunks: [head([`POST ${path} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${token}`, 'Content-Type: application/x-www-form-urlencoded', 'Content-Length: 10737418240'])],
    });
    assert.equal(r.status, 413, `${path}: ${r.text.slice(0, 200)}`);
    assert.match(r.text, /"error":"payload_too_large"/);
    assert.ok(r.closed && r.elapsedMs < 2000, `answered and closed in ${Math.round(r.elapsedMs)} ms`);
  }
});

/**
 * Streams a chunked body of `total` bytes over a raw TLS socket as fast as the server reads it, and
 * reports the first status and how much the server took before it closed the connection.
 */
function streamChunked(headers: string[], total: number): Promise<{ status: number | null; sent: number; closedEarly: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    let queued = 0;
    const socket = tls.connect({ port: gatewayPort, host: '127.0.0.1', servername: 'localhost', ca: alpha.ca, cert: alpha.cert, key: alpha.key }, () => {
      socket.write(head([`POST ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', 'Transfer-Encoding: chunked', ...headers]));
      pump();
    });
    const chunk = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 0x61), Buffer.from('\r\n')]);
    const pump = () => {
      while (queued < total && socket.writable) {
        queued += 0x4000;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (socket.writable) socket.write('0\r\n\r\n');
    };
    const timer = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, sent: socket.bytesWritten, closedEarly: queued < total });
    });
  });
}

test('a chunked body over maxBodyBytes is cut off: the gateway does not read (or buffer) it to the end', async () => {
  const total = 16 * 1024 * 1024;
  // Accepted by the checks: the body streams to the upstream, counted, and is cut off past the limit.
  const accepted = await streamChunked([`Authorization: Bearer ${token}`], total);
  assert.ok(accepted.status === 413 || accepted.status === 405, `status ${accepted.status}`);
  assert.ok(accepted.closedEarly, `the connection closed after ${accepted.sent} of ${total} bytes`);
  // Refused by the checks: answered at once, and the connection closes instead of draining the body.
  const refused = await streamChunked([], total);
  assert.equal(refused.status, 401);
  assert.ok(refused.closedEarly, `the connection closed after ${refused.sent} of ${total} bytes`);
});

test('slowloris: a head trickled line by line is cut off by headersTimeout with 408', async () => {
  const lines = [`GET ${ACCOUNTS} HTTP/1.1\r\n`, 'Host: localhost\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: ${i}\r\n`)];
  const r = await rawExchange({ port: gatewayPort, tls: alpha, chunks: lines, delayMs: 100, timeoutMs: 5000 });
  assert.ok(r.closed, 'the gateway closed the connection');
  assert.equal(r.status, 408);
  assert.ok(r.elapsedMs < LIMITS.headersTimeoutMs + 1500, `closed after ${Math.round(r.elapsedMs)} ms`);
  assert.ok(r.bytesWritten < lines.join('').length, 'cut off before the head was complete');
});

test('a slow body is cut off by requestTimeout with 408', async () => {
  const chunks = [head([`POST ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', 'Content-Length: 100']), ...Array.from({ length: 100 }, () => 'a')];
  const r = await rawExchange({ port: gatewayPort, tls: alpha, chunks, delayMs: 60, timeoutMs: 5000 });
  assert.ok(r.closed);
  assert.ok(r.status === 408 || r.status === 401, `status ${r.status}`);
  assert.ok(r.elapsedMs < LIMITS.requestTimeoutMs + 1500, `closed after ${Math.round(r.elapsedMs)} ms`);
  assert.ok(r.bytesWritten < 100 + chunks[0]!.length, 'the body was never completed');
});

test('a TLS handshake that never starts, or stalls half way, is dropped after tlsHandshakeTimeout', async () => {
  const silent = await rawExchange({ port: gatewayPort, tls: alpha, noHandshake: true, chunks: [], timeoutMs: 5000 });
  const partial = await rawExchange({ port: gatewayPort, tls: alpha, noHandshake: true, chunks: [Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])], timeoutMs: 5000 });
  for (const r of [silent, partial]) {
    assert.ok(r.closed, 'dropped');
    assert.ok(r.elapsedMs < LIMITS.tlsHandshakeTimeoutMs + 1500, `after ${Math.round(r.elapsedMs)} ms`);
  }
});

test('a connection that completes the handshake and sends nothing gets 408; an idle keep-alive one is closed', async () => {
  const idle = await rawExchange({ port: gatewayPort, tls: alpha, chunks: [], timeoutMs: 5000 });
  assert.ok(idle.closed);
  assert.equal(idle.status, 408);
  const kept = await rawExchange({ port: gatewayPort, tls: alpha, chunks: [get()], timeoutMs: 5000 });
  assert.equal(kept.status, 200);
  assert.ok(kept.closed, 'closed after keepAliveTimeout');
  assert.ok(kept.elapsedMs < LIMITS.keepAliveTimeoutMs + LIMITS.headersTimeoutMs + 1500, `after ${Math.round(kept.elapsedMs)} ms`);
});

test('hundreds of idle connections (TCP only and TLS without a request) do not starve a real request, and all are reclaimed', async () => {
  const sockets: net.Socket[] = [];
  const closed = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.push(s);
    s.on('error', () => {});
    s.resume(); // read what the server sends (a 408), and so see its close
    s.on('close', () => closed.add(s));
  };
  for (let i = 0; i < 300; i++) track(net.connect(gatewayPort, '127.0.0.1'));
  await Promise.all(Array.from({ length: 40 }, () => new Promise<void>((resolve) => {
    const s = tls.connect({ port: gatewayPort, host: '127.0.0.1', servername: 'localhost', ca: alpha.ca, cert: alpha.cert, key: alpha.key }, () => resolve());
    track(s);
    s.on('error', () => resolve());
  })));
  const t0 = performance.now();
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token });
  const ms = performance.now() - t0;
  assert.equal(ex.response?.status, 200);
  assert.ok(ms < 1500, `a real request took ${Math.round(ms)} ms beside 340 idle connections`);
  const deadline = Date.now() + LIMITS.tlsHandshakeTimeoutMs + LIMITS.headersTimeoutMs + 3000;
  while (closed.size < sockets.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(closed.size, sockets.length, `${sockets.length - closed.size} idle connections still open`);
});
