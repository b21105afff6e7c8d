// The gateway's JOSE helpers after the hot-path work (BENCHMARKS.md): the canonical-base64url test without
// decoding gives the verdict decoding and re-encoding gave, and a DPoP header decoded once is shared read-only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeader, isCanonicalCompact, jwkThumbprint } from '../../server/gateway/jose-util.ts';

const reference = (p: string) => /^[A-Za-z0-9_-]*$/.test(p) && p.length % 4 !== 1 && Buffer.from(p, 'base64url').toString('base64url') === p;

test('isCanonicalCompact agrees with decode + re-encode on every short segment and on random long ones', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // Every last character after every length class, with a fixed prefix.
  for (const prefix of ['', 'e', 'ey', 'eyJ', 'eyJh', 'eyJhI', 'eyJhIj']) {
    for (const c of [...alphabet, '=', '+', '/', '.', ' ', 'é']) {
      const seg = prefix + c;
      assert.equal(isCanonicalCompact([seg]), reference(seg), JSON.stringify(seg));
    }
  }
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let i = 0; i < 5_000; i++) {
    const seg = Array.from({ length: rand(40) }, () => (rand(50) ? alphabet[rand(64)] : '=+/.'[rand(4)])).join('');
    assert.equal(isCanonicalCompact([seg, 'e30']), reference(seg), JSON.stringify(seg));
  }
});

test('decodeHeader: one frozen object per segment; not JSON gives null', () => {
  const jwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
  const seg = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk })).toString('base64url');
  const a = decodeHeader(seg);
  assert.ok(a && Object.isFrozen(a) && Object.isFrozen(a.jwk));
  assert.equal(decodeHeader(seg), a, 'the same object the second time');
  assert.throws(() => { (a as Record<string, unknown>).alg = 'none'; }, TypeError, 'read-only: no check can change what the next proof sees');
  assert.equal(jwkThumbprint(a.jwk as Record<string, unknown>), jwkThumbprint({ ...jwk }), 'the remembered thumbprint is the computed one');
  assert.equal(decodeHeader('bm90IGpzb24'), null);
  assert.equal(decodeHeader('WzFd'), null, 'an array is not a header');
});
