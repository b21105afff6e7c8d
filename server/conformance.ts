// Builds the conformance model from the scenario files and docs/mutants.json (when present), for
// `npm run conformance`, its staleness test and the control API's /api/conformance.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalogue } from './engine/catalogue.ts';
import { conformanceModel, type ConformanceModel, type MutantsReport } from '../lib/conformance/model.ts';

export function loadConformance(rootDir: string): ConformanceModel {
  const { scenarios } = loadCatalogue([path.join(rootDir, 'scenarios')], rootDir);
  const mutantsFile = path.join(rootDir, 'docs', 'mutants.json');
  const mutants = existsSync(mutantsFile) ? (JSON.parse(readFileSync(mutantsFile, 'utf8')) as MutantsReport) : null;
  return conformanceModel(scenarios.map(({ scenario, file }) => ({ id: scenario.id, title: scenario.title, file, references: scenario.references })), mutants);
}
