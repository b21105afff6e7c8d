// Load generation for the benchmark: autocannon (client certificates, keep-alive, a fresh DPoP proof
// per request through setupRequest), a fixed-rate run for latency, and a new-connection loop for
// handshakes per second. Latencies are taken per response (autocannon's own histogram is whole ms).
import tls from 'node:tls';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { treeCpuSeconds } from './proc.mjs';

const require = createRequire(import.meta.url);

/** Runs `fn`, measuring the CPU the server processes (`pids` and descendants) and this process used. */
async function withCpu(pids, fn) {
  const server0 = treeCpuSeconds(pids);
  const client0 = process.cpuUsage();
  const result = await fn();
  const client = process.cpuUsage(client0);
  return { result, serverCpuSeconds: treeCpuSeconds(pids) - server0, clientCpuSeconds: (client.user + client.system) / 1e6 };
}

const perRequestUs = (seconds, n) => (n ? Math.round((seconds * 1e6) / n) : null);

/** The client-certificate TLS options for a certificate in certs/ (e.g. tpp-alpha). */
export function clientTls(certsDir, name) {
  return {
    cert: readFileSync(path.join(certsDir, 'clients', `${name}.chain.pem`)),
    key: readFileSync(path.join(certsDir, 'clients', `${name}.key.pem`)),
    ca: readFileSync(path.join(certsDir, 'ca', 'root-ca.pem')),
    servername: 'localhost',
  };
}

export function percentile(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * One autocannon run. `nextProof` (optional) returns a DPoP header value per request.
 * `rate` (optional) fixes the overall request rate (for latency at moderate load).
 */
export async function cannon({ url, tlsOptions, headers, seconds, connections, rate, nextProof, cpuPids = [] }) {
  const autocannon = require('autocannon');
  const latencies = new Float64Array(4_000_000);
  let n = 0;
  const opts = {
    url,
    connections,
    duration: seconds,
    headers,
    tlsOptions,
    servername: tlsOptions.servername,
    ...(rate ? { overallRate: rate } : {}),
    ...(nextProof ? { requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, dpop: nextProof() } }) }] } : {}),
  };
  const { result, serverCpuSeconds, clientCpuSeconds } = await withCpu(cpuPids, () => new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300 && n < latencies.length) latencies[n++] = ms;
    });
  }));
  const sorted = latencies.subarray(0, n).sort();
  const ok = result['2xx'];
  return {
    requestsPerSecond: Math.round(ok / result.duration),
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: result.statusCodeStats,
    seconds: result.duration,
    p50: round3(percentile(sorted, 50)),
    p99: round3(percentile(sorted, 99)),
    serverCpuUsPerRequest: perRequestUs(serverCpuSeconds, ok + result.non2xx),
    clientCpuUsPerRequest: perRequestUs(clientCpuSeconds, ok + result.non2xx),
  };
}

const round3 = (x) => (x === null ? null : Math.round(x * 1000) / 1000);

/**
 * New TLS connections per second: each connection does a full mTLS handshake (no session reuse),
 * sends one request with `Connection: close` and reads the answer. `concurrency` loops.
 */
export async function handshakes({ host, port, tlsOptions, path: reqPath, headers, seconds, concurrency, cpuPids = [] }) {
  const request = [`GET ${reqPath} HTTP/1.1`, `host: localhost:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'connection: close', '', ''].join('\r\n');
  const deadline = performance.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const statuses = {};
  async function loop() {
    while (performance.now() < deadline) {
      const status = await new Promise((resolve) => {
        let head = '';
        const socket = tls.connect({ host, port, ...tlsOptions }, () => socket.write(request));
        socket.setEncoding('latin1');
        socket.on('data', (d) => { if (head.length < 64) head += d; });
        socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
        socket.on('error', () => resolve(0));
        socket.setTimeout(10_000, () => socket.destroy());
      });
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) ok++;
      else failed++;
    }
  }
  const t0 = performance.now();
  const { serverCpuSeconds, clientCpuSeconds } = await withCpu(cpuPids, () => Promise.all(Array.from({ length: concurrency }, loop)));
  const elapsed = (performance.now() - t0) / 1000;
  return {
    perSecond: Math.round(ok / elapsed), ok, failed, statuses, seconds: Math.round(elapsed * 100) / 100,
    serverCpuUsPerConnection: perRequestUs(serverCpuSeconds, ok + failed), clientCpuUsPerConnection: perRequestUs(clientCpuSeconds, ok + failed),
  };
}
