// Gateway DPoP checks (RFC 9449 §4.3 order, §7.1, §7.2, §9, §11.1) over real TLS: each passes for a
// genuine proof and fails for the proof (or request) broken the way it guards against.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { startTestStack, idpToken, callGateway, failedCheck, decisionOf, ath, type TestStack } from '../helpers/stack.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import type { DpopSpec } from '../../lib/scenario/schema.ts';
import { parseChallenges } from '../../server/engine/expectations.ts';

let t: TestStack;
let key: DpopKey;
let token: string;
const PATH = '/open-banking/v3.1/aisp/accounts';
before(async () => {
  t = await startTestStack('gw-dpop');
  key = await generateDpopKey('k');
  token = await idpToken(t.stack, { client_id: 'tpp-dpop', cnf: { jkt: key.jkt } });
});
after(() => t.stop());

async function call(spec: Partial<DpopSpec> = {}, opts: { path?: string; proofKey?: DpopKey; scheme?: string; dpop?: string | string[] | null; tok?: string; nonce?: string } = {}) {
  const path = opts.path ?? PATH;
  const url = t.stack.urls.gateway + path;
  const tok = opts.tok ?? token;
  const proof = opts.dpop !== undefined ? opts.dpop : (await buildProof(opts.proofKey ?? key, { method: 'GET', url, accessToken: tok, now: Date.now() / 1000, ...(opts.nonce ? { nonce: opts.nonce } : {}) }, spec)).jwt;
  return callGateway(t.stack, path, { token: tok, scheme: opts.scheme ?? 'DPoP', headers: proof === null ? {} : { dpop: proof } });
}

const reasonOf = (ex: Awaited<ReturnType<typeof call>>, id: string) => decisionOf(t.stack, ex).checks.find((c) => c.id === id)?.reason ?? '';

test('a genuine proof passes every DPoP check, in RFC 9449 §4.3 order', async () => {
  const ex = await call();
  assert.equal(ex.response?.status, 200);
  const d = decisionOf(t.stack, ex);
  assert.equal(d.request.binding, 'dpop');
  const dpop = d.checks.filter((c) => c.id.startsWith('dpop.'));
  assert.deepEqual(dpop.map((c) => c.id), [
    'dpop.scheme', 'dpop.single-header', 'dpop.well-formed', 'dpop.typ', 'dpop.alg', 'dpop.jwk-public', 'dpop.signature',
    'dpop.claims-present', 'dpop.htm', 'dpop.htu', 'dpop.iat-window', 'dpop.jti-unique', 'dpop.nonce', 'dpop.ath', 'dpop.cnf-jkt-match',
  ]);
  assert.deepEqual(dpop.filter((c) => c.outcome === 'fail'), []);
  assert.equal(dpop.find((c) => c.id === 'dpop.nonce')!.outcome, 'skip');
});

test('a proof built independently with jose (not the engine) is accepted', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  const { calculateJwkThumbprint } = await import('jose');
  const tok = await idpToken(t.stack, { cnf: { jkt: await calculateJwkThumbprint(jwk) } });
  const proof = await new SignJWT({ jti: randomUUID(), htm: 'GET', htu: t.stack.urls.gateway + PATH, iat: Math.floor(Date.now() / 1000), ath: ath(tok) })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .sign(privateKey);
  const ex = await call({}, { tok, dpop: proof });
  assert.equal(ex.response?.status, 200);
});

const cases: [string, Partial<DpopSpec>, string, RegExp][] = [
  ['typ', { typ: 'JWT' }, 'dpop.typ', /is not "dpop\+jwt"/],
  ['alg none', { alg: 'none' }, 'dpop.alg', /unsigned/],
  ['alg HS256', { alg: 'HS256' }, 'dpop.alg', /symmetric/],
  ['private jwk', { embedPrivateKey: true }, 'dpop.jwk-public', /private key members \(d\)/],
  ['missing jti', { omitClaims: ['jti'] }, 'dpop.claims-present', /jti/],
  ['missing ath', { ath: 'omit' }, 'dpop.claims-present', /ath/],
  ['htm', { htm: 'POST' }, 'dpop.htm', /not this request's method GET/],
  ['htu', { htu: 'https://localhost:1/other' }, 'dpop.htu', /not this request's URL/],
  ['stale iat', { iatOffset: -120 }, 'dpop.iat-window', /created 12[01] s ago/], // iat is whole seconds: 121 when a second ticks before the check
  ['future iat', { iatOffset: 120 }, 'dpop.iat-window', /in the future/],
  ['wrong ath', { ath: 'wrong' }, 'dpop.ath', /not the hash/],
  ['header alg PS256 over an ES256 signature', { alg: 'PS256' }, 'dpop.signature', /does not verify with the header jwk/],
  ['header alg EdDSA over an ES256 signature', { alg: 'EdDSA' }, 'dpop.signature', /does not verify with the header jwk/],
];
for (const [label, spec, check, reason] of cases) {
  test(`${check} fails for ${label}: 401 DPoP error="invalid_dpop_proof" with algs`, async () => {
    const ex = await call(spec);
    assert.equal(ex.response?.status, 401);
    assert.equal(failedCheck(t.stack, ex), check);
    assert.match(reasonOf(ex, check), reason);
    const [challenge] = parseChallenges(String(ex.response!.headers['www-authenticate']));
    assert.equal(challenge!.scheme, 'DPoP');
    assert.equal(challenge!.params.error, 'invalid_dpop_proof');
    assert.equal(challenge!.params.algs, 'ES256 PS256 EdDSA');
    assert.ok(challenge!.params.error_description!.startsWith(`${check}: `));
  });
}

test('dpop.htu passes for the same URL with another scheme / host case, and without the query string of the request', async () => {
  const url = new URL(t.stack.urls.gateway + PATH);
  const shouting = `HTTPS://LOCALHOST:${url.port}${PATH}`;
  const ok = await call({ htu: shouting });
  assert.equal(ok.response?.status, 200, reasonOf(ok, 'dpop.htu'));
  const withQuery = await call({}, { path: `${PATH}?page=1` });
  assert.equal(withQuery.response?.status, 200, reasonOf(withQuery, 'dpop.htu'));
  const otherPort = await call({ htu: `https://localhost:1${PATH}` });
  assert.equal(failedCheck(t.stack, otherPort), 'dpop.htu');
});

test('dpop.signature fails when the signature is not the header key\'s', async () => {
  const good = (await buildProof(key, { method: 'GET', url: t.stack.urls.gateway + PATH, accessToken: token, now: Date.now() / 1000 })).jwt;
  const other = (await buildProof(await generateDpopKey('x'), { method: 'GET', url: t.stack.urls.gateway + PATH, accessToken: token, now: Date.now() / 1000 })).jwt;
  const spliced = `${good.split('.').slice(0, 2).join('.')}.${other.split('.')[2]}`;
  const ex = await call({}, { dpop: spliced });
  assert.equal(failedCheck(t.stack, ex), 'dpop.signature');
});

/** A proof signed with node:crypto (not the engine, not jose) under `alg`, with a key of `keyType` and extra header members. */
async function foreignProof(alg: string, keyType: 'P-256' | 'rsa2048' | 'rsa1024' | 'Ed25519', extraHeader: Record<string, unknown> = {}) {
  const { generateKeyPairSync, sign, constants } = await import('node:crypto');
  const { privateKey, publicKey } = keyType === 'P-256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : keyType === 'Ed25519' ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('rsa', { modulusLength: keyType === 'rsa2048' ? 2048 : 1024 });
  const jwk = publicKey.export({ format: 'jwk' });
  const { calculateJwkThumbprint } = await import('jose');
  const tok = await idpToken(t.stack, { cnf: { jkt: await calculateJwkThumbprint(jwk as JWK) } });
  const claims = { jti: randomUUID(), htm: 'GET', htu: t.stack.urls.gateway + PATH, iat: Math.floor(Date.now() / 1000), ath: ath(tok) };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ typ: 'dpop+jwt', alg, jwk, ...extraHeader })}.${b64(claims)}`;
  const opts = keyType === 'P-256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
    : keyType === 'Ed25519' ? privateKey : { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  const signature = sign(keyType === 'Ed25519' ? null : 'sha256', Buffer.from(input), opts).toString('base64url');
  return call({}, { tok, dpop: `${input}.${signature}` });
}

test('dpop.signature accepts each allowlisted alg: ES256, PS256, EdDSA (Ed25519)', async () => {
  for (const [alg, keyType] of [['ES256', 'P-256'], ['PS256', 'rsa2048'], ['EdDSA', 'Ed25519']] as const) {
    const ex = await foreignProof(alg, keyType);
    assert.equal(ex.response?.status, 200, alg);
    assert.equal(decisionOf(t.stack, ex).checks.find((c) => c.id === 'dpop.signature')?.outcome, 'pass', alg);
  }
});

test('dpop.signature refuses a key that does not fit the alg, an RSA key under 2048 bits, and crit extensions', async () => {
  const ecUnderPs256 = await foreignProof('PS256', 'P-256');
  assert.equal(failedCheck(t.stack, ecUnderPs256), 'dpop.signature');
  assert.match(reasonOf(ecUnderPs256, 'dpop.signature'), /PS256 needs an RSA key/);
  const small = await foreignProof('PS256', 'rsa1024');
  assert.equal(failedCheck(t.stack, small), 'dpop.signature');
  assert.match(reasonOf(small, 'dpop.signature'), /2048 bits/);
  const crit = await foreignProof('ES256', 'P-256', { crit: ['exp'], exp: 1 });
  assert.equal(failedCheck(t.stack, crit), 'dpop.signature');
  assert.match(reasonOf(crit, 'dpop.signature'), /crit/);
});

test('dpop.single-header fails with no proof and with two proofs; dpop.well-formed with garbage', async () => {
  assert.equal(failedCheck(t.stack, await call({}, { dpop: null })), 'dpop.single-header');
  const p = (await buildProof(key, { method: 'GET', url: t.stack.urls.gateway + PATH, accessToken: token, now: Date.now() / 1000 })).jwt;
  assert.equal(failedCheck(t.stack, await call({}, { dpop: [p, p] })), 'dpop.single-header');
  for (const junk of ['not-a-jwt', 'a.b.c', `${Buffer.from('[]').toString('base64url')}.e30.sig`]) {
    const ex = await call({}, { dpop: junk });
    assert.equal(ex.response?.status, 401, junk);
    assert.equal(failedCheck(t.stack, ex), 'dpop.well-formed', junk);
  }
});

test('dpop.jti-unique: the same proof twice is a replay', async () => {
  const proof = (await buildProof(key, { method: 'GET', url: t.stack.urls.gateway + PATH, accessToken: token, now: Date.now() / 1000 })).jwt;
  assert.equal((await call({}, { dpop: proof })).response?.status, 200);
  const replay = await call({}, { dpop: proof });
  assert.equal(replay.response?.status, 401);
  assert.equal(failedCheck(t.stack, replay), 'dpop.jti-unique');
});

test('dpop.jti-unique: a database error refuses every claim it met with an RFC-shaped 400 (never fresh, never a 5xx), and remembers none', async () => {
  if (t.stack.db.provider !== 'sqlite') return;
  const url = t.stack.urls.gateway + PATH;
  const proofs = await Promise.all(Array.from({ length: 4 }, async () => (await buildProof(key, { method: 'GET', url, accessToken: token, now: Date.now() / 1000 })).jwt));
  // A temporary trigger lives on the gateway's own connection only: its replay inserts fail, nothing else does.
  t.stack.db.sqlite.exec("CREATE TEMP TRIGGER replay_down BEFORE INSERT ON DpopProofSeen BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END");
  try {
    const refused = await Promise.all(proofs.map((p) => call({}, { dpop: p })));
    for (const ex of refused) {
      assert.equal(ex.response?.status, 400, ex.response?.body);
      assert.equal(failedCheck(t.stack, ex), 'dpop.jti-unique');
      assert.match(reasonOf(ex, 'dpop.jti-unique'), /disk I\/O error \(test\)/);
      const [challenge] = parseChallenges(String(ex.response!.headers['www-authenticate']));
      assert.equal(challenge!.scheme, 'DPoP');
      assert.equal(challenge!.params.error, 'invalid_request');
    }
  } finally {
    t.stack.db.sqlite.exec('DROP TRIGGER replay_down');
  }
  // None of them was claimed: each is accepted once the database is back, then refused as a replay.
  for (const p of proofs) assert.equal((await call({}, { dpop: p })).response?.status, 200);
  for (const p of proofs) assert.equal(failedCheck(t.stack, await call({}, { dpop: p })), 'dpop.jti-unique');
});

test('dpop.cnf-jkt-match fails for a valid proof by another key (invalid_token)', async () => {
  const ex = await call({}, { proofKey: await generateDpopKey('attacker') });
  assert.equal(ex.response?.status, 401);
  assert.equal(failedCheck(t.stack, ex), 'dpop.cnf-jkt-match');
  assert.equal(parseChallenges(String(ex.response!.headers['www-authenticate']))[0]!.params.error, 'invalid_token');
});

test('dpop.scheme: a DPoP-bound token sent as Bearer is refused (RFC 9449 §7.2), and the DPoP scheme needs a DPoP-bound token', async () => {
  const asBearer = await callGateway(t.stack, PATH, { token, scheme: 'Bearer' });
  assert.equal(asBearer.response?.status, 401);
  assert.equal(failedCheck(t.stack, asBearer), 'dpop.scheme');
  const mtlsToken = await idpToken(t.stack, { cnf: { 'x5t#S256': 'a'.repeat(43) } });
  const wrongScheme = await call({}, { path: `/dpop${PATH}`, tok: mtlsToken });
  assert.equal(failedCheck(t.stack, wrongScheme), 'dpop.scheme');
});

test('dpop.nonce on /dpop-nonce: none → use_dpop_nonce with a DPoP-Nonce header; the issued nonce → 200; a made-up one → refused', async () => {
  const path = `/dpop-nonce${PATH}`;
  const first = await call({}, { path });
  assert.equal(first.response?.status, 401);
  assert.equal(failedCheck(t.stack, first), 'dpop.nonce');
  const nonce = String(first.response!.headers['dpop-nonce']);
  assert.ok(nonce.length > 10);
  assert.equal(parseChallenges(String(first.response!.headers['www-authenticate']))[0]!.params.error, 'use_dpop_nonce');
  const retry = await call({}, { path, nonce });
  assert.equal(retry.response?.status, 200);
  assert.ok(retry.response!.headers['dpop-nonce'], 'a fresh nonce on success too');
  const madeUp = await call({}, { path, nonce: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
  assert.equal(failedCheck(t.stack, madeUp), 'dpop.nonce');
});
