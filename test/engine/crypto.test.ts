// Unit tests of what the engine signs and breaks: access-token forgeries (alg none, HS256 keyed with
// the public key, tampered claims, a foreign key), DPoP proofs and each mutation (RFC 9449 §4.2), and
// private_key_jwt client assertions (RFC 7523 §3). Verified with jose, independently of the gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { SignJWT, EmbeddedJWK, calculateJwkThumbprint, compactVerify, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import { forgeToken, setPath } from '../../server/engine/crypto/forge.ts';
import { buildProof, generateDpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { buildClientAssertion } from '../../server/engine/crypto/client-assertion.ts';
import { verifyJarm } from '../../server/engine/crypto/jarm.ts';

const idp = await generateKeyPair('PS256', { extractable: true });
const idpPublic: JWK = { ...(await exportJWK(idp.publicKey)), alg: 'PS256', kid: 'idp-1' };
const jwks = { keys: [idpPublic] };
const genuine = await new SignJWT({ iss: 'https://idp.example', client_id: 'tpp-alpha', scope: 'accounts', cnf: { 'x5t#S256': 'A'.repeat(43) } })
  .setProtectedHeader({ alg: 'PS256', typ: 'at+jwt', kid: 'idp-1' })
  .sign(idp.privateKey);
const forge = (forgery: Parameters<typeof forgeToken>[1]) => forgeToken(genuine, forgery, jwks);

test('setPath creates objects along a dot path and keeps #', () => {
  const o: Record<string, unknown> = { cnf: 'not an object' };
  setPath(o, 'cnf.x5t#S256', 'T');
  setPath(o, 'a.b.c', 1);
  assert.deepEqual(o, { cnf: { 'x5t#S256': 'T' }, a: { b: { c: 1 } } });
});

test('genuine token verifies with the IdP key (control for the forgeries below)', async () => {
  await jwtVerify(genuine, await importJWK(idpPublic, 'PS256'));
});

test('forgery alg-none: alg none, empty signature, claims kept and set', async () => {
  const { token, description } = await forge({ forge: 'alg-none', from: 't', set: { 'cnf.x5t#S256': 'B'.repeat(43) } });
  const [h, , sig] = token.split('.');
  assert.equal(sig, '');
  assert.deepEqual(JSON.parse(Buffer.from(h!, 'base64url').toString()), { alg: 'none', typ: 'at+jwt', kid: 'idp-1' });
  assert.deepEqual(decodeJwt(token).cnf, { 'x5t#S256': 'B'.repeat(43) });
  assert.equal(decodeJwt(token).client_id, 'tpp-alpha');
  assert.match(description, /alg none.*cnf\.x5t#S256 changed/);
});

test('forgery hs256-public-key: HMAC-SHA256 keyed with the PEM of the IdP public key (the classic key confusion)', async () => {
  const { token } = await forge({ forge: 'hs256-public-key', from: 't', set: {} });
  assert.equal(decodeProtectedHeader(token).alg, 'HS256');
  assert.equal(decodeProtectedHeader(token).kid, 'idp-1');
  const pem = createPublicKey({ key: idpPublic as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  await compactVerify(token, new TextEncoder().encode(String(pem)));
  await assert.rejects(jwtVerify(token, await importJWK(idpPublic, 'PS256')));
});

test('forgery tamper-claims: the original signature over changed claims does not verify', async () => {
  const { token } = await forge({ forge: 'tamper-claims', from: 't', set: { scope: 'accounts payments admin' } });
  assert.equal(token.split('.')[0], genuine.split('.')[0]);
  assert.equal(token.split('.')[2], genuine.split('.')[2]);
  assert.equal(decodeJwt(token).scope, 'accounts payments admin');
  await assert.rejects(jwtVerify(token, await importJWK(idpPublic, 'PS256')), /signature verification failed/);
});

test('forgery resign-attacker-key: ES256 under the IdP\'s kid, by a key the IdP never had', async () => {
  const { token, description } = await forge({ forge: 'resign-attacker-key', from: 't', set: {} });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', typ: 'at+jwt', kid: 'idp-1' });
  assert.deepEqual(decodeJwt(token), decodeJwt(genuine));
  assert.match(description, /attacker's ES256 key under kid idp-1/);
  await assert.rejects(jwtVerify(token, await importJWK(idpPublic, 'PS256')));
});

test('forgery issuer-key: claims set and unset, signed by the issuer\'s signer (the target\'s); without a signer it is an error', async () => {
  const signer = (header: Record<string, unknown>, claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ ...header, alg: 'PS256', kid: 'idp-1' }).sign(idp.privateKey);
  const { token, description } = await forgeToken(genuine, { forge: 'issuer-key', from: 't', set: { 'cnf.x5t#S256': 'B'.repeat(43) }, unset: ['iss'] }, jwks, signer);
  const { payload } = await jwtVerify(token, await importJWK(idpPublic, 'PS256'));
  assert.deepEqual(payload, { client_id: 'tpp-alpha', scope: 'accounts', cnf: { 'x5t#S256': 'B'.repeat(43) } });
  assert.match(description, /issuer's own key with cnf\.x5t#S256 changed, iss removed/);
  await assert.rejects(forgeToken(genuine, { forge: 'issuer-key', from: 't', set: {} }, jwks), /issuer-key/);
});

test('a proof with another key\'s jwk in its header (jwkOf) carries the signer\'s signature: it does not verify with the jwk shown', async () => {
  const [victim, attacker] = await Promise.all([generateDpopKey('victim'), generateDpopKey('attacker')]);
  const proof = await buildProof(attacker, { method: 'GET', url: 'https://gw.example/a', now: 1_700_000_000, jwkOf: victim });
  assert.deepEqual(proof.header.jwk, victim.publicJwk);
  assert.match(proof.mutations.join(';'), /jwk of key victim, signed with key attacker/);
  await assert.rejects(compactVerify(proof.jwt, EmbeddedJWK));
  await compactVerify(proof.jwt, await importJWK(attacker.publicJwk, 'ES256'));
});

test('forging from an opaque token is an error, not a malformed request', async () => {
  await assert.rejects(forgeToken('opaque-token', { forge: 'alg-none', from: 't', set: {} }, jwks), /not a JWT/);
});

const key = await generateDpopKey('k');
const URL_ = 'https://gw.example:9443/open-banking/v3.1/aisp/accounts?page=2#frag';
const now = 1_800_000_000;
const proof = (spec: Parameters<typeof buildProof>[2] = {}, extra: { accessToken?: string; nonce?: string } = {}) =>
  buildProof(key, { method: 'GET', url: URL_, now, ...extra }, spec);

test('a genuine proof: typ dpop+jwt, ES256, public jwk (RFC 7638 thumbprint = jkt), htm, htu without query and fragment, iat, unique jti, ath of the token', async () => {
  const p = await proof({}, { accessToken: 'the-token' });
  const { payload, protectedHeader } = await jwtVerify(p.jwt, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'], currentDate: new Date(now * 1000) });
  assert.equal((protectedHeader.jwk as Record<string, unknown>).d, undefined);
  assert.equal(await calculateJwkThumbprint(protectedHeader.jwk!), key.jkt);
  assert.equal(payload.htm, 'GET');
  assert.equal(payload.htu, 'https://gw.example:9443/open-banking/v3.1/aisp/accounts');
  assert.equal(payload.iat, now);
  assert.equal(payload.ath, createHash('sha256').update('the-token').digest('base64url'));
  assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
  assert.notEqual((await proof()).claims.jti, payload.jti);
  assert.deepEqual(p.mutations, []);
  assert.equal((await proof()).claims.ath, undefined, 'no ath without an access token');
  assert.equal((await proof({}, { nonce: 'n-1' })).claims.nonce, 'n-1');
});

test('each proof mutation changes exactly what it says, and says so', async () => {
  const cases: [Parameters<typeof buildProof>[2], (c: Record<string, unknown>, h: Record<string, unknown>) => boolean, RegExp][] = [
    [{ htm: 'POST' }, (c) => c.htm === 'POST', /htm POST \(request is GET\)/],
    [{ htu: 'https://elsewhere.example/x' }, (c) => c.htu === 'https://elsewhere.example/x', /htu https:\/\/elsewhere/],
    [{ iatOffset: -300 }, (c) => c.iat === now - 300, /iat -300 s/],
    [{ iatOffset: 120 }, (c) => c.iat === now + 120, /iat \+120 s/],
    [{ jti: 'fixed' }, (c) => c.jti === 'fixed', /fixed jti fixed/],
    [{ ath: 'omit' }, (c) => !('ath' in c), /ath omitted/],
    [{ ath: 'wrong' }, (c) => typeof c.ath === 'string' && c.ath !== createHash('sha256').update('the-token').digest('base64url'), /ath of another token/],
    [{ omitClaims: ['htu', 'iat'] }, (c) => !('htu' in c) && !('iat' in c) && 'htm' in c, /htu omitted.*iat omitted|iat omitted/],
    [{ typ: 'JWT' }, (_c, h) => h.typ === 'JWT', /typ JWT/],
    [{ embedPrivateKey: true }, (_c, h) => typeof (h.jwk as JWK).d === 'string', /private key in the jwk header/],
  ];
  for (const [spec, holds, says] of cases) {
    const p = await proof(spec, { accessToken: 'the-token' });
    const label = JSON.stringify(spec);
    const header = decodeProtectedHeader(p.jwt) as Record<string, unknown>;
    assert.ok(holds(decodeJwt(p.jwt), header), label);
    assert.deepEqual(decodeJwt(p.jwt), p.claims, `${label}: the reported claims are the signed ones`);
    assert.match(p.mutations.join('; '), says, label);
    await compactVerify(p.jwt, await importJWK(key.publicJwk, 'ES256')).catch(() => assert.fail(`${label}: still signed by the key`));
  }
});

test('algorithm mutations: none is unsigned, HS256 is a MAC, a foreign header alg carries the ES256 signature', async () => {
  const none = await proof({ alg: 'none' });
  assert.equal(none.jwt.split('.')[2], '');
  assert.equal(decodeProtectedHeader(none.jwt).alg, 'none');
  const hs = await proof({ alg: 'HS256' });
  await compactVerify(hs.jwt, new TextEncoder().encode('attacker-chosen-secret-0123456789'));
  for (const alg of ['PS256', 'EdDSA'] as const) {
    const p = await proof({ alg });
    assert.equal(decodeProtectedHeader(p.jwt).alg, alg);
    assert.match(p.mutations.join(), new RegExp(`header alg ${alg} over an ES256 signature`));
    assert.equal(Buffer.from(p.jwt.split('.')[2]!, 'base64url').length, 64, 'a raw P-256 signature');
    const [h, c, sig] = p.jwt.split('.') as [string, string, string];
    const ecPublic = createPublicKey({ key: key.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    assert.ok(verify('sha256', Buffer.from(`${h}.${c}`), { key: ecPublic, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url')), 'the signature is the ES256 key\'s');
  }
});

test('private_key_jwt assertion: iss = sub = client_id, aud, iat, exp = iat + expiresIn, a fresh jti, the key\'s kid', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'c-1' };
  const a = await buildClientAssertion({ clientId: 'tpp-dpop', key: jwk, audience: 'https://idp.example', now, expiresIn: -60 });
  const { payload, protectedHeader } = await jwtVerify(a, publicKey, { issuer: 'tpp-dpop', subject: 'tpp-dpop', audience: 'https://idp.example', currentDate: new Date((now - 120) * 1000) });
  assert.equal(protectedHeader.kid, 'c-1');
  assert.equal(payload.iat, now);
  assert.equal(payload.exp, now - 60);
  const b = await buildClientAssertion({ clientId: 'tpp-dpop', key: jwk, audience: 'https://idp.example', now });
  assert.equal(decodeJwt(b).exp, now + 60, 'one minute by default');
  assert.notEqual(decodeJwt(b).jti, payload.jti);
});

test('JARM: a response signed by the issuer for this client verifies; another key, another aud or iss, or an expired one is an authorization-response error', async () => {
  const now = Math.floor(Date.now() / 1000);
  const response = (claims: Record<string, unknown>, key: CryptoKey | Uint8Array = idp.privateKey) =>
    new SignJWT({ code: 'c-1', state: 's-1', iss: 'https://idp.example', aud: 'tpp-alpha', exp: now + 60, ...claims }).setProtectedHeader({ alg: 'PS256', kid: 'idp-1' }).sign(key);
  assert.equal((await verifyJarm(await response({}), jwks, 'https://idp.example', 'tpp-alpha', now)).code, 'c-1');
  const other = await generateKeyPair('PS256');
  for (const [label, jwt] of [
    ['another key', await response({}, other.privateKey)], ['another aud', await response({ aud: 'mallory-app' })],
    ['another iss', await response({ iss: 'https://evil.example' })], ['expired', await response({ exp: now - 120 })],
  ] as const) {
    await assert.rejects(verifyJarm(jwt, jwks, 'https://idp.example', 'tpp-alpha', now), (err: Error & { code?: string }) => err.code === 'authorization-response', label);
  }
  await assert.rejects(verifyJarm(`${(await response({})).split('.').slice(0, 2).join('.')}.`, jwks, 'https://idp.example', 'tpp-alpha', now), /does not verify/, 'unsigned');
});
