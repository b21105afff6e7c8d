// Builds the conformance model from the scenario files and docs/mutants.json (when present), for
// `npm run conformance`, its staleness test and the control API's /api/conformance.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalogue } from './engine/catalogue.ts';
import { conformanceModel, type ConformanceModel, type MutantsReport } from '../lib/conformance/model.ts';

/** docs/mutants.json (written by `npm run mutants`), or null when it has not been measured. */
export function readMutants(rootDir: string): MutantsReport | null {
  const file = path.join(rootDir, 'docs', 'mutants.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as MutantsReport) : null;
}

export function loadConformance(rootDir: string): ConformanceModel {
  const { scenarios } = loadCatalogue([path.join(rootDir, 'scenarios')], rootDir);
  return conformanceModel(scenarios.map(({ scenario, file }) => ({ id: scenario.id, title: scenario.title, file, references: scenario.references })), readMutants(rootDir));
}
