// Step "token": client credentials at the token endpoint with the actor's certificate (RFC 8705
// §2), a private_key_jwt assertion (RFC 7523) and / or a DPoP proof (RFC 9449 §5); saves the token.
import type { DpopSpec, TokenStep } from '../../../lib/scenario/schema.ts';
import type { ScenarioState, TokenInfo } from '../state.ts';
import { buildClientAssertion } from '../crypto/client-assertion.ts';
import { buildProof } from '../crypto/dpop-proof.ts';
import { EngineError } from '../errors.ts';
import { jsonBody } from '../http-client.ts';
import { exchange, type Observation } from './exchange.ts';
import { decodeJwt } from '../jwt.ts';

export async function tokenStep(step: TokenStep['token'], state: ScenarioState): Promise<Observation> {
  const actor = state.actor(step.actor);
  const clientName = step.client !== undefined ? state.text(step.client) : actor.client;
  if (!clientName) throw new EngineError('no-client', `actor "${actor.name}" has no client: set actors.${actor.name}.client or token.client`);
  // The scenario names the sandbox's clients; the target maps them to its own (a registered client_id maps to itself).
  const client = state.target.client(clientName);
  const clientId = client?.clientId ?? clientName;
  const auth = step.auth ?? client?.auth ?? (actor.certificate ? 'tls_client_auth' : 'private_key_jwt');
  const url = step.endpoint === 'plain' ? state.target.endpoints.tokenPlain : state.target.endpoints.token;
  const scope = state.text(step.scope).split(' ').filter(Boolean).map((s) => state.target.scope(s)).join(' ');
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, scope });
  if (step.resource) form.set('resource', state.text(step.resource));

  if (auth === 'private_key_jwt') {
    let assertion = step.assertion?.reuse ? state.assertions.get(step.assertion.reuse) : undefined;
    if (step.assertion?.reuse && !assertion) throw new EngineError('unknown-variable', `no client assertion saved as "${step.assertion.reuse}"`);
    if (!assertion) {
      const key = client?.key;
      if (!key) throw new EngineError('no-client-key', `the target has no private_key_jwt key for client "${clientName}"`);
      assertion = await buildClientAssertion({
        clientId, key, now: state.now(),
        audience: step.assertion?.audience ? state.text(step.assertion.audience) : state.target.endpoints.issuer,
        ...(step.assertion?.expiresIn !== undefined ? { expiresIn: step.assertion.expiresIn } : {}),
      });
    }
    if (step.assertion?.save) state.assertions.set(step.assertion.save, assertion);
    const decoded = decodeJwt(assertion);
    state.emit({ type: 'token.decoded', label: `client assertion of ${clientId}`, role: 'client_assertion', format: 'jwt', token: decoded });
    form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.set('client_assertion', assertion);
  }

  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (step.dpop) {
    const spec: Partial<DpopSpec> = step.dpop === true ? {} : state.dpopSpec(step.dpop);
    const keyName = spec.key ?? actor.dpopKey;
    if (!keyName) throw new EngineError('unknown-key', `actor "${actor.name}" has no dpopKey and the step names none`);
    const key = await state.dpopKey(keyName);
    const nonce = spec.nonce === 'fromLastResponse' ? state.lastNonce.get(actor.name) : spec.nonce;
    const proof = await buildProof(key, { method: 'POST', url, now: state.now(), ...(nonce ? { nonce } : {}) }, spec);
    state.emit({ type: 'dpop.proof', label: `proof by ${actor.name} (key ${key.name})`, proof: { header: proof.header, claims: proof.claims }, jkt: key.jkt, mutations: proof.mutations });
    headers.dpop = proof.jwt;
  }

  const observation = await exchange(state, { actor: actor.name, method: 'POST', url, headers, body: form.toString(), cert: step.endpoint === 'mtls' ? actor.certificate : null, party: 'idp' });
  const body = observation.exchange ? jsonBody(observation.exchange) : null;
  if (observation.exchange?.response?.status === 200 && body) {
    const raw = body.access_token;
    if (typeof raw !== 'string') throw new EngineError('bad-token-response', 'the token response has no access_token');
    const decoded = decodeJwt(raw);
    const info: TokenInfo = {
      raw,
      tokenType: typeof body.token_type === 'string' ? body.token_type : null,
      format: decoded ? 'jwt' : 'opaque',
      header: decoded?.header ?? null,
      claims: decoded?.claims ?? null,
    };
    state.tokens.set(step.save, info);
    state.vars.set(step.save, raw);
    state.emit({ type: 'token.decoded', label: step.save, role: 'access_token', format: info.format, token: decoded, ...(info.tokenType ? { tokenType: info.tokenType } : {}) });
    state.emit({ type: 'variable.captured', name: step.save, preview: `${raw.slice(0, 24)}…` });
    return { ...observation, token: { tokenType: info.tokenType, claims: info.claims } };
  }
  return observation;
}
