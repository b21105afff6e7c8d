// Test vectors from the RFCs themselves (DESIGN.md convention 8): RFC 7638 thumbprint, RFC 9449
// figure 2 proof and its jkt, RFC 9449 §7.1 ath, and x5t#S256 against an independent computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { calculateJwkThumbprint, compactVerify, importJWK, decodeProtectedHeader, type JWK } from 'jose';
import { thumbprintOf } from '../../server/pki/x509.ts';
import { jwkThumbprint } from '../../server/gateway/jose-util.ts';
import { loadPki } from '../../server/pki/load.ts';
import { certsDir } from '../helpers/paths.ts';

test('RFC 7638 §3.1: the example RSA key thumbprint', async () => {
  const jwk = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  };
  assert.equal(await calculateJwkThumbprint(jwk), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  assert.equal(jwkThumbprint(jwk), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', "the gateway's synchronous thumbprint");
});

test('RFC 7638 §3.2: only the required members count; a missing or non-string one gives no thumbprint', () => {
  const ec = { kty: 'EC', crv: 'P-256', x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs', y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA' };
  assert.equal(jwkThumbprint({ ...ec, kid: 'ignored', use: 'sig' }), jwkThumbprint(ec));
  assert.equal(jwkThumbprint({ ...ec, y: undefined }), null);
  assert.equal(jwkThumbprint({ ...ec, x: 42 }), null);
  assert.equal(jwkThumbprint({ ...ec, kty: 'oct' }), null);
  assert.equal(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
});

const RFC9449_PROOF =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg';

test('RFC 9449 figure 2: the example proof verifies with its own jwk, whose thumbprint is figure 9 jkt', async () => {
  const header = decodeProtectedHeader(RFC9449_PROOF);
  assert.equal(header.typ, 'dpop+jwt');
  const jwk = header.jwk as JWK;
  const { payload } = await compactVerify(RFC9449_PROOF, await importJWK(jwk, 'ES256'));
  assert.equal(JSON.parse(Buffer.from(payload).toString()).htu, 'https://server.example.com/token');
  assert.equal(await calculateJwkThumbprint(jwk), '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I');
  assert.equal(jwkThumbprint(jwk as Record<string, unknown>), '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I');
  // One flipped signature byte and it no longer verifies.
  const broken = RFC9449_PROOF.slice(0, -3) + (RFC9449_PROOF.endsWith('Lg') ? 'Lh' : 'Lg');
  await assert.rejects(compactVerify(broken, await importJWK(jwk, 'ES256')));
});

test('RFC 9449 §7.1: ath of the example access token', () => {
  const ath = createHash('sha256').update('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU').digest('base64url');
  assert.equal(ath, 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
});

test('RFC 8705 §3.1: x5t#S256 equals openssl\'s SHA-256 of the DER, base64url', async () => {
  const pki = await loadPki(certsDir());
  const pem = pki.cert('tpp-alpha').cert;
  const der = execFileSync('openssl', ['x509', '-outform', 'DER'], { input: pem });
  const hex = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: der }).toString().trim().split(' ').pop()!;
  const expected = Buffer.from(hex, 'hex').toString('base64url');
  assert.equal(thumbprintOf(new X509Certificate(pem).raw), expected);
  assert.equal(pki.cert('tpp-alpha').entry.thumbprint, expected);
  assert.notEqual(pki.cert('mallory').entry.thumbprint, expected);
});
