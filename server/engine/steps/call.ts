// Step "call": a request to the gateway as an actor (their certificate on the TLS connection),
// with a saved, stolen or forged access token and, optionally, a DPoP proof built or broken as asked;
// values of the JSON answer can be captured into variables (e.g. a new ConsentId).
import type { CallStep } from '../../../lib/scenario/schema.ts';
import type { ScenarioState } from '../state.ts';
import { buildProof } from '../crypto/dpop-proof.ts';
import { forgeToken } from '../crypto/forge.ts';
import { EngineError } from '../errors.ts';
import { decodeJwt } from '../jwt.ts';
import { jsonBody } from '../http-client.ts';
import { getPath } from '../template.ts';
import { exchange, type Observation } from './exchange.ts';

async function accessToken(step: CallStep['call'], state: ScenarioState): Promise<string | null> {
  if (step.token === undefined) return null;
  if (typeof step.token === 'string') return state.token(step.token).raw;
  try {
    const forged = await forgeToken(state.token(step.token.from).raw, { ...step.token, set: state.deep(step.token.set) as Record<string, unknown> }, state.target.idpPublicJwks);
    state.emit({ type: 'token.decoded', label: `forged from ${step.token.from}: ${forged.description}`, role: 'access_token', format: 'jwt', token: decodeJwt(forged.token) });
    return forged.token;
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('forgery', `cannot forge from "${step.token.from}": ${(err as Error).message}`);
  }
}

export async function callStep(step: CallStep['call'], state: ScenarioState): Promise<Observation> {
  const actor = state.actor(step.actor);
  const mapped = state.target.gatewayUrl(state.text(step.path), step.via);
  if (!mapped) throw new EngineError('unsupported', `the target serves no route for ${step.path}${step.via === 'gatewayStrict' ? ' on a strict-TLS listener' : ''}`);
  const url = new URL(mapped);
  const token = await accessToken(step, state);
  const headers: Record<string, string | string[]> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(step.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.map((v) => state.text(v)) : state.text(value);
  }
  const scheme = step.scheme ?? (step.dpop ? 'DPoP' : 'Bearer');
  if (token !== null) {
    if (step.tokenIn === 'query') url.searchParams.set('access_token', token);
    else headers.authorization = `${scheme} ${token}`;
  }
  if (step.dpop) {
    const spec = step.dpop === true ? { ath: 'auto' as const, embedPrivateKey: false, omitClaims: [] } : state.dpopSpec(step.dpop);
    if (spec.proof) {
      const saved = state.proofs.get(spec.proof);
      if (!saved) throw new EngineError('unknown-variable', `no DPoP proof saved as "${spec.proof}"`);
      headers.dpop = saved;
      state.emit({ type: 'log', level: 'info', message: `replaying the DPoP proof saved as ${spec.proof}, byte for byte` });
    } else {
      const keyName = spec.key ?? actor.dpopKey;
      if (!keyName) throw new EngineError('unknown-key', `actor "${actor.name}" has no dpopKey and the step names none`);
      const key = await state.dpopKey(keyName);
      const nonce = spec.nonce === 'fromLastResponse' ? state.lastNonce.get(actor.name) : spec.nonce;
      const proof = await buildProof(key, {
        method: step.method, url: url.toString(), now: state.now(),
        ...(token !== null ? { accessToken: token } : {}), ...(nonce ? { nonce } : {}),
      }, spec);
      state.emit({ type: 'dpop.proof', label: `proof by ${actor.name} (key ${key.name})`, proof: { header: proof.header, claims: proof.claims }, jkt: key.jkt, mutations: proof.mutations });
      headers.dpop = proof.jwt;
      if (spec.saveProof) state.proofs.set(spec.saveProof, proof.jwt);
    }
  }
  let body: string | undefined;
  if (step.body !== undefined) {
    body = JSON.stringify(state.deep(step.body));
    headers['content-type'] = 'application/json';
  }
  const observation = await exchange(state, { actor: actor.name, method: step.method, url: url.toString(), headers, ...(body !== undefined ? { body } : {}), cert: actor.certificate, party: 'gateway' });
  capture(step.capture, state, observation);
  return observation;
}

/** Fills `capture` variables from a successful JSON response (a failed one is left to the expectations). */
export function capture(spec: CallStep['call']['capture'], state: ScenarioState, observation: Observation): void {
  const entries = Object.entries(spec);
  const status = observation.exchange?.response?.status ?? 0;
  if (!entries.length || status < 200 || status > 299) return;
  const json = jsonBody(observation.exchange!);
  for (const [name, path] of entries) {
    const value = getPath(json, path.split('.'));
    if (value === undefined || value === null) throw new EngineError('capture', `the response body has no ${path} to capture as ${name}`);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    state.vars.set(name, text);
    state.emit({ type: 'variable.captured', name, preview: text.length > 40 ? `${text.slice(0, 40)}…` : text });
  }
}
