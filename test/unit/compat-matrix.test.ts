// The compatibility matrix's comparison (test/compat/matrix.ts): `npm run compat -- --check` must report a
// changed outcome, version or scenario list, and nothing for prose (a product's error text may carry
// times or ids), so the lead can regenerate after merging and CI fails only on real differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMatrices, renderMarkdown, scenarioGroup, type Matrix } from '../compat/matrix.ts';
import { PRODUCTS } from '../compat/products.ts';
import { exampleTargets } from '../../server/targets/examples.ts';
import { ROOT_DIR } from '../../server/config.ts';

const matrix = (): Matrix => ({
  about: 'x',
  scenarios: [
    { id: 'mtls-stolen-token-other-certificate', title: 'Stolen', group: 'binding', file: 'scenarios/mtls-stolen-token-other-certificate.yaml' },
    { id: 'dpop-replayed-proof', title: 'Replay', group: 'replay', file: 'scenarios/dpop-replayed-proof.yaml' },
  ],
  rows: [{
    id: 'nginx-ssl-verify-only', product: 'nginx', mode: 'verify only', summary: 'It checks validity, not binding.', version: '1.22.1',
    cells: {
      'mtls-stolen-token-other-certificate': { outcome: 'fail', kind: 'let-through', step: 2, got: 200, reason: 'got 200 at 12:00:01', fix: 'Hash the DER' },
      'dpop-replayed-proof': { outcome: 'n/a', reason: 'the target lacks dpop' },
    },
  }],
});

test('a fresh run equal in outcomes but not in prose compares equal', () => {
  const fresh = matrix();
  fresh.rows[0]!.cells['mtls-stolen-token-other-certificate']!.reason = 'got 200 at 12:07:45';
  fresh.rows[0]!.cells['mtls-stolen-token-other-certificate']!.fix = 'another wording';
  assert.deepEqual(compareMatrices(matrix(), fresh, null), []);
});

test('a changed outcome, version, skip reason or scenario list is a difference naming the row and scenario', () => {
  const fresh = matrix();
  fresh.rows[0]!.version = '1.24.0';
  fresh.rows[0]!.cells['mtls-stolen-token-other-certificate'] = { outcome: 'pass' };
  fresh.rows[0]!.cells['dpop-replayed-proof'] = { outcome: 'n/a', reason: 'the target lacks dpop, dpop-nonce' };
  fresh.scenarios.push({ id: 'new-scenario', title: 'New', group: 'other', file: 'scenarios/new-scenario.yaml' });
  const diffs = compareMatrices(matrix(), fresh, null);
  assert.equal(diffs.length, 4, diffs.join('\n'));
  assert.match(diffs[0]!, /^scenarios: recorded \[.*\], now \[.*new-scenario\]$/);
  assert.match(diffs[1]!, /^nginx-ssl-verify-only: version 1\.22\.1 -> 1\.24\.0$/);
  assert.match(diffs[2]!, /^nginx-ssl-verify-only \/ mtls-stolen-token-other-certificate: recorded .*"fail".*now \{"outcome":"pass"\}$/);
  assert.match(diffs[3]!, /^nginx-ssl-verify-only \/ dpop-replayed-proof: /);
});

test('--only compares the rows that ran; a row missing from either side is a difference', () => {
  const fresh = matrix();
  fresh.rows = [];
  assert.deepEqual(compareMatrices(matrix(), fresh, ['nginx-ssl-verify-only']), ['nginx-ssl-verify-only: no longer in the matrix']);
  assert.deepEqual(compareMatrices(fresh, matrix(), null), ['nginx-ssl-verify-only: not recorded']);
});

test('the page links each fail to its finding, with the fix, and groups unknown scenarios by their tags', () => {
  const md = renderMarkdown(matrix());
  assert.match(md, /\[\*\*fail\*\*\]\(#f-nginx-ssl-verify-only-mtls-stolen-token-other-certificate\)/);
  assert.match(md, /<a id="f-nginx-ssl-verify-only-mtls-stolen-token-other-certificate"><\/a>.*\(the attack got through\): got 200 at 12:00:01 {2}\n {2}\*\*Change:\*\* Hash the DER/);
  assert.match(md, /- n\/a \(the target lacks dpop\): dpop-replayed-proof/);
  assert.equal(scenarioGroup('client-cert-header-spoofing', ['mtls', 'attack']), 'spoofing');
  assert.equal(scenarioGroup('dpop-new-check', ['dpop', 'attack']), 'dpop');
  assert.equal(scenarioGroup('mtls-new-check', ['mtls', 'tls']), 'certificate');
});

test('every row of the matrix is an example target the Targets page can store: certificates absolute, no CLI-only bundled block', () => {
  const examples = exampleTargets(ROOT_DIR, '/abs/certs');
  assert.deepEqual(examples.map((e) => e.id).sort(), PRODUCTS.map((p) => p.id).sort());
  for (const e of examples) {
    assert.doesNotMatch(e.yaml, /^bundled:|\$\{FAPI_EXTERNAL_GATEWAY_KEY\}|\.\.\/\.\.\/certs/m, e.id);
    assert.match(e.yaml, /cert: \/abs\/certs\/ca\/issuing-ca\.pem/, e.id);
    assert.ok(e.missing === null || /is not installed \((apt-get|npm) install/.test(e.missing), `${e.id}: ${e.missing}`);
  }
});
