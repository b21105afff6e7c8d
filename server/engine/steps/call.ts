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
import { createHash } from 'node:crypto';
import type { JwsSpec } from '../../../lib/scenario/schema.ts';
import { JWS_SIGNATURE_HEADER, obHeader, signDetached } from '../../directory/jws.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** The x-jws-signature of `sent` as the step asks (another body, another kid, a stale iat, no crit), recorded in the trace. */
async function detachedSignature(spec: JwsSpec, sent: string, state: ScenarioState, actor: string): Promise<string> {
  const signer = (name: string) => {
    const s = state.target.signer?.(state.text(name)) ?? null;
    if (!s) throw new EngineError('unsupported', `the target has no signing key "${name}" (a sandbox directory certificate such as tpp-alpha-signing)`);
    return s;
  };
  const key = signer(spec.key);
  const claimed = spec.kidOf ? signer(spec.kidOf) : key;
  const signed = spec.signedBody === undefined ? sent : JSON.stringify(state.deep(spec.signedBody));
  const options = {
    privateKey: key.privateKey, kid: claimed.kid, iss: claimed.iss, omitCrit: spec.omitCrit,
    iat: Math.floor(state.now()) + (spec.iatOffset ?? 0),
  };
  const mutations = [
    ...(spec.kidOf ? [`kid and iss of ${spec.kidOf}, signed with the key of ${spec.key}`] : []),
    ...(spec.iatOffset ? [`iat ${spec.iatOffset > 0 ? '+' : ''}${spec.iatOffset} s`] : []),
    ...(spec.omitCrit ? ['no crit'] : []),
    ...(signed !== sent ? ['the body sent is not the body signed'] : []),
  ];
  state.emit({
    type: 'jws.signature', label: `x-jws-signature by ${actor} (${spec.key})`, header: obHeader(options), key: state.text(spec.key),
    signedSha256: sha256(signed), sentSha256: sha256(sent), signedBytes: Buffer.byteLength(signed), mutations,
  });
  return signDetached(signed, options);
}

async function accessToken(step: CallStep['call'], state: ScenarioState): Promise<string | null> {
  if (step.token === undefined) return null;
  if (typeof step.token === 'string') return state.token(step.token).raw;
  try {
    const forged = await forgeToken(state.token(step.token.from).raw, { ...step.token, set: state.deep(step.token.set) as Record<string, unknown> }, state.target.idpPublicJwks, state.target.signAccessToken);
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
      const jwkOf = spec.jwkOf ? await state.dpopKey(spec.jwkOf) : undefined;
      const proof = await buildProof(key, {
        method: step.method, url: url.toString(), now: state.now(),
        ...(token !== null ? { accessToken: token } : {}), ...(nonce ? { nonce } : {}), ...(jwkOf ? { jwkOf } : {}),
      }, spec);
      state.emit({ type: 'dpop.proof', label: `proof by ${actor.name} (key ${key.name})`, proof: { header: proof.header, claims: proof.claims }, jkt: key.jkt, mutations: proof.mutations });
      headers.dpop = proof.jwt;
      if (spec.saveProof) state.proofs.set(spec.saveProof, proof.jwt);
    }
  }
  if (headers.dpop !== undefined && (step.dpopHeaderCopies !== undefined || step.dpopHeaderName !== undefined)) {
    const value = headers.dpop;
    delete headers.dpop;
    headers[step.dpopHeaderName ?? 'dpop'] = Array.from({ length: step.dpopHeaderCopies ?? 1 }, () => value).flat();
  }
  let body: string | undefined;
  if (step.body !== undefined) {
    body = JSON.stringify(state.deep(step.body));
    headers['content-type'] = 'application/json';
  }
  if (step.jws) headers[JWS_SIGNATURE_HEADER] = await detachedSignature(step.jws, body ?? '', state, actor.name);
  const observation = await exchange(state, { actor: actor.name, method: step.method, url: url.toString(), headers, ...(body !== undefined ? { body } : {}), cert: actor.certificate, party: 'gateway', ...(step.tls ? { tlsOffer: step.tls } : {}) });
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
