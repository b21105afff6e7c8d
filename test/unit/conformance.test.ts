// docs/CONFORMANCE.md is generated (npm run conformance) from lib/conformance/requirements.ts, the
// scenarios' references and docs/mutants.json: it must be current, every FAPI2SP id a scenario cites
// must exist, and the mutation score section says "not measured" until docs/mutants.json exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { loadConformance } from '../../server/conformance.ts';
import { cites, conformanceModel, renderConformance } from '../../lib/conformance/model.ts';
import { REQUIREMENTS } from '../../lib/conformance/requirements.ts';
import { loadCatalogue } from '../../server/engine/catalogue.ts';

test('docs/CONFORMANCE.md is current (run `npm run conformance`)', () => {
  const committed = readFileSync(path.join(ROOT_DIR, 'docs', 'CONFORMANCE.md'), 'utf8');
  assert.equal(committed, renderConformance(loadConformance(ROOT_DIR)), 'docs/CONFORMANCE.md is stale: run `npm run conformance`');
});

test('every FAPI2SP / FAPI2MS id a scenario cites is a known requirement; ids are unique; unobservable ones say why', () => {
  const model = loadConformance(ROOT_DIR);
  assert.deepEqual(model.unknownCitations, []);
  assert.equal(new Set(REQUIREMENTS.map((r) => r.id)).size, REQUIREMENTS.length);
  for (const r of REQUIREMENTS) assert.match(r.id, /^FAPI2(SP|MS) \d+(\.\d+)*-\d+(\.\d+)?$/, r.id);
  const par = model.requirements.find((r) => r.id === 'FAPI2SP 5.3.2.2-3')!;
  assert.ok(par.scenarios.some((s) => s.id === 'as-authorization-request-without-par'), 'the PAR requirement lists its scenario');
});

test('a reference cites a requirement by its id or exactly one of its RFC clauses, case-insensitively', () => {
  const req = { id: 'FAPI2SP 5.3.2.2-9', party: 'authorization server' as const, text: 'used codes', also: ['RFC 6749 §4.1.2'] };
  assert.equal(cites('fapi2sp 5.3.2.2-9', req), true);
  assert.equal(cites('RFC 6749 §4.1.2', req), true);
  assert.equal(cites('RFC 6749 §4.1.2.1', req), false, 'a subsection is another requirement');
  assert.equal(cites('FAPI2SP 5.3.2.2-90', req), false);
});

test('the mutation score: "not measured" without docs/mutants.json; with it, killed of observable and the survivors named', () => {
  const scenarios = [{ id: 's1', title: 'S1', file: 'scenarios/s1.yaml', references: ['FAPI2SP 5.3.2.1-8'] }];
  assert.match(renderConformance(conformanceModel(scenarios, null)), /## Mutation score\n\nNot measured yet/);
  const md = renderConformance(conformanceModel(scenarios, {
    generatedAt: '2026-12-02T00:00:00Z',
    checks: [
      { id: 'dpop.htm', observable: true, killedBy: ['dpop-proof-for-another-request'] },
      { id: 'dpop.ath', observable: true, killedBy: [] },
      { id: 'api.interaction-id', observable: false, reason: 'logging only', killedBy: [] },
    ],
  }));
  assert.match(md, /\*\*1 of 2\*\* observable checks \(50 %\)/);
  assert.match(md, /\| dpop\.ath \| \*\*no scenario \(survives\)\*\* \|/);
  assert.match(md, /\| api\.interaction-id \| not observable \| logging only \|/);
  assert.match(md, /\| FAPI2SP 5\.3\.2\.1-8 \| .* \| \[s1\]\(\.\.\/scenarios\/s1\.yaml\) \|/);
});

test('a FAPI 2.0 clause named in a scenario\'s prose (teaches, summary, step names) is one its references cite', () => {
  const wrong: string[] = [];
  for (const { scenario: s } of loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR).scenarios) {
    const prose = [s.title, s.summary, s.teaches, s.gatewayShould, ...s.steps.map((st) => st.name)].join('\n');
    const cited = new Set(s.references.filter((r) => /^FAPI2(SP|MS) /.test(r)).map((r) => r.slice('FAPI2SP '.length)));
    for (const [, clause] of prose.matchAll(/(?<![§\d.])\b(\d+\.\d+(?:\.\d+)*-\d+)\b/g)) {
      if (!cited.has(clause!)) wrong.push(`${s.id}: names ${clause} (${REQUIREMENTS.find((r) => r.id.endsWith(` ${clause}`))?.text ?? 'no such requirement'}) but cites ${[...cited].join(', ') || 'no FAPI 2.0 clause'}`);
    }
  }
  assert.deepEqual(wrong, []);
});
