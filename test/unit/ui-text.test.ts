// The run view's text helpers: thumbprints in groups of four, digests picked out of a sentence (set
// in the monospace face), and "copy as curl" with shell quoting and the presented certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestParts, groupsOf, isDigestLike } from '../../app/_lib/thumbprint.ts';
import { curlOf, shellQuote } from '../../app/_lib/curl.ts';
import { matchesQuery } from '../../app/_lib/search.ts';

const X5T = 'qLf0TgJ9voZhMn6pIyVqB57xm1azHBxHq0ROZNXeFOc';

test('thumbprints: groups of four; identifiers such as consent UUIDs are not digests', () => {
  assert.deepEqual(groupsOf(X5T).slice(0, 3), ['qLf0', 'TgJ9', 'voZh']);
  assert.equal(groupsOf(X5T).join(''), X5T);
  assert.equal(groupsOf(X5T).length, 11);
  assert.equal(isDigestLike(X5T), true);
  assert.equal(isDigestLike('aac-3e4343d2-906e-4fde-b7c6-92786274348b'), false);
  assert.equal(isDigestLike('tpp-alpha'), false);
});

test('digests in a sentence come out as their own parts, the words around them kept', () => {
  const parts = digestParts(`presented certificate thumbprint ${X5T} does not equal cnf.x5t#S256 bDFlciNrWbWdW-nIFX5AuLlbRtHeX2wdvcrncmzbrhk`);
  assert.deepEqual(parts.filter((p) => p.digest).map((p) => p.text), [X5T, 'bDFlciNrWbWdW-nIFX5AuLlbRtHeX2wdvcrncmzbrhk']);
  assert.equal(parts.map((p) => p.text).join(''), `presented certificate thumbprint ${X5T} does not equal cnf.x5t#S256 bDFlciNrWbWdW-nIFX5AuLlbRtHeX2wdvcrncmzbrhk`);
  assert.deepEqual(digestParts('no digest here'), [{ text: 'no digest here', digest: false }]);
});

test('copy as curl: method, URL, headers (not Host or Content-Length), body, certificate and CA, shell-quoted', () => {
  const cmd = curlOf({
    method: 'POST', url: 'https://localhost:8443/token',
    headers: { host: 'localhost:8443', 'content-length': '20', 'content-type': 'application/x-www-form-urlencoded', dpop: 'ey.a.b' },
    body: "grant_type=client_credentials&x=it's",
  }, 'tpp-alpha');
  assert.equal(cmd, "curl -i -X POST 'https://localhost:8443/token' --cacert certs/ca/root-ca.pem --cert certs/clients/tpp-alpha.chain.pem --key certs/clients/tpp-alpha.key.pem"
    + " -H 'content-type: application/x-www-form-urlencoded' -H 'dpop: ey.a.b' --data-raw 'grant_type=client_credentials&x=it'\\''s'");
  assert.equal(curlOf({ method: 'GET', url: 'http://127.0.0.1:1/x', headers: {} }), "curl -i 'http://127.0.0.1:1/x'");
  assert.equal(shellQuote("a'b"), "'a'\\''b'");
});

test('catalogue search: RFC references match with or without spaces, any case; ids, titles, tags too', () => {
  const s = { id: 'mtls-stolen', title: 'Stolen token', summary: 'Mallory replays it', tags: ['mtls', 'attack'], references: ['RFC 8705 §3', 'RFC 9449 §7.1'] };
  for (const q of ['RFC 8705', 'rfc8705', '8705 §3', 'rfc 9449 §7', 'stolen token', 'MALLORY', 'attack', '']) assert.equal(matchesQuery(s, q), true, q);
  for (const q of ['RFC 7636', 'dpop']) assert.equal(matchesQuery(s, q), false, q);
});
