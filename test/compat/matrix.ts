// The compatibility matrix as data (docs/compatibility.json: no timestamps, so a fresh run compares equal
// unless a product or the sandbox changed) and as a page (docs/COMPATIBILITY.md): one row per product
// and mode, columns grouped by what is checked, a finding per fail with the catalogue's fix.
import type { LoadedScenario } from '../../server/engine/catalogue.ts';
import type { Cell, Row } from './run.ts';

export const GROUPS = [
  { id: 'binding', title: 'Certificate binding (RFC 8705 §3)' },
  { id: 'certificate', title: 'Client certificate validity (RFC 8705 §2, RFC 5280)' },
  { id: 'dpop', title: 'DPoP proof checks (RFC 9449 §4.3, §7)' },
  { id: 'replay', title: 'Replay (RFC 9449 §11.1)' },
  { id: 'downgrade', title: 'Downgrade (RFC 9449 §7.2, FAPI 2.0 SP §5.3.2.1)' },
  { id: 'spoofing', title: 'Header spoofing (RFC 9440 §4)' },
  { id: 'token', title: 'Token validation (RFC 9068 §4, RFC 6750 §3.1)' },
  { id: 'other', title: 'Other' },
] as const;

export type GroupId = (typeof GROUPS)[number]['id'];

/** Scenarios placed by hand; the rest by their tags (scenarioGroup). */
const BY_ID: Record<string, GroupId> = {
  'mtls-client-credentials': 'binding',
  'mtls-stolen-token-other-certificate': 'binding',
  'mtls-stolen-token-no-certificate': 'binding',
  'certificate-rotation': 'binding',
  'dpop-and-mtls-side-by-side': 'binding',
  'dpop-private-key-in-proof': 'dpop',
  'dpop-replayed-proof': 'replay',
  'dpop-token-sent-as-bearer': 'downgrade',
  'plain-bearer-token-refused': 'downgrade',
  'forged-token-alg-none': 'token',
  'forged-token-hs256-public-key': 'token',
  'token-for-another-audience': 'token',
  'insufficient-scope': 'token',
  'phantom-token': 'token',
};

export function scenarioGroup(id: string, tags: readonly string[]): GroupId {
  if (BY_ID[id]) return BY_ID[id];
  const has = (...t: string[]) => t.some((x) => tags.includes(x));
  if (has('spoofing', 'header-spoofing') || /spoof|forwarded|client-cert-header/.test(id)) return 'spoofing';
  if (has('replay') || /replay/.test(id)) return 'replay';
  if (has('downgrade')) return 'downgrade';
  if (has('forgery', 'token')) return 'token';
  if (has('dpop')) return 'dpop';
  if (has('tls')) return 'certificate';
  if (has('mtls')) return 'binding';
  return 'other';
}

export interface MatrixScenario {
  id: string;
  title: string;
  group: GroupId;
  file: string;
}

export interface Matrix {
  /** What the matrix runs and how to regenerate it (the file is compared as data, this too). */
  about: string;
  scenarios: MatrixScenario[];
  rows: Row[];
}

export function toMatrix(scenarios: LoadedScenario[], rows: Row[]): Matrix {
  return {
    about: 'Written by `npm run compat` (test/compat/). Compared with a fresh run by `npm run compat -- --check`.',
    scenarios: scenarios
      .map(({ scenario, file }) => ({ id: scenario.id, title: scenario.title, group: scenarioGroup(scenario.id, scenario.tags as string[]), file: file.replace(/\\/g, '/') }))
      .sort((a, b) => GROUPS.findIndex((g) => g.id === a.group) - GROUPS.findIndex((g) => g.id === b.group) || a.id.localeCompare(b.id)),
    rows,
  };
}

/** What a cell is compared on: its outcome and shape, not its prose (a product's error text may carry times or ids). */
const comparable = (c: Cell | undefined) =>
  c ? JSON.stringify({ outcome: c.outcome, kind: c.kind, upstream: c.upstream, step: c.step, got: c.got, ...(c.outcome === 'n/a' ? { reason: c.reason } : {}) }) : 'absent';

/** The differences between the recorded matrix and a fresh one, one line each (empty: equal). `only`: rows run. */
export function compareMatrices(recorded: Matrix, fresh: Matrix, only: string[] | null): string[] {
  const out: string[] = [];
  const ids = (m: Matrix) => m.scenarios.map((s) => s.id).join(',');
  if (ids(recorded) !== ids(fresh)) out.push(`scenarios: recorded [${ids(recorded)}], now [${ids(fresh)}]`);
  const rowIds = only ?? [...new Set([...recorded.rows, ...fresh.rows].map((r) => r.id))];
  for (const id of rowIds) {
    const a = recorded.rows.find((r) => r.id === id);
    const b = fresh.rows.find((r) => r.id === id);
    if (!a || !b) {
      out.push(`${id}: ${a ? 'no longer in the matrix' : 'not recorded'}`);
      continue;
    }
    if (a.version !== b.version) out.push(`${id}: version ${a.version} -> ${b.version}`);
    if ((a.missing ?? '') !== (b.missing ?? '')) out.push(`${id}: ${b.missing ? `not run now (${b.missing})` : 'runs now'}`);
    for (const s of new Set([...Object.keys(a.cells), ...Object.keys(b.cells)])) {
      if (comparable(a.cells[s]) !== comparable(b.cells[s])) out.push(`${id} / ${s}: recorded ${comparable(a.cells[s])}, now ${comparable(b.cells[s])}`);
    }
  }
  return out;
}

const anchor = (row: string, scenario: string) => `f-${row}-${scenario}`;
const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function cellText(row: Row, scenario: string): string {
  const c = row.cells[scenario];
  if (row.missing) return 'not run';
  if (!c) return '';
  if (c.outcome === 'pass') return c.upstream ? 'pass²' : 'pass';
  const mark = `${c.kind === 'wrong-shape' ? '¹' : c.kind === 'tls-alert' ? '³' : ''}${c.upstream ? '²' : ''}`;
  if (c.outcome === 'n/a') return 'n/a';
  const label = c.outcome === 'error' ? 'error' : `fail${mark}`;
  return `[**${label}**](#${anchor(row.id, scenario)})`;
}

const KIND_TEXT: Record<NonNullable<Cell['kind']>, string> = {
  'let-through': 'the attack got through',
  'wrong-shape': 'refused, but not the way the RFC asks',
  'tls-alert': 'refused in the TLS handshake, not with a 401',
  'refused-legitimate': 'a legitimate request was refused',
};

export function renderMarkdown(m: Matrix): string {
  const lines: string[] = [];
  const p = (...l: string[]) => lines.push(...l);
  const scenarioLink = (s: MatrixScenario) => `[${s.id}](../${s.file})`;
  p(
    '# Compatibility matrix',
    '',
    '<!-- Generated by `npm run compat` (test/compat/): do not edit by hand. -->',
    '',
    'The catalogue\'s resource-server scenarios run against gateways and resource-server libraries no one here',
    'wrote, each installed from Debian or npm by name and started on free loopback ports in front of the',
    'sandbox\'s mock Open Banking API, with tokens from the sandbox\'s IdP. Each row is a product in one',
    'configuration (its config or server file under `examples/`, its target file under `examples/targets/`,',
    'both described in [examples/compat/README.md](../examples/compat/README.md)). A fail is a finding about',
    'that product and configuration, not a test failure: `npm run compat -- --check` (a step of `.ci/run`)',
    'fails only when a fresh run differs from the recorded [compatibility.json](compatibility.json).',
    '',
    '- **pass**: the product did what the scenario asks; **pass²**: refused only by the mock OB API behind the',
    '  product (it validates the token as a plain bearer token, as an application behind a TLS-terminating',
    '  proxy does), not by the product itself.',
    '- **fail**: the attack got through or a legitimate request was refused; **fail¹**: refused, but not the',
    '  way the RFC asks (status, `WWW-Authenticate` error); **fail³**: refused in the TLS handshake where the',
    '  scenario asks for a 401 `invalid_token` (a TLS alert is a safe refusal, "fine in production" says',
    '  [mtls-strict-handshake](../scenarios/mtls-strict-handshake.yaml), but the client learns nothing); **²** on a',
    '  fail: the answer came from the mock OB API behind the product. Each links to its finding below.',
    '- **n/a**: the product\'s target file does not claim what the scenario needs (the reason is under the row\'s findings).',
    '',
    'Scenarios that test the authorization server (consent journeys, dynamic client registration, the token',
    'endpoint only) are not in the matrix: every row uses the same bundled IdP.',
    '',
    '## Summary',
    '',
  );
  const groups = GROUPS.filter((g) => m.scenarios.some((s) => s.group === g.id));
  p(`| product | mode | version | ${groups.map((g) => g.title.replace(/ \(.*$/, '')).join(' | ')} | RFC 6750 errors |`);
  p(`|---|---|---|${groups.map(() => '---|').join('')}---|`);
  for (const row of m.rows) {
    const counts = groups.map((g) => {
      if (row.missing) return 'not run';
      const cells = m.scenarios.filter((s) => s.group === g.id).map((s) => row.cells[s.id]).filter((c): c is Cell => !!c);
      const pass = cells.filter((c) => c.outcome === 'pass').length;
      const applicable = cells.filter((c) => c.outcome !== 'n/a').length;
      return applicable ? `${pass}/${applicable}` : 'n/a';
    });
    const count = (kind: Cell['kind'], one: string, many: string) => {
      const n = Object.values(row.cells).filter((c) => c.kind === kind).length;
      return n ? `${n} ${n > 1 ? many : one}` : null;
    };
    const shapes = [count('wrong-shape', 'refusal not RFC-shaped', 'refusals not RFC-shaped'), count('tls-alert', 'TLS alert', 'TLS alerts')].filter(Boolean).join(', ');
    p(`| ${esc(row.product)} | ${esc(row.mode)} | ${esc(row.version)} | ${counts.join(' | ')} | ${row.missing ? 'not run' : shapes || 'ok'} |`);
  }
  p('', 'Counts are passed / applicable scenarios (pass² counts as passed).', '');
  for (const g of groups) {
    const cols = m.scenarios.filter((s) => s.group === g.id);
    p(`## ${g.title}`, '', `| product | mode | ${cols.map(scenarioLink).join(' | ')} |`, `|---|---|${cols.map(() => '---|').join('')}`);
    for (const row of m.rows) p(`| ${esc(row.product)} | ${esc(row.mode)} | ${cols.map((s) => cellText(row, s.id)).join(' | ')} |`);
    p('');
  }
  p('## Findings', '');
  for (const row of m.rows) {
    p(`### ${row.product}: ${row.mode}`, '', `Version: ${row.version}. Target: [examples/targets/${row.id}.yaml](../examples/targets/${row.id}.yaml).`, '', row.summary, '');
    if (row.missing) {
      p(`Not run: ${row.missing}.`, '');
      continue;
    }
    const fails = m.scenarios.filter((s) => ['fail', 'error'].includes(row.cells[s.id]?.outcome ?? ''));
    if (!fails.length) p('No fails.', '');
    for (const s of fails) {
      const c = row.cells[s.id]!;
      const what = c.outcome === 'error' ? 'error' : KIND_TEXT[c.kind!];
      p(`- <a id="${anchor(row.id, s.id)}"></a>**${scenarioLink(s)}** (${what}): ${esc(c.reason ?? '')}${c.fix ? `  \n  **Change:** ${esc(c.fix)}` : ''}`);
    }
    const skipped = new Map<string, string[]>();
    for (const s of m.scenarios) {
      const c = row.cells[s.id];
      if (c?.outcome === 'n/a') skipped.set(c.reason ?? 'skipped', [...(skipped.get(c.reason ?? 'skipped') ?? []), s.id]);
    }
    if (fails.length) p('');
    for (const [reason, ids] of skipped) p(`- n/a (${esc(reason)}): ${ids.join(', ')}`);
    if (skipped.size) p('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
