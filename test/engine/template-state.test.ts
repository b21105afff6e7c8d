// Unit tests of {{templates}} and the scenario state they read (variables, certificates, keys,
// actors, tokens, URLs), and the engine error codes the state raises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, renderDeep, getPath, TemplateError } from '../../server/engine/template.ts';
import { EngineError } from '../../server/engine/errors.ts';
import { state, SUMMARY } from './fixtures.ts';

const lookup = (path: string[]) => getPath({ a: 1, s: 'str', o: { k: 'v', 'x5t#S256': 'T' }, n: null }, path);

test('render: a whole template keeps the value\'s type; embedded ones become text (objects as JSON)', () => {
  assert.equal(render('{{a}}', lookup), 1);
  assert.equal(render('{{ a }}', lookup), 1);
  assert.deepEqual(render('{{o}}', lookup), { k: 'v', 'x5t#S256': 'T' });
  assert.equal(render('x-{{a}}-{{s}}', lookup), 'x-1-str');
  assert.equal(render('o={{o}}', lookup), 'o={"k":"v","x5t#S256":"T"}');
  assert.equal(render('{{o.x5t#S256}}', lookup), 'T', 'a # in a path segment');
  assert.equal(render('no templates', lookup), 'no templates');
  assert.equal(render('{{n}}', lookup), null, 'null is a value, not unknown');
});

test('render: an unknown path is a TemplateError naming it, never an empty string', () => {
  assert.throws(() => render('{{nope}}', lookup), (e: unknown) => e instanceof TemplateError && /unknown template \{\{nope\}\}/.test((e as Error).message));
  assert.throws(() => render('a {{o.missing}} b', lookup), /unknown template \{\{o\.missing\}\}/);
});

test('renderDeep resolves every string of nested arrays and objects; getPath stops at non-objects', () => {
  assert.deepEqual(renderDeep({ a: ['{{a}}', { b: '{{s}}!' }], n: 3, t: true }, lookup), { a: [1, { b: 'str!' }], n: 3, t: true });
  assert.equal(getPath({ a: 'x' }, ['a', 'length']), undefined);
  assert.equal(getPath(null, ['a']), undefined);
  assert.deepEqual(getPath({ a: { b: 1 } }, []), { a: { b: 1 } });
});

const ACTORS = `actors:
  alpha: { certificate: tpp-alpha, client: "{{alpha_client}}", dpopKey: k1 }
  nobody: { }
steps:
  - name: one
    clock: { shift: 1 }
`;

test('state lookups: certs, keys, actors, tokens, urls and variables', async () => {
  const { state: s } = state(ACTORS);
  s.vars.set('alpha_client', 'tpp-alpha');
  s.tokens.set('t', { raw: 'abc', tokenType: 'Bearer', format: 'jwt', header: { alg: 'PS256' }, claims: { client_id: 'tpp-alpha', cnf: { 'x5t#S256': 'T' } } });
  const key = await s.dpopKey('k1');
  assert.equal(s.text('{{certs.tpp-alpha.thumbprint}}'), SUMMARY.thumbprint);
  assert.equal(s.text('{{keys.k1.jkt}}'), key.jkt);
  assert.equal(s.text('{{actors.alpha.thumbprint}}'), SUMMARY.thumbprint);
  assert.equal(s.text('{{actors.alpha.client}}'), 'tpp-alpha', 'the actor\'s client is a rendered variable');
  assert.equal(s.text('{{tokens.t.claims.cnf.x5t#S256}}'), 'T');
  assert.equal(s.text('{{urls.gateway}}/x'), 'https://gw.example/x');
  assert.equal(s.text('{{alpha_client}}'), 'tpp-alpha');
  assert.deepEqual(s.deep({ jkt: '{{keys.k1.jkt}}', n: 1 }), { jkt: key.jkt, n: 1 });
  assert.equal(await s.dpopKey('k1'), key, 'one key per name per scenario');
  assert.equal(s.actor('nobody').certificate, null);
});

test('{{ids.x}}: one random value per name and scenario run (idempotency keys), fresh in another run', () => {
  const { state: a } = state(ACTORS);
  const { state: b } = state(ACTORS);
  const first = a.text('{{ids.consent}}');
  assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(a.text('{{ids.consent}}'), first, 'the same name, the same value within a run');
  assert.notEqual(a.text('{{ids.payment}}'), first);
  assert.notEqual(b.text('{{ids.consent}}'), first, 'another run draws anew');
  assert.throws(() => a.text('{{unique}}'), EngineError);
});

test('state errors carry stable codes: template, unknown-actor, unknown-certificate, unknown-variable', () => {
  const { state: s } = state(ACTORS);
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof EngineError, String(err));
      return err.code;
    }
    return 'no error';
  };
  assert.equal(code(() => s.text('{{nobody_set_this}}')), 'template');
  assert.equal(code(() => s.deep({ a: ['{{keys.never.jkt}}'] })), 'template');
  assert.equal(code(() => s.actor('carol')), 'unknown-actor');
  assert.equal(code(() => s.certificate('no-such-cert')), 'unknown-certificate');
  assert.equal(code(() => s.token('never-saved')), 'unknown-variable');
  assert.equal(code(() => s.actor('alpha').client), 'template', 'the actor\'s client names a variable nobody filled');
  assert.equal(code(() => s.text('plain')), 'no error');
});

test('minted certificates shadow the target\'s; the clock offset moves now()', () => {
  const { state: s } = state(ACTORS);
  s.minted.set('tpp-alpha', { name: 'tpp-alpha', chain: '', key: '', summary: { ...SUMMARY, thumbprint: 'minted' } });
  assert.equal(s.text('{{certs.tpp-alpha.thumbprint}}'), 'minted');
  const before = s.now();
  s.clockOffset = -300;
  assert.ok(Math.abs(s.now() - (before - 300)) < 2);
});
