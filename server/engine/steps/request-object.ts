// What the authorize step's push and the request step share when a scenario asks for a request object:
// the form's parameters become the claims of an RFC 9101 JWT (iss and client_id = the client, aud = the
// issuer, nbf, exp; FAPI 2.0 Message Signing §5.3.2) signed with the client's registered key, a key the
// server never had (Mallory's), or none; the form keeps client_id and request (RFC 9101 §5, RFC 9126 §3).
import type { RequestObjectSpec } from '../../../lib/scenario/schema.ts';
import type { ScenarioState } from '../state.ts';
import { EngineError } from '../errors.ts';
import { buildRequestObject, claimsOfForm, type RequestObjectKey } from '../crypto/request-object.ts';
import type { StepClient } from './client-auth.ts';

/** Mallory's request-object key: generated per run, never registered anywhere. */
const MALLORY_KEY = 'mallory-request-object-key';

function clientKey(client: StepClient): RequestObjectKey {
  const registered = client.registered;
  if (registered?.requestObjectKey) return registered.requestObjectKey;
  const jwk = registered?.key;
  if (!jwk) throw new EngineError('no-client-key', `the target has no request-object key for client "${client.name}" (a target file's clients.${client.name}.key)`);
  return { alg: jwk.alg ?? 'ES256', kid: jwk.kid ?? null, key: jwk };
}

async function signingKey(state: ScenarioState, client: StepClient, spec: RequestObjectSpec): Promise<RequestObjectKey | null> {
  if (spec.sign === 'none') return null;
  const own = spec.sign === 'client' ? clientKey(client) : await state.dpopKey(MALLORY_KEY).then((k) => ({ alg: k.alg, kid: k.jkt, key: k.privateJwk }));
  return spec.kid === 'client' ? { ...own, kid: clientKey(client).kid } : own;
}

/** The form to push instead of `form`: client_id and the request object carrying every parameter of `form`. */
export async function requestObjectForm(state: ScenarioState, client: StepClient, form: URLSearchParams, spec: RequestObjectSpec): Promise<URLSearchParams> {
  const params = claimsOfForm(form);
  delete params.client_id;
  const ro = await buildRequestObject({
    clientId: client.clientId, now: state.now(), params, key: await signingKey(state, client, spec),
    audience: spec.audience !== undefined ? state.text(spec.audience) : state.target.endpoints.issuer,
    ...(spec.nbfOffset !== undefined ? { nbfOffset: spec.nbfOffset } : {}), ...(spec.lifetime !== undefined ? { lifetime: spec.lifetime } : {}),
  });
  const by = spec.sign === 'none' ? 'unsigned (alg none)' : spec.sign === 'mallory' ? `signed by Mallory's key${spec.kid === 'client' ? ` under ${client.clientId}'s kid` : ''}` : `signed by ${client.clientId}`;
  state.emit({ type: 'token.decoded', label: `request object of ${client.clientId}, ${by}`, role: 'request_object', format: 'jwt', token: { header: ro.header, claims: ro.claims } });
  return new URLSearchParams({ client_id: client.clientId, request: ro.jwt });
}
