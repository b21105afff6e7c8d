// Spoofed identity and forwarded-certificate headers (RFC 9440 §3, Envoy XFCC, nginx ssl-client-*):
// whatever a client sends, the upstream OB API sees only what the gateway derived from the TLS socket
// and the verified token, and no decision changes. The upstream refuses requests not from the gateway.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { startTestStack, idpToken, callGateway, decisionOf, failedCheck, material, thumbprint, type TestStack } from '../helpers/stack.ts';
import { buildProof, generateDpopKey } from '../../server/engine/crypto/dpop-proof.ts';

const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
let t: TestStack;
/** Headers of every request the upstream OB API received, in order. */
const upstream: IncomingHttpHeaders[] = [];

before(async () => {
  t = await startTestStack('spoofing');
  t.stack.servers.api.prependListener('request', (req: http.IncomingMessage) => void upstream.push({ ...req.headers }));
});
after(() => t.stop());

function derOf(name: string): Buffer {
  return new X509Certificate(material(t.stack, name).chain).raw;
}

/** Every spelling of "the client's certificate / identity is ...", claiming to be `victim`. */
function spoofed(victim: string): Record<string, string> {
  const der = derOf(victim);
  const pem = new X509Certificate(der).toString();
  const hash = Buffer.from(thumbprint(t.stack, victim), 'base64url').toString('hex');
  return {
    'client-cert': `:${der.toString('base64')}:`,
    'client-cert-chain': `:${der.toString('base64')}:`,
    'x-client-cert': encodeURIComponent(pem),
    'x-forwarded-client-cert': `Hash=${hash};Cert="${encodeURIComponent(pem)}";Subject="CN=${victim}"`,
    'x-ssl-client-cert': encodeURIComponent(pem),
    'x-ssl-client-verify': 'SUCCESS',
    'x-ssl-client-s-dn': `CN=${victim}`,
    'ssl-client-cert': encodeURIComponent(pem),
    'x-amzn-mtls-clientcert': encodeURIComponent(pem),
    'x-arr-clientcert': der.toString('base64'),
    'x-sandbox-gateway-key': 'a-guess-at-the-gateway-key-0123456789',
    'x-sandbox-client-id': victim,
    'x-sandbox-scope': 'accounts payments admin',
    'x-sandbox-consent-id': 'urn:consent:stolen',
    'x-sandbox-binding': 'mtls',
    'x-sandbox-subject': 'psu-someone-else',
    x_sandbox_client_id: victim,
    forwarded: 'for=10.0.0.1;proto=http;host=evil.example',
    'x-forwarded-for': '10.0.0.1',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'http',
    'x-forwarded-prefix': '/evil',
    'x-real-ip': '10.0.0.1',
  };
}

test('a genuine call with every spoofed header: the upstream sees none of them, only what the gateway derived', async () => {
  const token = await idpToken(t.stack, { client_id: 'tpp-alpha', cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  upstream.length = 0;
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token, headers: { ...spoofed('tpp-beta'), host: 'evil.example:1234' } });
  assert.equal(ex.response?.status, 200, ex.response?.body);
  assert.equal(upstream.length, 1);
  const seen = upstream[0]!;
  for (const name of ['client-cert-chain', 'x-client-cert', 'x-forwarded-client-cert', 'x-ssl-client-cert', 'x-ssl-client-verify', 'x-ssl-client-s-dn',
    'ssl-client-cert', 'x-amzn-mtls-clientcert', 'x-arr-clientcert', 'x-sandbox-consent-id', 'x-sandbox-subject', 'x_sandbox_client_id', 'forwarded',
    'x-forwarded-for', 'x-real-ip', 'authorization', 'dpop']) {
    assert.equal(seen[name], undefined, `${name} reached the upstream`);
  }
  // The gateway's own headers, each once, with the gateway's values.
  assert.equal(seen['client-cert'], `:${derOf('tpp-alpha').toString('base64')}:`, 'Client-Cert is the certificate on the TLS socket');
  assert.equal(seen['x-sandbox-client-id'], 'tpp-alpha');
  assert.equal(seen['x-sandbox-scope'], 'accounts');
  assert.equal(seen['x-sandbox-binding'], 'mtls');
  assert.notEqual(seen['x-sandbox-gateway-key'], spoofed('tpp-beta')['x-sandbox-gateway-key']);
  assert.ok(!String(seen['x-sandbox-gateway-key']).includes('guess'));
  assert.equal(seen['x-forwarded-proto'], 'https');
  assert.equal(seen['x-forwarded-host'], new URL(t.stack.urls.gateway).host, 'from the configuration, not the Host header');
  assert.equal(seen['x-forwarded-prefix'], '');
  // So the API's links point at the gateway, whatever Host the client sent.
  const body = JSON.parse(ex.response!.body) as { Links: { Self: string } };
  assert.equal(new URL(body.Links.Self).origin, t.stack.urls.gateway);
});

test('a stolen certificate-bound token with the victim\'s certificate in every forwarded-certificate header is still refused', async () => {
  const stolen = await idpToken(t.stack, { client_id: 'tpp-alpha', cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  upstream.length = 0;
  const withOther = await callGateway(t.stack, ACCOUNTS, { cert: 'mallory', token: stolen, headers: spoofed('tpp-alpha') });
  assert.equal(withOther.response?.status, 401);
  assert.equal(failedCheck(t.stack, withOther), 'mtls.cnf-thumbprint-match');
  const match = decisionOf(t.stack, withOther).checks.find((c) => c.id === 'mtls.cnf-thumbprint-match')!;
  assert.equal(match.inputs?.presentedThumbprint, thumbprint(t.stack, 'mallory'), 'the thumbprint comes from the socket');
  const without = await callGateway(t.stack, ACCOUNTS, { cert: null, token: stolen, headers: spoofed('tpp-alpha') });
  assert.equal(without.response?.status, 401);
  assert.equal(failedCheck(t.stack, without), 'tls.client-cert-presented');
  assert.equal(upstream.length, 0, 'nothing reached the upstream');
});

test('spoofed scope and consent headers change nothing: the token decides', async () => {
  const narrow = await idpToken(t.stack, { scope: 'openid', cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token: narrow, headers: spoofed('tpp-alpha') });
  assert.equal(ex.response?.status, 403);
  assert.equal(failedCheck(t.stack, ex), 'token.claims');
  assert.match(String(ex.response?.headers['www-authenticate']), /insufficient_scope/);
  // A consent id that reached the API would be refused there (no such consent): it does not reach it.
  const plain = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const ok = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token: plain, headers: { 'x-sandbox-consent-id': 'urn:consent:stolen' } });
  assert.equal(ok.response?.status, 200);
});

test('a spoofed Host or X-Forwarded-Host does not make a DPoP proof for another origin acceptable', async () => {
  const key = await generateDpopKey('spoof');
  const token = await idpToken(t.stack, { client_id: 'tpp-dpop', cnf: { jkt: key.jkt } });
  const evil = `https://evil.example${ACCOUNTS}`;
  const proof = await buildProof(key, { method: 'GET', url: evil, accessToken: token, now: Date.now() / 1000 });
  const ex = await callGateway(t.stack, ACCOUNTS, {
    token, scheme: 'DPoP', headers: { dpop: proof.jwt, host: 'evil.example', 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example;proto=https' },
  });
  assert.equal(ex.response?.status, 401);
  assert.equal(failedCheck(t.stack, ex), 'dpop.htu');
});

/** A request straight to the upstream OB API (it listens on loopback, plain HTTP). */
function direct(headers: Record<string, string>): Promise<{ status: number; body: { Code?: string; Errors?: { ErrorCode: string }[] } }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.stack.urls.api}${ACCOUNTS}`, { headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { Errors?: { ErrorCode: string }[] } }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the upstream refuses requests that do not come through the gateway, spoofed identity or not (OBIE 403)', async () => {
  const identity = { 'x-sandbox-client-id': 'tpp-alpha', 'x-sandbox-scope': 'accounts', 'x-sandbox-binding': 'mtls', 'client-cert': `:${derOf('tpp-alpha').toString('base64')}:` };
  const missing = await direct(identity);
  assert.equal(missing.status, 403);
  assert.equal(missing.body.Errors?.[0]?.ErrorCode, 'UK.OBIE.Header.Missing');
  for (const key of ['', 'wrong', 'a-guess-at-the-gateway-key-0123456789', 'x'.repeat(43)]) {
    const wrong = await direct({ ...identity, 'x-sandbox-gateway-key': key });
    assert.equal(wrong.status, 403, key);
    assert.equal(wrong.body.Errors?.[0]?.ErrorCode, 'UK.OBIE.Header.Invalid', key);
  }
  // It listens on loopback only.
  const address = t.stack.servers.api.address();
  assert.ok(address && typeof address === 'object' && address.address === '127.0.0.1');
});

test('every spoofed header name in this file is one the proxy strips (the gateway sets its own Client-Cert and x-sandbox-*)', async () => {
  const { isStripped } = await import('../../server/gateway/proxy.ts');
  for (const name of Object.keys(spoofed('tpp-alpha'))) assert.ok(isStripped(name), name);
});

test('only an allowlist of headers reaches the upstream: identity headers of any spelling never do', async () => {
  const token = await idpToken(t.stack, { client_id: 'tpp-alpha', cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  const pem = encodeURIComponent(new X509Certificate(derOf('tpp-beta')).toString());
  const identity = {
    'x-ssl-cert': pem, 'x-ssl-issuer': 'CN=Sandbox Issuing CA', 'x-remote-user': 'tpp-beta', 'x-authenticated-user': 'tpp-beta', cert: pem,
    'remote-user': 'tpp-beta', 'x-user': 'tpp-beta', 'x-client-id': 'tpp-beta', 'x-auth-request-user': 'tpp-beta', 'x-made-up-identity': 'tpp-beta',
  };
  upstream.length = 0;
  const ex = await callGateway(t.stack, ACCOUNTS, { cert: 'tpp-alpha', token, headers: { ...identity, 'x-fapi-customer-ip-address': '10.1.2.3', 'x-fapi-auth-date': 'Sun, 10 Sep 2017 19:43:31 GMT', 'x-customer-user-agent': 'ua' } });
  assert.equal(ex.response?.status, 200, ex.response?.body);
  const seen = upstream[0]!;
  for (const name of Object.keys(identity)) assert.equal(seen[name], undefined, `${name} reached the upstream`);
  // What the OB API is meant to see (OBIE request headers) still goes through.
  assert.equal(seen['x-fapi-customer-ip-address'], '10.1.2.3');
  assert.equal(seen['x-fapi-auth-date'], 'Sun, 10 Sep 2017 19:43:31 GMT');
  assert.equal(seen['x-customer-user-agent'], 'ua');
  assert.equal(seen.accept, 'application/json');
});
