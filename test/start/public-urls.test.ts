// FAPI_PUBLIC_*_URL (server/config.ts publicUrls): a listener reached through a load balancer presents
// the balancer's origin, not its own port: the issuer, discovery's endpoints and the stack's URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { send, jsonBody } from '../../server/engine/http-client.ts';
import { startTestStack } from '../helpers/stack.ts';

test('public URLs: the issuer and discovery use the configured origins, served on the bound ports (oidc-provider builds endpoint URLs from Host, which names the balancer)', async () => {
  const publicUrls = { idp: 'https://localhost:18443', idpMtls: 'https://localhost:18444', gateway: 'https://localhost:19443', ui: 'http://localhost:13000' };
  const { stack, stop } = await startTestStack('public-urls', { publicUrls });
  try {
    assert.equal(stack.idp.issuer, 'https://localhost:18443');
    assert.equal(stack.urls.gateway, 'https://localhost:19443');
    assert.match(stack.urls.gatewayStrict, /^https:\/\/localhost:\d+$/, 'an unset listener keeps publicHost and its port');
    const port = (stack.servers.idp.address() as AddressInfo).port;
    assert.notEqual(port, 18443);
    // As through a TCP load balancer: the client's Host names the public origin, the bytes reach the bound port.
    const ex = await send({ method: 'GET', url: `https://localhost:${port}/.well-known/openid-configuration`, headers: { host: 'localhost:18443' }, ca: stack.pki.rootCa, cert: null });
    const doc = jsonBody(ex)!;
    assert.equal(doc.issuer, 'https://localhost:18443');
    assert.equal(doc.authorization_endpoint, 'https://localhost:18443/auth');
    assert.equal((doc.mtls_endpoint_aliases as Record<string, string>).token_endpoint, 'https://localhost:18444/token');
  } finally {
    await stop();
  }
});
