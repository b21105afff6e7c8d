// The OpenAPI documents themselves (openapi/*.yaml): valid OpenAPI 3.1 (@readme/openapi-parser, every
// $ref resolving), one operation for every route of the OB API's and the control API's route tables
// and no operation without a route (so neither can drift), unique operation ids, a success response
// with a schema for each operation; and the conformance checker failing what does not conform.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileErrors, validate } from '@readme/openapi-parser';
import { ROOT_DIR } from '../../server/config.ts';
import { loadOpenApi, OPENAPI_DOCUMENTS } from '../../server/control/openapi.ts';
import { ROUTES as OB_ROUTES, routePath } from '../../server/api/index.ts';
import { CONTROL_ROUTES } from '../../server/control/index.ts';
import { OpenApiConformance } from './conformance.ts';

type Obj = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operations(doc: Obj): string[] {
  return Object.entries(doc.paths as Obj).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`)).sort();
}

describe('openapi/ documents', () => {
  for (const name of OPENAPI_DOCUMENTS) {
    test(`${name}.yaml is a valid OpenAPI 3.1 document and every $ref resolves`, async () => {
      const doc = loadOpenApi(ROOT_DIR, name);
      assert.equal(doc.openapi, '3.1.0');
      const result = await validate(structuredClone(doc) as never);
      assert.ok(result.valid, result.valid ? '' : compileErrors(result));
      assert.doesNotMatch(JSON.stringify(doc), /"\$ref":"(?!#)/, 'external references are inlined');
    });

    test(`${name}.yaml: unique operation ids, each operation answers a documented success with a schema`, () => {
      const doc = loadOpenApi(ROOT_DIR, name) as Obj;
      const ids: string[] = [];
      for (const [path, item] of Object.entries(doc.paths as Obj)) {
        for (const m of METHODS.filter((x) => item[x])) {
          const op = item[m];
          assert.ok(op.operationId, `${m} ${path} has an operationId`);
          ids.push(op.operationId);
          const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
          assert.ok(success.length, `${op.operationId} documents a success`);
          for (const s of success) {
            const content = op.responses[s].content as Obj | undefined;
            if (s === '204') assert.equal(content, undefined);
            else for (const [type, media] of Object.entries(content ?? {})) assert.ok(media.schema, `${op.operationId} ${s} ${type} has a schema`);
          }
        }
      }
      assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
    });
  }

  test('broken documents are refused: a dangling $ref, a response without a description', async () => {
    const dangling = loadOpenApi(ROOT_DIR, 'ob-api') as Obj;
    dangling.paths['/open-banking/v3.1/aisp/accounts'].get.responses['200'].content['application/json'].schema.$ref = '#/components/schemas/Nope';
    assert.equal((await validate(dangling as never)).valid, false);
    const undescribed = loadOpenApi(ROOT_DIR, 'control-api') as Obj;
    delete undescribed.paths['/api/health'].get.responses['200'].description;
    assert.equal((await validate(undescribed as never)).valid, false);
  });

  test('every route of the mock OB API (server/api/index.ts) has an operation, and every operation a route', () => {
    const routes = OB_ROUTES.map((r) => `${r.method} ${routePath(r)}`).sort();
    assert.deepEqual(operations(loadOpenApi(ROOT_DIR, 'ob-api')), routes);
  });

  test('every route of the control API (server/control/index.ts) has an operation, and every operation a route', () => {
    const routes = CONTROL_ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`).sort();
    assert.deepEqual(operations(loadOpenApi(ROOT_DIR, 'control-api')), routes);
  });
});

describe('the conformance checker refuses what does not conform', () => {
  const ob = new OpenApiConformance('ob-api');
  const control = new OpenApiConformance('control-api');
  const headers = { 'content-type': 'application/json; charset=utf-8', 'x-fapi-interaction-id': '42f7fa37-e397-48d7-ab59-288477f87b29' };
  const accounts = { Data: { Account: [{ AccountId: 'acc-1', Currency: 'GBP', AccountType: 'Personal', AccountSubType: 'Savings' }] }, Links: { Self: 'https://localhost:9443/open-banking/v3.1/aisp/accounts' }, Meta: { TotalPages: 1 } };
  const get = (body: unknown, extra: Partial<Parameters<typeof ob.problems>[0]> = {}) =>
    ob.problems({ method: 'GET', url: '/open-banking/v3.1/aisp/accounts', status: 200, headers, body: JSON.stringify(body), ...extra });

  test('a conforming answer passes, on any route prefix', () => {
    assert.deepEqual(get(accounts), []);
    assert.deepEqual(get(accounts, { url: '/dpop-nonce/open-banking/v3.1/aisp/accounts?page=1' }), []);
  });

  test('an undocumented field, a value out of its enum, a missing field fail', () => {
    assert.match(get({ ...accounts, Extra: true }).join(), /additional properties.*Extra/);
    assert.match(get({ ...accounts, Data: { Account: [{ ...accounts.Data.Account[0], AccountType: 'Corporate' }] } }).join(), /allowed values/);
    assert.match(get({ Data: accounts.Data, Links: accounts.Links }).join(), /required property 'Meta'/);
  });

  test('an undocumented status, a missing required header, an undocumented content type fail', () => {
    assert.match(get(accounts, { status: 418 }).join(), /status 418 is not documented for listAccounts/);
    assert.match(get(accounts, { headers: { 'content-type': 'application/json' } }).join(), /required header x-fapi-interaction-id is missing/);
    assert.match(get(accounts, { headers: { ...headers, 'content-type': 'text/html' } }).join(), /content type "text\/html" is not documented/);
    assert.match(ob.problems({ method: 'GET', url: '/open-banking/v3.1/aisp/accounts', status: 401, headers, body: '{"error":"invalid_token","error_description":"x","check":"token.signature","interaction_id":"42f7fa37-e397-48d7-ab59-288477f87b29"}' }).join(), /required header www-authenticate is missing/);
  });

  test('a route without an operation: only the documented 404 / 405 answers pass', () => {
    const obie405 = JSON.stringify({ Code: '405 MethodNotAllowed', Id: 'x', Message: 'Method not allowed.', Errors: [{ ErrorCode: 'UK.OBIE.Field.Invalid', Message: 'no' }] });
    assert.deepEqual(ob.problems({ method: 'POST', url: '/open-banking/v3.1/aisp/accounts', status: 405, headers: { ...headers, allow: 'GET' }, body: obie405 }), []);
    assert.match(ob.problems({ method: 'POST', url: '/open-banking/v3.1/aisp/accounts', status: 200, headers, body: '{}' }).join(), /no documented operation for POST .* expected 405/);
    assert.match(control.problems({ method: 'GET', url: '/api/new-route', status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }).join(), /no documented operation for GET \/api\/new-route \(expected 404\)/);
  });

  test('an unknown trace event type fails the TraceEvent schema', () => {
    const event = { runId: 'r', seq: 0, at: '2026-01-01T00:00:00.000Z', scenarioRunId: null, stepId: null, type: 'made.up', detail: 1 };
    assert.match(control.schemaProblems('#/components/schemas/TraceEvent', event, 'event').join(), /type must be equal to one of the allowed values/);
  });
});
