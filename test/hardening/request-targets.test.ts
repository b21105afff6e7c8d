// Absolute-form request targets (RFC 9112 §3.2.2) are for proxies: no listener redirects one to the
// host it names (an open redirect), whatever the path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, material, type TestStack } from '../helpers/stack.ts';
import { rawExchange } from '../helpers/raw.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('request-targets');
});
after(() => t.stop());

test('GET http://evil.example/... is never redirected to evil.example, on any listener', async () => {
  const alpha = material(t.stack, 'tpp-alpha');
  const listeners: [string, string, boolean][] = [
    ['ui', t.stack.urls.ui, false], ['idp', t.stack.urls.idp, true], ['idpMtls', t.stack.urls.idpMtls, true],
    ['gateway', t.stack.urls.gateway, true], ['gatewayStrict', t.stack.urls.gatewayStrict, true], ['api', t.stack.urls.api, false],
  ];
  const paths = ['/', '/open-banking/v3.1/aisp/accounts/', '/open-banking/v3.1/aisp/accounts', '/api/health', '/.well-known/openid-configuration/', '/auth', '//evil.example/x', '/callback'];
  for (const [name, url, secure] of listeners) {
    for (const p of paths) {
      for (const target of [`http://evil.example${p}`, `https://evil.example:8443${p}`]) {
        const r = await rawExchange({
          port: Number(new URL(url).port), timeoutMs: 5_000,
          tls: secure ? { ca: t.stack.pki.rootCa, cert: alpha.chain, key: alpha.key } : null,
          chunks: [`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`],
        });
        const location = /\r\nlocation: *([^\r\n]*)/i.exec(r.text)?.[1] ?? '';
        assert.doesNotMatch(location, /evil\.example/i, `${name} ${target}: ${r.status} Location ${location}`);
        assert.ok(r.status && r.status < 500, `${name} ${target}: ${r.status}`);
      }
    }
  }
});

test('the web UI (Next.js) does not redirect an absolute-form or a //host target either', { timeout: 180_000 }, async () => {
  const withUi = await startTestStack('request-targets-ui', { ui: true });
  try {
    const port = Number(new URL(withUi.stack.urls.ui).port);
    for (const target of ['http://evil.example/runs/', 'http://evil.example/targets/', 'http://evil.example/', '//evil.example/runs/', '//evil.example/', '/\\evil.example/']) {
      const r = await rawExchange({ port, tls: null, timeoutMs: 60_000, chunks: [`GET ${target} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`] });
      const location = /\r\nlocation: *([^\r\n]*)/i.exec(r.text)?.[1] ?? '';
      assert.doesNotMatch(location, /evil\.example/i, `${target}: ${r.status} Location ${location}`);
      assert.ok(r.status && r.status < 500, `${target}: ${r.status}`);
    }
  } finally {
    await withUi.stop();
  }
});
