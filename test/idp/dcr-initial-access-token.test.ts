// Dynamic registration behind an initial access token (RFC 7591 §3, FAPI_DCR_INITIAL_ACCESS_TOKEN):
// none or a wrong one is refused with invalid_token, the configured one registers, and the engine's
// register step sends it with initialAccessToken.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { send, jsonBody } from '../../server/engine/http-client.ts';
import { bundledTarget } from '../../server/engine/target.ts';
import { runScenarios } from '../../server/engine/runner.ts';
import { parseScenario } from '../../lib/scenario/parse.ts';

const TOKEN = 'directory-issued-initial-access-token';
let t: TestStack;
before(async () => {
  t = await startTestStack('idp-dcr-iat', { idp: { dcrInitialAccessToken: TOKEN } });
});
after(() => t.stop());

const METADATA = {
  client_name: 'NewCo', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', dpop_bound_access_tokens: true,
  grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
  jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'ec-1' }] },
};

async function register(bearer: string | null) {
  const ex = await send({
    method: 'POST', url: t.stack.idp.endpoints.registration, ca: t.stack.pki.rootCa, cert: null, body: JSON.stringify(METADATA),
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
  });
  return { status: ex.response?.status, body: jsonBody(ex) ?? {} };
}

test('registration without the initial access token, or with another, is refused; with it, it registers', async () => {
  for (const bearer of [null, 'a-guessed-token']) {
    const r = await register(bearer);
    assert.equal(r.status, 401, `${bearer}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'invalid_token');
  }
  const ok = await register(TOKEN);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
});

test('the register step sends initialAccessToken', async () => {
  const parsed = parseScenario(`id: iat-probe
title: Registration with an initial access token
summary: a register step with and without the token
tags: [dcr]
references: [RFC 7591 §3]
teaches: the initial access token gates registration
gatewayShould: nothing at all here
actors:
  newco: {}
steps:
  - name: without
    register: { actor: newco, metadata: ${JSON.stringify(METADATA)} }
    expect: { status: 401 }
  - name: with
    register: { actor: newco, initialAccessToken: ${TOKEN}, metadata: ${JSON.stringify(METADATA)} }
    expect: { status: 201 }
`, 'iat-probe.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const result = await runScenarios({ scenarios: [{ scenario: parsed.scenario }], target: bundledTarget(t.stack), trigger: 'test' });
  assert.equal(result.scenarios[0]!.status, 'passed', JSON.stringify(result.scenarios[0]!.failure));
});
