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

test('on the web UI port an absolute-form target is judged by its own authority (RFC 9112 §3.2.2): a foreign one is 421', async () => {
  const port = Number(new URL(t.stack.urls.ui).port);
  const ask = (target: string) => rawExchange({ port, tls: null, timeoutMs: 5_000, chunks: [`GET ${target} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`] });
  assert.equal((await ask('http://evil.example/runs/')).status, 421);
  assert.equal((await ask('https://evil.example:8443/api/health')).status, 421);
  assert.equal((await ask(`http://localhost:${port}/api/health`)).status, 200);
});
