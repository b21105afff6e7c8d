// Control API mutations take a JSON object: `null`, an array, a string or a number as the body is a 400
// naming what was expected, never a 500.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('json-bodies');
});
after(() => t.stop());

test('null, arrays and scalars as the body of every mutation are 400, never 5xx', async () => {
  const created = await fetch(`${t.stack.urls.ui}/api/targets`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ yaml: `name: json-bodies\nauthorizationServer: bundled\nresourceServer: { baseUrl: "${t.stack.urls.gateway}" }\nsenderConstraint: mtls\n` }),
  });
  assert.equal(created.status, 201);
  const id = ((await created.json()) as { id: string }).id;
  const routes: [string, string][] = [
    ['POST', '/api/runs'], ['POST', '/api/targets'], ['PUT', `/api/targets/${id}`], ['POST', '/api/pki/mint'],
    ['POST', '/api/playground/token'], ['POST', '/api/playground/call'],
  ];
  for (const [method, path] of routes) {
    for (const body of ['null', '[]', '"x"', '7', 'true']) {
      const res = await fetch(t.stack.urls.ui + path, { method, headers: { 'content-type': 'application/json' }, body });
      const json = (await res.json()) as { error: string; error_description: string };
      assert.equal(res.status, 400, `${method} ${path} ${body}: ${JSON.stringify(json)}`);
      assert.equal(json.error, 'invalid_request', `${method} ${path} ${body}`);
    }
  }
});
