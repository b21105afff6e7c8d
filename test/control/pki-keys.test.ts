// The control API never serves the private keys of the CAs or of the TLS server (a browser that trusts
// the root would otherwise trust anything minted with them); client keys stay downloadable.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('ctl-pki-keys');
});
after(() => t.stop());

const get = (path: string) => fetch(`${t.stack.urls.ui}${path}`);

test('key.pem of the root, issuing and rogue CAs and of the server is refused with 403; their certificates are served', async () => {
  for (const name of ['root-ca', 'issuing-ca', 'rogue-ca', 'server']) {
    const res = await get(`/api/pki/${name}/key.pem`);
    assert.equal(res.status, 403, name);
    const body = (await res.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'forbidden');
    assert.match(body.error_description, /never served/);
    assert.equal((await get(`/api/pki/${name}/cert.pem`)).status, 200, name);
  }
});

test('client keys (and the attacker\'s, the faulty ones\') stay downloadable', async () => {
  for (const name of ['tpp-alpha', 'mallory', 'alpha-expired', 'tpp-selfsigned']) {
    const res = await get(`/api/pki/${name}/key.pem`);
    assert.equal(res.status, 200, name);
    assert.match(await res.text(), /^-----BEGIN PRIVATE KEY-----/, name);
  }
});
