// Requests that arrive while the stack starts are answered at once (503 + Retry-After, RFC 9110
// §15.6.4 / §10.2.3) on every listener, never left hanging: a poller from the first millisecond after
// `fapi-sandbox start` never waits more than one second for a single answer on the UI, IdP and gateway ports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { freePorts, runChild } from '../helpers/child.ts';
import { tempDataDir } from '../helpers/paths.ts';

const PORT_ENV = ['FAPI_UI_PORT', 'FAPI_IDP_PORT', 'FAPI_IDP_MTLS_PORT', 'FAPI_GATEWAY_PORT', 'FAPI_GATEWAY_STRICT_PORT', 'FAPI_API_PORT'];

/** One request; resolves with its status (0: refused or reset) and how long the answer took. */
function probe(url: string): Promise<{ status: number; ms: number; retryAfter: string | undefined }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const mod = url.startsWith('https') ? https : http;
    const req = mod.get(url, { rejectUnauthorized: false, agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0, retryAfter: undefined }));
  });
}

for (const gatewayWorkers of ['0', '1']) {
  test(`every listener answers within 1 s from the first millisecond of start-up (gateway workers ${gatewayWorkers})`, { timeout: 120_000 }, async () => {
    const data = tempDataDir('startup-answers');
    const ports = await freePorts(6);
    const child = runChild(['start', '--no-ui'], data.dir, {
      ...Object.fromEntries(PORT_ENV.map((name, i) => [name, String(ports[i])])),
      FAPI_GATEWAY_WORKERS: gatewayWorkers,
    });
    const targets = {
      ui: `http://127.0.0.1:${ports[0]}/api/health`,
      idp: `https://127.0.0.1:${ports[1]}/.well-known/openid-configuration`,
      gateway: `https://127.0.0.1:${ports[3]}/open-banking/v3.1/aisp/accounts`,
    };
    const worst: Record<string, number> = { ui: 0, idp: 0, gateway: 0 };
    const seen: Record<string, Set<number>> = { ui: new Set(), idp: new Set(), gateway: new Set() };
    try {
      // Poll each port in its own loop until the UI says healthy and a few answers more.
      await Promise.all(Object.entries(targets).map(async ([name, url]) => {
        let afterReady = 0;
        const deadline = Date.now() + 90_000;
        while (afterReady < 3 && Date.now() < deadline) {
          const r = await probe(url);
          worst[name] = Math.max(worst[name]!, r.ms);
          seen[name]!.add(r.status);
          if (r.status === 503) assert.ok(r.retryAfter, `${name}: a 503 while starting carries Retry-After`);
          if (r.status && r.status !== 503) afterReady++;
          if (child.process.exitCode !== null) throw new Error(`the sandbox exited:\n${child.output()}`);
          await new Promise((res) => setTimeout(res, 5));
        }
      }));
    } finally {
      await child.kill('SIGTERM');
      data.remove();
    }
    for (const [name, ms] of Object.entries(worst)) {
      assert.ok(ms < 1_000, `${name}: one answer took ${Math.round(ms)} ms (statuses seen: ${[...seen[name]!].join(', ')})`);
    }
    assert.ok(seen.ui!.has(200), `the UI port ended healthy (${[...seen.ui!].join(', ')})`);
  });
}
