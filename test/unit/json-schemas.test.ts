// The published JSON Schemas (schemas/*.schema.json) as an editor uses them: every catalogue scenario
// and every example target file validates with a JSON Schema 2020-12 validator (ajv), and a file with
// a misspelt field or a value outside its enum does not. Files name their schema in their first line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT_DIR } from '../../server/config.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addFormat('starts_with', true); // zod's name for startsWith(); the schema's pattern checks it
const schema = (name: string) => ajv.compile(JSON.parse(readFileSync(path.join(ROOT_DIR, 'schemas', name), 'utf8')));
const yamlFiles = (dir: string) => readdirSync(path.join(ROOT_DIR, dir)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f));

test('every scenario file validates against schemas/scenario.schema.json (what editors check)', () => {
  const validate = schema('scenario.schema.json');
  const files = yamlFiles('scenarios');
  assert.ok(files.length >= 30);
  for (const file of files) assert.ok(validate(parse(readFileSync(path.join(ROOT_DIR, file), 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`);
});

test('every example target validates against schemas/target.schema.json', () => {
  const validate = schema('target.schema.json');
  for (const file of yamlFiles('examples/targets')) assert.ok(validate(parse(readFileSync(path.join(ROOT_DIR, file), 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`);
});

test('a misspelt field or a value outside its enum is flagged', () => {
  const validate = schema('scenario.schema.json');
  const good = parse(readFileSync(path.join(ROOT_DIR, 'scenarios', 'mtls-client-credentials.yaml'), 'utf8'));
  assert.equal(validate({ ...good, summmary: good.summary }), false);
  assert.ok(validate.errors!.some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === 'summmary'));
  assert.equal(validate({ ...good, tags: ['mtls', 'oauth1'] }), false);
  const target = schema('target.schema.json');
  assert.equal(target({ name: 'x', authorizationServer: 'bundled', resourceServer: 'bundled', senderConstraint: 'sometimes' }), false);
});
