// The DSL's proof variations for RS-side scenarios: header parameters left out (the JWS still verifies
// with the key), a symmetric jwk, extra claims, and equivalent spellings of htu (RFC 3986 §6.2.2-3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { buildProof, generateDpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { normalizeHtu } from '../../server/gateway/checks/dpop/htu.ts';

const URL_ = 'https://localhost:9443/open-banking/v3.1/aisp/accounts';
const req = { method: 'GET', url: URL_, now: Math.floor(Date.now() / 1000) };
const parts = (jwt: string) => jwt.split('.').map((p, i) => (i < 2 ? JSON.parse(Buffer.from(p, 'base64url').toString()) : p)) as [Record<string, unknown>, Record<string, unknown>, string];

test('omitHeader leaves typ, alg or jwk out, and the proof is still signed by the key', async () => {
  const key = await generateDpopKey('k');
  for (const omitted of ['typ', 'alg', 'jwk'] as const) {
    const proof = await buildProof(key, req, { omitHeader: [omitted] });
    const [header] = parts(proof.jwt);
    assert.equal(omitted in header, false, omitted);
    assert.ok(proof.mutations.includes(`${omitted} header omitted`));
    const [h, p, s] = proof.jwt.split('.') as [string, string, string];
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey({ key: key.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
    assert.ok(ok, `${omitted}: the signature verifies`);
  }
});

test('symmetricJwk puts a kty oct key in the header; extraClaims are added', async () => {
  const key = await generateDpopKey('k');
  const proof = await buildProof(key, req, { symmetricJwk: true, extraClaims: { purpose: 'x' } });
  const [header, claims] = parts(proof.jwt);
  assert.equal((header.jwk as { kty: string }).kty, 'oct');
  assert.equal(claims.purpose, 'x');
});

test('htuForm spellings are different strings that normalise to the request URL', async () => {
  const key = await generateDpopKey('k');
  const spelt = async (htuForm: 'upper-case-origin' | 'explicit-default-port' | 'percent-encoded', url = URL_) =>
    String(parts((await buildProof(key, { ...req, url }, { htuForm })).jwt)[1].htu);
  assert.equal(await spelt('upper-case-origin'), 'HTTPS://LOCALHOST:9443/open-banking/v3.1/aisp/accounts');
  assert.equal(await spelt('percent-encoded'), 'https://localhost:9443/open-banking/v3.1/aisp/%61ccounts');
  assert.equal(await spelt('explicit-default-port', 'https://bank.example/aisp/accounts'), 'https://bank.example:443/aisp/accounts');
  for (const form of ['upper-case-origin', 'percent-encoded'] as const) assert.equal(normalizeHtu(await spelt(form)), normalizeHtu(URL_));
});
