// Unit tests of the expectation judge: WWW-Authenticate parsing (RFC 9110 §11.6.1), status matching,
// OAuth errors from the body or the challenge, named server checks (and "not observable" for external
// targets), handshake, token type, claims, headers and body values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges, evaluate, alertOf } from '../../server/engine/expectations.ts';
import type { Expectation } from '../../lib/scenario/schema.ts';
import { state, observation } from './fixtures.ts';

const { state: s } = state(`actors:
  a: { certificate: tpp-alpha }
steps:
  - name: one
    clock: { shift: 1 }
`);

/** The one result of evaluating a single expectation. */
function judge(expect: Expectation, obs: ReturnType<typeof observation>) {
  const results = evaluate(expect, obs, s);
  assert.equal(results.length, 1, JSON.stringify(results));
  return results[0]!;
}

test('parseChallenges: several challenges, quoted values with commas and escapes, token values, lower-cased parameter names', () => {
  const parsed = parseChallenges('Bearer realm="fapi, sandbox", Error="invalid_token", error_description="say \\"no\\"", DPoP algs="ES256 PS256", Basic, Custom a=b');
  assert.deepEqual(parsed, [
    { scheme: 'Bearer', params: { realm: 'fapi, sandbox', error: 'invalid_token', error_description: 'say "no"' } },
    { scheme: 'DPoP', params: { algs: 'ES256 PS256' } },
    { scheme: 'Basic', params: {} },
    { scheme: 'Custom', params: { a: 'b' } },
  ]);
  assert.deepEqual(parseChallenges(''), []);
  assert.deepEqual(parseChallenges('DPoP error = "use_dpop_nonce"'), [{ scheme: 'DPoP', params: { error: 'use_dpop_nonce' } }]);
});

test('status: a number, a list, or a class (4xx); a missing response fails with the transport error as detail', () => {
  const r401 = observation({ status: 401 });
  assert.equal(judge({ status: 401 }, r401).pass, true);
  assert.equal(judge({ status: 200 }, r401).pass, false);
  assert.equal(judge({ status: [400, 401] }, r401).pass, true);
  assert.equal(judge({ status: [400, 403] }, r401).pass, false);
  assert.equal(judge({ status: '4xx' }, r401).pass, true);
  assert.equal(judge({ status: '2xx' }, r401).pass, false);
  const refused = judge({ status: 401 }, observation(null, { error: 'ECONNRESET' }));
  assert.deepEqual([refused.pass, refused.actual, refused.detail], [false, null, 'ECONNRESET: ECONNRESET happened']);
});

test('handshake: ok with a response, refused without one', () => {
  assert.equal(judge({ handshake: 'ok' }, observation({ status: 401 })).pass, true);
  assert.equal(judge({ handshake: 'refused' }, observation(null, { error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })).pass, true);
  assert.equal(judge({ handshake: 'refused' }, observation({ status: 200 })).pass, false);
});

test('alert: the TLS alert named in the error code, or numbered in the message (EPROTO); a completed handshake has none', () => {
  assert.equal(alertOf({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: '' }), 'certificate_required');
  assert.equal(alertOf({ code: 'EPROTO', message: 'write EPROTO ...:tlsv1 alert protocol version:...:SSL alert number 70\n' }), 'protocol_version');
  assert.equal(alertOf({ code: 'ECONNRESET', message: 'socket hang up' }), null);
  assert.equal(judge({ alert: 'certificate_required' }, observation(null, { error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })).pass, true);
  assert.equal(judge({ alert: ['unknown_ca', 'certificate_required'] }, observation(null, { error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })).pass, true);
  assert.equal(judge({ alert: 'protocol_version' }, observation(null, { error: 'ECONNRESET' })).pass, false, 'any transport error is not the alert');
  assert.equal(judge({ alert: 'protocol_version' }, observation({ status: 200 })).pass, false);
});

test('headersMatch: a response header matching a regular expression; an absent header fails', () => {
  const uuid = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  assert.equal(judge({ headersMatch: { 'x-fapi-interaction-id': uuid } }, observation({ status: 200, headers: { 'x-fapi-interaction-id': '0b8d4c4e-6f4b-4e0b-9f0a-2f4c1d2e3a4b' } })).pass, true);
  assert.equal(judge({ headersMatch: { 'x-fapi-interaction-id': uuid } }, observation({ status: 200, headers: { 'x-fapi-interaction-id': 'not-a-uuid <script>' } })).pass, false);
  assert.equal(judge({ headersMatch: { 'x-fapi-interaction-id': uuid } }, observation({ status: 200 })).pass, false);
});

test('error comes from the JSON body, else from the WWW-Authenticate challenge; error_description likewise', () => {
  const body = observation({ status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } });
  assert.equal(judge({ error: 'invalid_client' }, body).pass, true);
  assert.equal(judge({ error: 'invalid_token' }, body).actual, 'invalid_client');
  assert.equal(judge({ errorDescriptionContains: 'authentication' }, body).pass, true);
  const challenge = observation({ status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_dpop_proof", error_description="dpop.htu: wrong URL", algs="ES256"' } });
  assert.equal(judge({ error: 'invalid_dpop_proof' }, challenge).pass, true);
  assert.equal(judge({ errorDescriptionContains: 'dpop.htu' }, challenge).pass, true);
  assert.equal(judge({ errorDescriptionContains: 'dpop.htm' }, challenge).pass, false);
  assert.equal(judge({ error: 'invalid_token' }, observation({ status: 200, body: 'not json' })).actual, null);
});

test('wwwAuthenticate: scheme (case-insensitive), error and a substring must all match one challenge', () => {
  const obs = observation({ status: 401, headers: { 'www-authenticate': 'Bearer realm="x", error="invalid_token", error_description="mtls.cnf-thumbprint-match: no"' } });
  assert.equal(judge({ wwwAuthenticate: { scheme: 'Bearer', error: 'invalid_token' } }, obs).pass, true);
  assert.equal(judge({ wwwAuthenticate: { scheme: 'DPoP' } }, obs).pass, false);
  assert.equal(judge({ wwwAuthenticate: { error: 'invalid_request' } }, obs).pass, false);
  assert.equal(judge({ wwwAuthenticate: { contains: 'cnf-thumbprint' } }, obs).pass, true);
  assert.equal(judge({ wwwAuthenticate: { contains: 'jkt' } }, obs).pass, false);
  assert.equal(judge({ wwwAuthenticate: { scheme: 'Bearer' } }, observation({ status: 200 })).pass, false);
  const lower = observation({ status: 401, headers: { 'www-authenticate': 'bearer error="invalid_token"' } });
  assert.equal(judge({ wwwAuthenticate: { scheme: 'Bearer' } }, lower).pass, true);
});

test('checks: pass, fail or skip as the server decided; "not run" fails; an external target makes them unobservable (passing, flagged)', () => {
  const obs = observation({ status: 401 }, { checks: [
    { id: 'tls.client-cert-chain', outcome: 'pass', reason: 'chains' },
    { id: 'mtls.cnf-thumbprint-match', outcome: 'fail', reason: 'thumbprint differs' },
  ] });
  assert.equal(judge({ checks: { 'mtls.cnf-thumbprint-match': 'fail' } }, obs).pass, true);
  const wrong = judge({ checks: { 'mtls.cnf-thumbprint-match': 'pass' } }, obs);
  assert.deepEqual([wrong.pass, wrong.actual, wrong.detail], [false, 'fail', 'thumbprint differs']);
  const notRun = judge({ checks: { 'dpop.ath': 'fail' } }, obs);
  assert.deepEqual([notRun.pass, notRun.actual], [false, 'not run']);
  const external = judge({ checks: { 'dpop.ath': 'fail' } }, observation({ status: 401 }, { checks: null }));
  assert.deepEqual([external.pass, external.unobservable, external.actual], [true, true, 'not observable']);
});

test('tokenType (case-insensitive), claims at dot paths with templates, headers present / absent / equal, body values', () => {
  const token = { tokenType: 'DPoP', claims: { client_id: 'tpp-alpha', cnf: { 'x5t#S256': 'A'.repeat(43) } } };
  const obs = observation({ status: 200, headers: { 'x-fapi-interaction-id': 'abc', 'dpop-nonce': 'n1' }, body: { Data: { Account: [{ AccountId: 'acc-1' }] }, n: 2 } }, { token });
  assert.equal(judge({ tokenType: 'DPoP' }, obs).pass, true);
  assert.equal(judge({ tokenType: 'Bearer' }, obs).pass, false);
  assert.equal(judge({ tokenType: 'DPoP' }, observation({ status: 200 }, { token: { tokenType: 'dpop', claims: null } })).pass, true);
  assert.equal(judge({ claims: { 'cnf.x5t#S256': '{{certs.tpp-alpha.thumbprint}}' } }, obs).pass, true);
  assert.equal(judge({ claims: { 'cnf.jkt': 'x' } }, obs).actual, null);
  assert.equal(judge({ claims: { cnf: { 'x5t#S256': 'A'.repeat(43) } } }, obs).pass, true, 'whole objects compare by value');
  assert.equal(judge({ headers: { 'dpop-nonce': true } }, obs).pass, true);
  assert.equal(judge({ headers: { 'dpop-nonce': false } }, obs).pass, false);
  assert.equal(judge({ headers: { 'www-authenticate': false } }, obs).pass, true);
  assert.equal(judge({ headers: { 'X-FAPI-Interaction-Id': 'abc' } }, obs).pass, true, 'header names are case-insensitive');
  assert.equal(judge({ body: { 'Data.Account.0.AccountId': 'acc-1' } }, obs).pass, true);
  assert.equal(judge({ body: { n: '2' } }, obs).pass, false, 'values compare with their JSON type');
});

test('several expectations give one result each, in a stable order', () => {
  const obs = observation({ status: 401, body: { error: 'invalid_client' } });
  const results = evaluate({ status: 401, error: 'invalid_client', handshake: 'ok' }, obs, s);
  assert.deepEqual(results.map((r) => [r.path, r.pass]), [['handshake', true], ['status', true], ['error', true]]);
});

test('authorize steps: the authorization response must carry the target\'s iss (RFC 9207); missing or another fails, callback.iss names another', () => {
  const issuer = s.target.endpoints.issuer;
  const withIss = (iss: string | null) => ({ ...observation({ status: 302 }), authorization: { code: 'c', state: 's', iss, error: null, errorDescription: null } });
  const issResult = (expect: Expectation, iss: string | null) => evaluate(expect, withIss(iss), s).find((r) => r.path === 'callback iss')!;
  assert.equal(issResult({ callback: { code: true } }, issuer).pass, true);
  const missing = issResult({ callback: { code: true } }, null);
  assert.equal(missing.pass, false);
  assert.match(missing.detail ?? '', /RFC 9207/);
  assert.equal(issResult({ callback: { code: true } }, 'https://attacker.example').pass, false);
  assert.equal(issResult({ callback: { iss: 'https://other.example' } }, 'https://other.example').pass, true);
  assert.equal(evaluate({ status: 200 }, observation({ status: 200 }), s).some((r) => r.path === 'callback iss'), false, 'no authorization response, no iss check');
});

test('authorize steps: a request that carried the customer\'s credentials redirected with 307 or 308 fails (FAPI 2.0 SP 5.3.2.2-10); 303 passes', () => {
  const at = (status: number, credentials = true) => ({ ...observation({ status: 302 }), redirects: [{ method: 'POST' as const, credentials, status, url: 'https://as.example/login' }] });
  const result = (status: number, credentials = true) => evaluate({ status: 302 }, at(status, credentials), s).find((r) => r.path === 'redirect after credentials');
  assert.equal(result(303)?.pass, true);
  assert.equal(result(302)?.pass, true);
  const r307 = result(307)!;
  assert.equal(r307.pass, false);
  assert.match(r307.detail ?? '', /5\.3\.2\.2-10/);
  assert.equal(result(308)?.pass, false);
  assert.equal(result(307, false), undefined, 'a redirect of a request without credentials is not judged');
});

test('bodyRange: a number in the body within min and max (inclusive); out of range, missing or a string fails', () => {
  const obs = (body: unknown) => observation({ status: 201, body, headers: { 'content-type': 'application/json' } });
  const r = (body: unknown) => evaluate({ status: 201, bodyRange: { expires_in: { min: 1, max: 599 } } }, obs(body), s).find((x) => x.path === 'body expires_in')!;
  assert.equal(r({ expires_in: 60 }).pass, true);
  assert.equal(r({ expires_in: 599 }).pass, true);
  assert.equal(r({ expires_in: 600 }).pass, false);
  assert.equal(r({ expires_in: 0 }).pass, false);
  assert.equal(r({}).pass, false);
  const str = r({ expires_in: '60' });
  assert.equal(str.pass, false);
  assert.match(str.detail ?? '', /string, not a number/);
  assert.equal(r({ expires_in: 60 }).expected, '1 to 599');
});

test('bodyMatch: a string in the body matching a regular expression; another string, a number or nothing fails', () => {
  const obs = (body: unknown) => observation({ status: 200, body, headers: { 'content-type': 'application/json' } });
  const r = (body: unknown) => evaluate({ status: 200, bodyMatch: { jwks_uri: '^https://' } }, obs(body), s).find((x) => x.path === 'body jwks_uri')!;
  assert.equal(r({ jwks_uri: 'https://as.example/jwks' }).pass, true);
  assert.equal(r({ jwks_uri: 'http://as.example/jwks' }).pass, false);
  assert.equal(r({}).pass, false);
  const num = r({ jwks_uri: 443 });
  assert.equal(num.pass, false);
  assert.match(num.detail ?? '', /number, not a string/);
  assert.equal(r({ jwks_uri: 'https://x' }).expected, 'matches /^https:///');
});
