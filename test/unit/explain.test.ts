// Failure explanations (server/engine/explain.ts) for the three ways an external gateway gets it wrong:
// the attack got through, it was refused in the wrong shape, a legitimate call was refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainFailure } from '../../server/engine/explain.ts';
import type { Observation } from '../../server/engine/steps/exchange.ts';

const scenario = { title: 'Stolen certificate-bound token replayed with another valid certificate' };

function observed(status: number, headers: Record<string, string> = {}, body = ''): Observation {
  return {
    exchange: { tls: null, request: { method: 'GET', url: 'https://gw/x', headers: {} }, response: { status, headers, body }, error: null, durationMs: 1 },
    decisions: null,
  };
}

test('an attack that got through names the check that should have refused it, its RFC section and the fix', () => {
  const expect = { status: 401, error: 'invalid_token', checks: { 'tls.client-cert-chain': 'pass', 'mtls.cnf-thumbprint-match': 'fail' } } as const;
  const text = explainFailure(scenario, { index: 1, name: 'Mallory replays', expect, party: 'gateway' }, { path: 'status', expected: 401, actual: 200, pass: false }, observed(200));
  assert.equal(
    text,
    'Stolen certificate-bound token replayed with another valid certificate: step 2 "Mallory replays": expected 401 invalid_token (RFC 8705 §3: cnf.x5t#S256 equals the presented certificate\'s SHA-256 thumbprint), got 200. ' +
      'The gateway let the attack through: it does not check that cnf.x5t#S256 equals the presented certificate\'s SHA-256 thumbprint (RFC 8705 §3). ' +
      'Fix: Hash the DER of the certificate from the TLS layer (never from a header the client can send), base64url it, compare with cnf.x5t#S256.',
  );
});

test('a refusal in the wrong shape says so, quoting what the server said', () => {
  const expect = { status: 401, error: 'invalid_token' } as const;
  const page = '<html><head><title>400 No required SSL certificate was sent</title></head></html>';
  const text = explainFailure(scenario, { index: 1, name: 'No certificate', expect, party: 'gateway' }, { path: 'status', expected: 401, actual: 400, pass: false }, observed(400, {}, page));
  assert.match(text, /expected 401 invalid_token, got 400 "400 No required SSL certificate was sent"\. The request was refused, but not the way the RFC asks/);
  const noError = explainFailure(scenario, { index: 1, name: 'x', expect, party: 'gateway' }, { path: 'error', expected: 'invalid_token', actual: null, pass: false }, observed(401, {}, '{}'));
  assert.match(noError, /got 401 \(no WWW-Authenticate\)\. The request was refused, but not the way the RFC asks \(error: expected "invalid_token", got null\)/);
});

test('a legitimate request that was refused says which error came back', () => {
  const text = explainFailure(
    { title: 'Certificate-bound token, used by its owner' }, { index: 1, name: 'Alpha lists accounts', expect: { status: 200 }, party: 'gateway' },
    { path: 'status', expected: 200, actual: 401, pass: false },
    observed(401, { 'www-authenticate': 'Bearer error="invalid_token", error_description="aud does not include urn:x"' }),
  );
  assert.match(text, /expected 200, got 401 invalid_token "aud does not include urn:x"\. The gateway refused a legitimate request\.$/);
});
