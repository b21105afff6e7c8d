// Step "revoke": RFC 7009 §2.1 token revocation by the client the token was issued to, authenticated
// as at the token endpoint (its certificate, RFC 8705 §2; or a private_key_jwt assertion).
import type { RevokeStep } from '../../../lib/scenario/schema.ts';
import type { ScenarioState } from '../state.ts';
import { EngineError } from '../errors.ts';
import { exchange, type Observation } from './exchange.ts';
import { authenticate, clientOf } from './client-auth.ts';

export async function revokeStep(step: RevokeStep['revoke'], state: ScenarioState): Promise<Observation> {
  const url = state.target.endpoints.revocation;
  if (!url) throw new EngineError('unsupported', 'the target has no revocation endpoint');
  const actor = state.actor(step.actor);
  const client = clientOf(state, actor, step.client);
  const form = new URLSearchParams({ token: state.token(step.token).raw, token_type_hint: 'access_token', client_id: client.clientId });
  await authenticate(state, form, { actor, client, auth: step.auth });
  return exchange(state, {
    actor: actor.name, method: 'POST', url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(), cert: actor.certificate, party: 'idp',
  });
}
