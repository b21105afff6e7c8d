// Unit tests of the gateway's building blocks that need no listener: nonces, the replay store,
// htu normalisation, challenge quoting, client certificate trust, spoofable header stripping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import Database from 'better-sqlite3';
import path from 'node:path';
import { NonceSource } from '../../server/gateway/dpop/nonce.ts';
import { ReplayStore } from '../../server/gateway/dpop/replay-store.ts';
import { normalizeHtu } from '../../server/gateway/checks/dpop/htu.ts';
import { quoted } from '../../server/gateway/errors.ts';
import { isStripped } from '../../server/gateway/proxy.ts';
import { TrustAnchors } from '../../server/gateway/trust.ts';
import { parseChallenges } from '../../server/engine/expectations.ts';
import { migrate } from '../../server/db/migrate.ts';
import { loadPki } from '../../server/pki/load.ts';
import { mintCertificate } from '../../server/pki/mint.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';

test('DPoP nonces: fresh ones verify, the previous minute too, older or tampered ones do not', () => {
  const nonces = new NonceSource(Buffer.alloc(32, 7));
  const now = 1_800_000_000;
  const n = nonces.issue(now);
  assert.equal(nonces.verify(n, now), true);
  assert.equal(nonces.verify(n, now + 60), true);
  assert.equal(nonces.verify(n, now + 121), false);
  assert.equal(nonces.verify(n.slice(0, -2) + (n.endsWith('AA') ? 'AB' : 'AA'), now), false);
  assert.equal(new NonceSource(Buffer.alloc(32, 8)).verify(n, now), false, 'another secret');
  assert.equal(nonces.verify('garbage', now), false);
});

test('replay store: a (jkt, jti) pair is accepted once, per key, and survives reopening the database', () => {
  const tmp = tempDataDir('replay');
  const file = path.join(tmp.dir, 'r.db');
  try {
    let db = new Database(file);
    migrate(db, path.join(ROOT_DIR, 'prisma', 'migrations'));
    let store = new ReplayStore(db);
    const exp = Math.floor(Date.now() / 1000) + 120;
    assert.equal(store.claim('key-a', 'jti-1', exp), true);
    assert.equal(store.claim('key-a', 'jti-1', exp), false);
    assert.equal(store.claim('key-b', 'jti-1', exp), true, 'same jti under another key');
    store.close();
    db.close();
    db = new Database(file);
    store = new ReplayStore(db);
    assert.equal(store.claim('key-a', 'jti-1', exp), false, 'still remembered after a restart');
    store.close();
    db.close();
  } finally {
    tmp.remove();
  }
});

test('htu normalisation (RFC 9449 §4.3 / RFC 3986 §6.2.2-3): case, default port, query and fragment', () => {
  assert.equal(normalizeHtu('HTTPS://LocalHost:443/a/b?x=1#f'), 'https://localhost/a/b');
  assert.equal(normalizeHtu('https://localhost:9443/a'), 'https://localhost:9443/a');
  assert.notEqual(normalizeHtu('https://localhost:9443/a'), normalizeHtu('https://localhost:9443/A'));
  assert.equal(normalizeHtu('ftp://x/y'), null);
  assert.equal(normalizeHtu('not a url'), null);
});

test('WWW-Authenticate values are safe quoted-strings and parse back', () => {
  const q = quoted('a "quoted" \\ thing ≠ ascii');
  assert.match(q, /^"[\x20-\x7e]*"$/);
  assert.ok(!q.slice(1, -1).includes('"'));
  const parsed = parseChallenges(`Bearer realm="x", error="invalid_token", error_description=${q}, DPoP algs="ES256 PS256"`);
  assert.equal(parsed.length, 2);
  assert.equal(parsed[0]!.params.error, 'invalid_token');
  assert.equal(parsed[1]!.scheme, 'DPoP');
  assert.equal(parsed[1]!.params.algs, 'ES256 PS256');
});

test('client certificate trust: chain, self-signed, rogue CA and revocation are separate answers', async () => {
  const pki = await loadPki(certsDir());
  const [root, issuing] = pki.trustAnchors;
  const trust = new TrustAnchors(pki.trustAnchors, [{ issuer: root!, revoked: [] }, { issuer: issuing!, revoked: pki.revokedSerials }]);
  const cert = (name: string) => new X509Certificate(pki.cert(name).cert);
  const alpha = trust.verifyChain(cert('tpp-alpha'));
  assert.equal(alpha.ok, true);
  assert.deepEqual(alpha.path.map((p) => p.split(',')[0]), ['CN=tpp-alpha', 'CN=FAPI Sandbox Issuing CA']);
  assert.equal(trust.verifyChain(cert('rogue-alpha')).ok, false);
  assert.match(trust.verifyChain(cert('rogue-alpha')).reason, /issuer CN=Rogue Root CA,.* is not a trusted CA/);
  assert.match(trust.verifyChain(cert('tpp-selfsigned')).reason, /self-signed/);
  assert.equal(trust.verifyChain(cert('alpha-expired')).ok, true, 'expiry is not a chain problem');
  assert.equal(trust.isRevoked(cert('alpha-revoked')), true);
  assert.equal(trust.isRevoked(cert('tpp-alpha')), false);
  const minted = await mintCertificate(pki, { name: 'x', subject: 'CN=x,O=X,C=GB', flaw: 'untrusted-ca' });
  assert.equal(trust.verifyChain(new X509Certificate(minted.chain)).ok, false);
  const good = await mintCertificate(pki, { name: 'y', subject: 'CN=y,O=Y,C=GB', flaw: 'none' });
  assert.equal(trust.verifyChain(new X509Certificate(good.chain)).ok, true);
  assert.equal(good.summary.subject, 'CN=y,O=Y,C=GB');
});

test('the proxy never forwards client-supplied identity or forwarded-certificate headers', () => {
  for (const h of ['x-forwarded-client-cert', 'x-client-cert', 'x-ssl-client-cert', 'x-ssl-client-s-dn', 'ssl-client-cert', 'client-cert', 'client-cert-chain', 'x-sandbox-client-id', 'x-sandbox-gateway-key', 'x-forwarded-for', 'forwarded', 'authorization', 'dpop', 'x-amzn-mtls-clientcert',
    'x-arr-clientcert', 'x-ssl-client-verify', 'x-client-verify', 'x-client-dn', 'x_sandbox_client_id', 'X-SANDBOX-SCOPE', 'ssl_client_cert', 'x-forwarded-host', 'x-original-forwarded-for', 'true-client-ip']) {
    assert.equal(isStripped(h), true, h);
  }
  for (const h of ['accept', 'x-fapi-customer-ip-address', 'x-fapi-auth-date', 'content-type']) assert.equal(isStripped(h), false, h);
});
