// Step "register": RFC 7591 dynamic client registration; the new client_id goes into a variable.
import type { RegisterStep } from '../../../lib/scenario/schema.ts';
import type { ScenarioState } from '../state.ts';
import { EngineError } from '../errors.ts';
import { jsonBody } from '../http-client.ts';
import { exchange, type Observation } from './exchange.ts';

export async function registerStep(step: RegisterStep['register'], state: ScenarioState): Promise<Observation> {
  const endpoint = state.target.endpoints.registration;
  if (!endpoint) throw new EngineError('unsupported', 'the target has no registration endpoint');
  const actor = state.actor(step.actor);
  const observation = await exchange(state, {
    actor: actor.name, method: 'POST', url: endpoint,
    headers: {
      'content-type': 'application/json', accept: 'application/json',
      ...(step.initialAccessToken !== undefined ? { authorization: `Bearer ${state.text(step.initialAccessToken)}` } : {}),
    },
    body: JSON.stringify(state.deep(step.metadata)),
    cert: actor.certificate,
    party: 'idp',
  });
  const body = observation.exchange ? jsonBody(observation.exchange) : null;
  if (typeof body?.client_id === 'string') {
    state.vars.set(step.save, body.client_id);
    state.emit({ type: 'variable.captured', name: step.save, preview: body.client_id });
  }
  return observation;
}
