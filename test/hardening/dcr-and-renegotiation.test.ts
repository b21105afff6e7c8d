// Two protocol edges: dynamic registration (RFC 7591 §3.2.2 invalid_client_metadata) refuses an RSA key
// far too small to mean anything (a 17-bit modulus) with a clean 400, and no TLS listener lets a client
// renegotiate a TLS 1.2 session (RFC 5746; FAPI 2.0 SP §5.2.1 / BCP 195: a renegotiation is a DoS lever).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { startTestStack, material, type TestStack } from '../helpers/stack.ts';
import { send, jsonBody } from '../../server/engine/http-client.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('dcr-and-renegotiation');
});
after(() => t.stop());

test('DCR with a 17-bit RSA key in jwks is 400 invalid_client_metadata, and the IdP keeps serving', async () => {
  const n = Buffer.from([0x01, 0xad, 0xf5]).toString('base64url');
  const ex = await send({
    method: 'POST', url: t.stack.idp.endpoints.registration, ca: t.stack.pki.rootCa, cert: null,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'accounts', client_name: 'tiny',
      token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', dpop_bound_access_tokens: true,
      jwks: { keys: [{ kty: 'RSA', n, e: 'AQAB', kid: 'tiny', use: 'sig' }] },
    }),
  });
  assert.equal(ex.response?.status, 400, ex.response?.body);
  assert.equal(jsonBody(ex)?.error, 'invalid_client_metadata');
  assert.match(String(jsonBody(ex)?.error_description), /2048/);
  const discovery = await send({ method: 'GET', url: `${t.stack.urls.idp}/.well-known/openid-configuration`, ca: t.stack.pki.rootCa, cert: null, headers: {} });
  assert.equal(discovery.response?.status, 200);
});

/** Connects with TLS 1.2 and asks for a renegotiation; resolves with what happened. */
function renegotiate(url: string): Promise<string> {
  const alpha = material(t.stack, 'tpp-alpha');
  return new Promise((resolve) => {
    const socket = tls.connect({ port: Number(new URL(url).port), host: '127.0.0.1', servername: 'localhost', ca: t.stack.pki.rootCa, cert: alpha.chain, key: alpha.key, maxVersion: 'TLSv1.2' }, () => {
      socket.renegotiate({ rejectUnauthorized: true }, (err) => {
        if (err) return resolve(`refused: ${err.message}`);
        resolve('renegotiated');
      });
    });
    socket.on('error', (err) => resolve(`refused: ${err.message}`));
    socket.on('close', () => resolve('refused: closed'));
    setTimeout(() => resolve('refused: no answer'), 5_000).unref();
  });
}

test('a client-initiated TLS 1.2 renegotiation is refused on the IdP and gateway listeners', async () => {
  for (const key of ['idp', 'idpMtls', 'gateway'] as const) {
    const outcome = await renegotiate(t.stack.urls[key]);
    assert.match(outcome, /^refused: (?!no answer)/, `${key}: ${outcome}`);
  }
});
