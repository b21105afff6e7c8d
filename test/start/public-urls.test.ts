// FAPI_PUBLIC_*_URL (server/config.ts publicUrls): a listener reached through a load balancer presents
// the balancer's origin, not its own port: the issuer, discovery's endpoints and the stack's URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { send, jsonBody } from '../../server/engine/http-client.ts';
import { startTestStack, idpToken } from '../helpers/stack.ts';
import { buildProof, generateDpopKey } from '../../server/engine/crypto/dpop-proof.ts';

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

test('public URLs: the gateway\'s DPoP htu check takes the public origin, not the port the bytes arrived on', async () => {
  const { stack, stop } = await startTestStack('public-urls-htu', { publicUrls: { gateway: 'https://localhost:19443' } });
  try {
    const port = (stack.servers.gateway.address() as AddressInfo).port;
    const key = await generateDpopKey('k');
    const token = await idpToken(stack, { client_id: 'tpp-dpop', cnf: { jkt: key.jkt } });
    const path = '/dpop/open-banking/v3.1/aisp/accounts';
    const call = async (htuOrigin: string) => {
      const proof = await buildProof(key, { method: 'GET', url: htuOrigin + path, accessToken: token, now: Date.now() / 1000 });
      return send({ method: 'GET', url: `https://localhost:${port}${path}`, headers: { authorization: `DPoP ${token}`, dpop: proof.jwt }, ca: stack.pki.rootCa, cert: null });
    };
    assert.equal((await call('https://localhost:19443')).response?.status, 200, 'htu names the balancer');
    const own = await call(`https://localhost:${port}`);
    assert.equal(own.response?.status, 401, 'the instance\'s own port is not what clients address');
    assert.match(String(own.response?.headers['www-authenticate']), /invalid_dpop_proof/);
  } finally {
    await stop();
  }
});
