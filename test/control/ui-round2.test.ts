// Control API answers the web UI relies on: a run started through the API is labelled "api", one
// started from the UI's own pages (a same-origin fetch, Sec-Fetch-Site) "ui"; minting a name that is
// already minted is refused (409 name_taken) instead of silently replacing that certificate.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('ctl-ui2');
});
after(() => t.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${t.stack.urls.ui}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function triggerOf(headers: Record<string, string>): Promise<string> {
  const { runId } = (await (await post('/api/runs', { scenarios: ['mtls-stolen-token-other-certificate'] }, headers)).json()) as { runId: string };
  await (await fetch(`${t.stack.urls.ui}/api/runs/${runId}/events`, { headers: { accept: 'application/json' } })).text();
  const run = (await (await fetch(`${t.stack.urls.ui}/api/runs/${runId}`)).json()) as { trigger: string };
  return run.trigger;
}

test('a run started through the API says "api"; one started from the UI\'s pages says "ui"', async () => {
  assert.equal(await triggerOf({}), 'api');
  assert.equal(await triggerOf({ 'sec-fetch-site': 'same-origin' }), 'ui');
});

test('minting a name already minted is refused with 409 name_taken; the first certificate stays', async () => {
  const first = await post('/api/pki/mint', { name: 'ui2-twice', subjectOf: 'tpp-alpha', flaw: 'expired' });
  assert.equal(first.status, 201);
  const { certificate } = (await first.json()) as { certificate: { thumbprint: string } };
  const again = await post('/api/pki/mint', { name: 'ui2-twice', subjectOf: 'tpp-alpha', flaw: 'none' });
  assert.equal(again.status, 409);
  const body = (await again.json()) as { error: string; error_description: string };
  assert.equal(body.error, 'name_taken');
  assert.match(body.error_description, /already minted/);
  const index = (await (await fetch(`${t.stack.urls.ui}/api/pki`)).json()) as { minted: { name: string; thumbprint: string }[] };
  assert.deepEqual(index.minted.filter((m) => m.name === 'ui2-twice').map((m) => m.thumbprint), [certificate.thumbprint]);
});
