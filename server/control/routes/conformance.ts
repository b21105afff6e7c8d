// GET /api/conformance — the FAPI 2.0 requirements with the scenarios of the loaded catalogue that
// cite them, the unobservable ones, and the mutation score (docs/mutants.json), for /conformance.
import type { ControlRequest } from '../index.ts';
import { sendJson } from '../http.ts';
import { conformanceModel } from '../../../lib/conformance/model.ts';
import { readMutants } from '../../conformance.ts';
import { ROOT_DIR } from '../../config.ts';

export function getConformance({ res, stack }: ControlRequest): void {
  const scenarios = stack.catalogue.get().scenarios.map(({ scenario, file }) => ({ id: scenario.id, title: scenario.title, file, references: scenario.references }));
  sendJson(res, 200, conformanceModel(scenarios, readMutants(ROOT_DIR)));
}
