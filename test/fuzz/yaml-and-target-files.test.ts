// Fuzz class for YAML files: seeded mutations of real scenario and target files plus hostile YAML (alias
// bombs, deep nesting, merge keys, custom tags, duplicate keys, odd bytes, ${VAR}s, paths outside the
// allowed folders, link-local endpoints). Oracle: the parsers and the target loader never throw and
// answer fast; POST /api/targets never answers 5xx; no error quotes a file's bytes or a server secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Rng, mutate } from './harness.ts';
import { parseScenario } from '../../lib/scenario/parse.ts';
import { parseTarget } from '../../lib/target/parse.ts';
import { loadTargetText, TargetError } from '../../server/targets/load.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const SEED = 0x5eed16;
const SECRET = 'fuzz-secret-value-4711';

let t: TestStack;
before(async () => {
  process.env.FAPI_FUZZ_SECRET = SECRET;
  t = await startTestStack('fuzz-yaml');
});
after(() => t.stop());

function bomb(depth: number, width: number): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < depth; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\nname: *a${depth - 1}\n`;
}

const HOSTILE: ((rng: Rng) => string)[] = [
  () => bomb(10, 10),
  (rng) => bomb(3 + rng.int(6), 2 + rng.int(30)),
  (rng) => `${'['.repeat(1_000 + rng.int(20_000))}`,
  (rng) => `${'- '.repeat(500 + rng.int(3_000))}x`,
  () => 'base: &b { name: x }\nmerged: { <<: *b, <<: *b }\n',
  () => 'name: !!js/function "function(){}"\nx: !!binary aGVsbG8=\ny: !custom { a: 1 }\n',
  () => 'name: a\nname: b\n',
  (rng) => rng.bytes(64 + rng.int(2_000)).toString('latin1'),
  () => 'null',
  () => '42',
  () => '"just a string"',
  () => '[1, 2, 3]',
  () => '~',
  (rng) => `name: ${'x'.repeat(10_000 + rng.int(100_000))}\n`,
  () => `name: env\ndescription: "\${FAPI_FUZZ_SECRET} \${HOME} \${PATH}"\nauthorizationServer: bundled\nresourceServer: { baseUrl: "https://localhost:9443" }\nsenderConstraint: mtls\n`,
  (rng) => `name: files\nauthorizationServer: bundled\nresourceServer: { baseUrl: "https://localhost:9443" }\nsenderConstraint: mtls\ntrust: "${rng.pick(['/etc/passwd', '/etc/shadow', '/proc/self/environ', '../../../../etc/hosts', 'package.json', '/nonexistent', 'certs/../package.json'])}"\n`,
  (rng) => `name: keys\nauthorizationServer: bundled\nresourceServer: { baseUrl: "https://localhost:9443" }\nsenderConstraint: dpop\nclients: { c: { clientId: c, dpopKey: "${rng.pick(['/etc/passwd', '/proc/self/environ', 'package.json', '/dev/zero'])}" } }\n`,
  (rng) => `name: meta\nauthorizationServer: { discovery: "https://${rng.pick(['169.254.169.254', '[fe80::1]', '[::ffff:169.254.169.254]', '2852039166', '169.254.0.1:8443'])}/.well-known/openid-configuration" }\nresourceServer: { baseUrl: "https://localhost:9443" }\nsenderConstraint: mtls\n`,
  () => '%YAML 1.1\n---\nname: a\n...\n---\nname: b\n',
  () => 'name: "\\u0000\\ud800"\n',
];

function seeds(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

/** Line-level and character-level mutations of a real file. */
function mutated(rng: Rng, text: string): string {
  const lines = text.split('\n');
  for (let e = 0; e < 1 + rng.int(4); e++) {
    const i = rng.int(lines.length);
    switch (rng.int(5)) {
      case 0: lines[i] = mutate(rng, lines[i] ?? ''); break;
      case 1: lines.splice(i, 1); break;
      case 2: lines.splice(i, 0, lines[rng.int(lines.length)] ?? ''); break;
      case 3: lines[i] = `${' '.repeat(rng.int(6))}${(lines[i] ?? '').trimStart()}`; break;
      default: lines[i] = `${lines[i] ?? ''} ${rng.pick(['&x', '*x', '!!str', '<<: *x', '{', ']', '"', "'", '#', '|', '>', '${X}', '%', '@'])}`;
    }
  }
  return lines.join('\n');
}

interface Row { inputs: number; exceptions: number; slow: number; server5xx: number; leaks: number }

test('YAML and target files: no exception, no slow parse, no 5xx, no leaked bytes', { timeout: 600_000 }, async () => {
  const rng = new Rng(SEED);
  const scenarios = seeds(path.join(ROOT_DIR, 'scenarios'));
  const targets = seeds(path.join(ROOT_DIR, 'examples', 'targets'));
  const classes: Record<string, () => string> = {
    'scenario files, mutated': () => mutated(rng, rng.pick(scenarios)),
    'target files, mutated': () => mutated(rng, rng.pick(targets)),
    'hostile YAML': () => rng.pick(HOSTILE)(rng),
  };
  const table: Record<string, Row> = {};
  const problems: string[] = [];
  for (const [name, make] of Object.entries(classes)) {
    const row: Row = { inputs: 0, exceptions: 0, slow: 0, server5xx: 0, leaks: 0 };
    for (let i = 0; i < 400; i++) {
      const text = make();
      row.inputs++;
      const t0 = performance.now();
      try {
        parseScenario(text, 'fuzz.yaml');
        parseTarget(text, 'fuzz.yaml', { X: 'x' });
        try {
          loadTargetText(text, 'fuzz.yaml', { baseDir: ROOT_DIR, env: null, allowedDirs: t.stack.config.targetFileDirs });
        } catch (err) {
          if (!(err instanceof TargetError)) throw err;
          if (/root:|fuzz-secret|"name": "fapi-sandbox"/.test(err.message)) {
            row.leaks++;
            problems.push(`${name}: leak in ${err.message.slice(0, 120)}`);
          }
        }
      } catch (err) {
        row.exceptions++;
        problems.push(`${name}: ${(err as Error).message.slice(0, 120)} for ${JSON.stringify(text.slice(0, 80))}`);
      }
      if (performance.now() - t0 > 2_000) {
        row.slow++;
        problems.push(`${name}: ${Math.round(performance.now() - t0)} ms for ${JSON.stringify(text.slice(0, 80))}`);
      }
      // Every 8th input also goes to the control API (a target a user would paste in the web UI).
      if (i % 8 === 0 && text.length < 60_000) {
        const res = await fetch(`${t.stack.urls.ui}/api/targets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ yaml: text }) });
        const body = await res.text();
        if (res.status >= 500) {
          row.server5xx++;
          problems.push(`${name}: POST /api/targets ${res.status} ${body.slice(0, 120)}`);
        }
        if (/root:|fuzz-secret/.test(body)) {
          row.leaks++;
          problems.push(`${name}: POST /api/targets leaked ${body.slice(0, 120)}`);
        }
        if (res.status === 201) await fetch(`${t.stack.urls.ui}/api/targets/${(JSON.parse(body) as { id: string }).id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: '{}' });
      }
    }
    table[name] = row;
  }
  console.log(`\nYAML and target files (seed 0x${SEED.toString(16)})`);
  console.table(table);
  assert.deepEqual(problems, []);
});
