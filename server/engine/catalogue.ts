// Loads scenario files (scenarios/*.yaml) and selects them by id or tag. Every file is validated;
// errors name the file, the line, the field and what was expected.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Scenario } from '../../lib/scenario/schema.ts';
import { parseScenario, type ScenarioError } from '../../lib/scenario/parse.ts';
import { CLIENT_CERTS } from '../pki/plan.ts';
import { requirementsOf } from './requirements.ts';

/** The certificates scenarios may name (certs/index.json's client certificates). */
const CERT_NAMES = new Set(CLIENT_CERTS.map((c) => c.name));

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
}

export interface Catalogue {
  scenarios: LoadedScenario[];
  errors: ScenarioError[];
}

/** A path as the user should see it: relative to `from` when inside it, else absolute. */
function shown(file: string, from: string): string {
  const rel = path.relative(from, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(file);
}

function files(target: string): string[] {
  if (statSync(target).isFile()) return [target];
  return readdirSync(target)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => path.join(target, f));
}

/** Loads every scenario under the given files or directories. */
export function loadCatalogue(paths: string[], relativeTo = process.cwd()): Catalogue {
  const scenarios: LoadedScenario[] = [];
  const errors: ScenarioError[] = [];
  const seen = new Map<string, string>();
  for (const p of paths) {
    let list: string[];
    try {
      list = files(p);
    } catch (err) {
      errors.push({ file: shown(p, relativeTo), line: null, path: '(file)', message: (err as Error).message });
      continue;
    }
    for (const file of list) {
      const name = shown(file, relativeTo);
      const result = parseScenario(readFileSync(file, 'utf8'), name);
      if (!result.ok) {
        errors.push(...result.errors);
        continue;
      }
      // Scenarios name the sandbox's certificates (a target maps them to its own): another name is a typo.
      const unknown = new Set(requirementsOf(result.scenario).certificates.filter((c) => !CERT_NAMES.has(c)));
      const unknownCerts = Object.entries(result.scenario.actors).filter(([, a]) => a.certificate !== undefined && unknown.has(a.certificate));
      if (unknownCerts.length) {
        errors.push(...unknownCerts.map(([actor, a]) => ({ file: name, line: null, path: `actors.${actor}.certificate`, message: `no certificate "${a.certificate}": expected one of ${[...CERT_NAMES].join(', ')}, or one a mint step creates` })));
        continue;
      }
      const dup = seen.get(result.scenario.id);
      if (dup) {
        errors.push({ file: name, line: null, path: 'id', message: `"${result.scenario.id}" is also the id of ${dup}` });
        continue;
      }
      seen.set(result.scenario.id, name);
      scenarios.push({ scenario: result.scenario, file: name });
    }
  }
  return { scenarios, errors };
}

/** Scenarios whose id or one of whose tags is in `wanted` (all when empty); unknown names are reported. */
export function select(all: LoadedScenario[], wanted: string[]): { selected: LoadedScenario[]; unknown: string[] } {
  if (!wanted.length) return { selected: all, unknown: [] };
  const unknown = wanted.filter((w) => !all.some((s) => s.scenario.id === w || (s.scenario.tags as string[]).includes(w)));
  const selected = all.filter((s) => wanted.some((w) => s.scenario.id === w || (s.scenario.tags as string[]).includes(w)));
  return { selected, unknown };
}

/** The catalogue of a directory, reloaded only when a file in it changes (for the long-running server). */
export class CatalogueCache {
  private stamp = '';
  private cached: Catalogue = { scenarios: [], errors: [] };

  constructor(private readonly dir: string, private readonly relativeTo: string) {}

  get(): Catalogue {
    const stamp = readdirSync(this.dir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .map((f) => `${f}:${statSync(path.join(this.dir, f)).mtimeMs}`)
      .join('|');
    if (stamp !== this.stamp) {
      this.cached = loadCatalogue([this.dir], this.relativeTo);
      this.stamp = stamp;
    }
    return this.cached;
  }
}
