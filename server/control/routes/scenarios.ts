// GET /api/scenarios and /api/scenarios/:id — the catalogue as the UI shows it (story, actors,
// steps, tags, references), plus any scenario-file errors.
import type { ControlRequest } from '../index.ts';
import { sendJson, sendError } from '../http.ts';
import { formatScenarioError } from '../../../lib/scenario/parse.ts';

export function listScenarios({ res, stack, query }: ControlRequest): void {
  const { scenarios, errors } = stack.catalogue.get();
  const tag = query.get('tag');
  sendJson(res, 200, {
    scenarios: scenarios.filter((s) => !tag || (s.scenario.tags as string[]).includes(tag)).map(({ scenario, file }) => ({ ...scenario, file })),
    errors: errors.map((e) => ({ ...e, text: formatScenarioError(e) })),
  });
}

export function getScenario({ res, stack, params }: ControlRequest): void {
  const found = stack.catalogue.get().scenarios.find((s) => s.scenario.id === params.id);
  if (!found) return sendError(res, 404, 'not_found', `no scenario "${params.id}"`);
  sendJson(res, 200, { ...found.scenario, file: found.file });
}
