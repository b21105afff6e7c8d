// dpop.htu compares URLs after RFC 3986 §6.2.2 normalisation (RFC 9449 §4.3 point 9): case of scheme
// and host, percent-encoding (unreserved characters decoded, hex digits upper-cased), dot segments,
// and the scheme's default port (§6.2.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeHtu } from '../../server/gateway/checks/dpop/htu.ts';

test('percent-encoded unreserved characters are the characters themselves (RFC 3986 §6.2.2.2)', () => {
  const plain = 'https://localhost:9443/open-banking/v3.1/aisp/accounts';
  assert.equal(normalizeHtu('https://localhost:9443/open-banking/v3.1/aisp/%61ccounts'), plain);
  assert.equal(normalizeHtu('https://localhost:9443/open%2Dbanking/v3%2E1/aisp/acc%6Funts'), plain);
  assert.equal(normalizeHtu('https://localhost:9443/%7Euser'), normalizeHtu('https://localhost:9443/~user'));
});

test('reserved and other octets stay encoded, with upper-case hex (RFC 3986 §6.2.2.1): %2F is not a slash', () => {
  assert.equal(normalizeHtu('https://localhost/a%2fb'), 'https://localhost/a%2Fb');
  assert.notEqual(normalizeHtu('https://localhost/a%2Fb'), normalizeHtu('https://localhost/a/b'));
  assert.equal(normalizeHtu('https://localhost/caf%c3%a9'), 'https://localhost/caf%C3%A9');
});

test('case of scheme and host, the default port and dot segments (RFC 3986 §6.2.2.1, §6.2.2.3, §6.2.3)', () => {
  assert.equal(normalizeHtu('HTTPS://LOCALHOST:443/a/./b/../c'), 'https://localhost/a/c');
  assert.equal(normalizeHtu('https://localhost/a/%2e%2e/c'), 'https://localhost/c');
  assert.notEqual(normalizeHtu('https://localhost/A'), normalizeHtu('https://localhost/a'), 'paths are case-sensitive');
});
