// The catalogue is valid, the committed JSON Schema is current, and a broken file is refused with
// its path, line, field and what was expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { loadCatalogue, select } from '../../server/engine/catalogue.ts';
import { parseScenario, formatScenarioError } from '../../lib/scenario/parse.ts';
import { SCHEMAS } from '../../lib/schemas.ts';
import { TAGS } from '../../lib/scenario/schema.ts';

test('every scenario in scenarios/ is valid and ids are unique', () => {
  const c = loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR);
  assert.deepEqual(c.errors.map(formatScenarioError), []);
  assert.ok(c.scenarios.length >= 25, `catalogue has ${c.scenarios.length} scenarios`);
  for (const { scenario, file } of c.scenarios) {
    assert.equal(path.basename(file, '.yaml'), scenario.id, `${file}: the file is named after its id`);
    assert.match(readFileSync(path.join(ROOT_DIR, file), 'utf8'), /^# yaml-language-server: \$schema=\.\.\/schemas\/scenario\.schema\.json/);
  }
});

test('the committed JSON Schemas match the zod schemas (run npm run schemas)', () => {
  for (const [file, schema] of Object.entries(SCHEMAS)) {
    const committed = JSON.parse(readFileSync(path.join(ROOT_DIR, 'schemas', file), 'utf8')) as unknown;
    assert.deepEqual(committed, JSON.parse(JSON.stringify(schema())), `schemas/${file} is stale`);
  }
});

const VALID = `id: tiny
title: A tiny scenario
summary: one token request, nothing more
tags: [mtls]
references: [RFC 8705]
teaches: how small a scenario can be
gatewayShould: nothing in particular here
actors:
  a: { certificate: tpp-alpha, client: tpp-alpha }
steps:
  - name: get a token
    token: { actor: a }
`;

test('a minimal scenario parses and gets its defaults', () => {
  const r = parseScenario(VALID, 'tiny.yaml');
  assert.ok(r.ok);
  const step = r.scenario.steps[0]!;
  assert.ok('token' in step);
  assert.equal(step.token.grant, 'client_credentials');
  assert.equal(step.token.scope, undefined, 'the engine asks for accounts with client credentials, sends none for a code');
  assert.equal(step.token.save, 'token');
  assert.equal(step.token.endpoint, 'mtls');
});

test('a broken scenario names the file, the line, the field and what was expected', () => {
  const bad = VALID.replace('    token: { actor: a }', '    call: { actor: a, path: accounts, dpop: { ath: sometimes } }').replace('tags: [mtls]', 'tags: [mtls, nonsense]');
  const r = parseScenario(bad, 'scenarios/broken.yaml');
  assert.equal(r.ok, false);
  const lines = (r.ok ? [] : r.errors).map(formatScenarioError);
  assert.ok(lines.includes(`scenarios/broken.yaml:4: tags[1]: expected one of ${TAGS.map((tag) => `"${tag}"`).join(', ')}`), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('scenarios/broken.yaml:12: steps[0].call.path:') && l.includes('"/"')), lines.join('\n'));
  assert.ok(lines.includes('scenarios/broken.yaml:12: steps[0].call.dpop.ath: expected one of "auto", "omit", "wrong"'), lines.join('\n'));
});

test('unknown fields, unknown step kinds, unknown check ids and YAML syntax errors are reported', () => {
  const unknownField = parseScenario(VALID.replace('{ certificate: tpp-alpha, client: tpp-alpha }', '{ certificate: tpp-alpha, cliente: x }'), 'f.yaml');
  assert.equal(unknownField.ok, false);
  assert.match(unknownField.ok ? '' : formatScenarioError(unknownField.errors[0]!), /f\.yaml:9: actors\.a: unknown field "cliente"/);
  const unknownKind = parseScenario(VALID.replace('    token: { actor: a }', '    teleport: {}'), 'f.yaml');
  assert.match(unknownKind.ok ? '' : formatScenarioError(unknownKind.errors[0]!), /steps\[0\]: a step needs one of token, call/);
  const unknownCheck = parseScenario(VALID.replace('    token: { actor: a }', '    token: { actor: a }\n    expect: { checks: { mtls.made-up: fail } }'), 'f.yaml');
  assert.equal(unknownCheck.ok, false);
  const yaml = parseScenario('id: [unclosed', 'y.yaml');
  assert.equal(yaml.ok, false);
  assert.match(yaml.ok ? '' : formatScenarioError(yaml.errors[0]!), /^y\.yaml:1: \(yaml\): /);
});

test('selection by id and by tag; unknown names are reported', () => {
  const c = loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR);
  const byTag = select(c.scenarios, ['dpop']);
  assert.ok(byTag.selected.length > 3 && byTag.selected.every((s) => (s.scenario.tags as string[]).includes('dpop')));
  const byId = select(c.scenarios, ['mtls-stolen-token-other-certificate']);
  assert.equal(byId.selected.length, 1);
  assert.deepEqual(select(c.scenarios, ['no-such-thing']).unknown, ['no-such-thing']);
});

test('a regular expression that does not compile (headersMatch, bodyMatch) is refused when the file loads, naming the field', () => {
  for (const field of ['headersMatch: { x-fapi-interaction-id: "([a-f" }', 'bodyMatch: { jwks_uri: "^https://(" }']) {
    const r = parseScenario(VALID.replace('    token: { actor: a }', `    token: { actor: a }\n    expect: { ${field} }`), 'r.yaml');
    assert.equal(r.ok, false, field);
    const line = r.ok ? '' : formatScenarioError(r.errors[0]!);
    assert.match(line, /^r\.yaml:\d+: steps\[0\]\.expect\.(headersMatch|bodyMatch)\.[a-z_-]+: a regular expression \(JavaScript syntax\)$/, line);
  }
});
