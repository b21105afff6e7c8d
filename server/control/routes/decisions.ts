// GET /api/decisions[?limit=] and /api/decisions/:interactionId — what the gateway and the IdP
// decided, check by check (the data the UI draws).
import type { ControlRequest } from '../index.ts';
import { sendJson, sendError } from '../http.ts';

export function latestDecisions({ res, query, stack }: ControlRequest): void {
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 50) || 50, 1), 500);
  sendJson(res, 200, { decisions: stack.decisions.latest(limit) });
}

export async function decisionsById({ res, params, stack }: ControlRequest): Promise<void> {
  const { decisions, omitted } = await stack.decisions.history(params.interactionId!);
  if (!decisions.length) return sendError(res, 404, 'not_found', `no decision recorded for x-fapi-interaction-id ${params.interactionId}`);
  sendJson(res, 200, { interactionId: params.interactionId, decisions, omitted });
}
