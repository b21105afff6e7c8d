// Step "request": one raw request to an authorization server endpoint (discovery RFC 8414 / OIDC
// Discovery, PAR RFC 9126, token, authorization, registration), with the form a scenario writes: for
// the probes no well-behaved step would send (a GET at PAR, a request_uri inside a pushed form), and
// request objects (RFC 9101) signed or broken as the step says.
import type { RequestStep } from '../../../lib/scenario/schema.ts';
import type { ScenarioState } from '../state.ts';
import { EngineError } from '../errors.ts';
import { exchange, type Observation } from './exchange.ts';
import { authenticate, clientOf, dpopProofFor } from './client-auth.ts';
import { capture } from './call.ts';
import { requestObjectForm } from './request-object.ts';

function endpointUrl(step: RequestStep['request'], state: ScenarioState): string {
  const e = state.target.endpoints;
  const url = step.endpoint === 'discovery' ? `${e.issuer}/.well-known/openid-configuration` : e[step.endpoint];
  if (!url) throw new EngineError('unsupported', `the target has no ${step.endpoint} endpoint`);
  return url;
}

export async function requestStep(step: RequestStep['request'], state: ScenarioState): Promise<Observation> {
  const actor = state.actor(step.actor);
  const url = endpointUrl(step, state);
  let form = new URLSearchParams(Object.entries(step.form).map(([k, v]) => [k, state.text(v)]));
  if (step.requestObject) form = await requestObjectForm(state, clientOf(state, actor, step.client), form, step.requestObject);
  if (step.authenticate) {
    const client = clientOf(state, actor, step.client);
    form.set('client_id', client.clientId);
    await authenticate(state, form, { actor, client, auth: undefined });
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (step.dpop) headers.dpop = await dpopProofFor(state, actor, step.dpop, url, step.method);
  const query = step.method === 'GET' && [...form.keys()].length > 0;
  const body = step.method !== 'GET' ? form.toString() : undefined;
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const mtls = step.endpoint === 'par' || step.endpoint === 'token';
  const observation = await exchange(state, {
    actor: actor.name, method: step.method, url: query ? `${url}?${form}` : url, headers, ...(body !== undefined ? { body } : {}),
    cert: mtls ? actor.certificate : null, party: 'idp', ...(step.tls ? { tlsOffer: step.tls } : {}),
  });
  capture(step.capture, state, observation);
  return observation;
}
