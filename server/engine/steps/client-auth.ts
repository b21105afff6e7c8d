// What the token step and the authorize step's pushed request share: how the app authenticates
// (its certificate for tls_client_auth, RFC 8705 §2; a private_key_jwt assertion, RFC 7523) and the
// DPoP proof it attaches (RFC 9449 §5, and §10 at PAR).
import type { DpopSpec, TokenStep } from '../../../lib/scenario/schema.ts';
import type { Actor, ScenarioState } from '../state.ts';
import type { TargetClient } from '../target.ts';
import { buildClientAssertion } from '../crypto/client-assertion.ts';
import { buildProof } from '../crypto/dpop-proof.ts';
import { EngineError } from '../errors.ts';
import { decodeJwt } from '../jwt.ts';

export type AuthMethod = NonNullable<TokenStep['token']['auth']>;

/** The client a step acts for, as the scenario names it and as the target registered it. */
export interface StepClient {
  /** The scenario's name (tpp-alpha, ...). */
  name: string;
  /** The client_id at the target's authorization server. */
  clientId: string;
  registered: TargetClient | null;
}

/** The client the step acts for (the step's own, or the actor's), mapped to the target's client_id. */
export function clientOf(state: ScenarioState, actor: Actor, override: string | undefined): StepClient {
  const name = override !== undefined ? state.text(override) : actor.client;
  if (!name) throw new EngineError('no-client', `actor "${actor.name}" has no client: set actors.${actor.name}.client or the step's client`);
  const registered = state.target.client(name);
  return { name, clientId: registered?.clientId ?? name, registered };
}

/** Adds the client authentication to `form` (nothing for certificate methods: the TLS handshake is it). */
export async function authenticate(
  state: ScenarioState,
  form: URLSearchParams,
  opts: { actor: Actor; client: StepClient; auth: AuthMethod | undefined; assertion?: TokenStep['token']['assertion'] },
): Promise<AuthMethod> {
  const { clientId } = opts.client;
  const auth = opts.auth ?? opts.client.registered?.auth ?? (opts.actor.certificate ? 'tls_client_auth' : 'private_key_jwt');
  if (auth !== 'private_key_jwt') return auth;
  const spec = opts.assertion;
  let assertion = spec?.reuse ? state.assertions.get(spec.reuse) : undefined;
  if (spec?.reuse && !assertion) throw new EngineError('unknown-variable', `no client assertion saved as "${spec.reuse}"`);
  if (!assertion) {
    const key = opts.client.registered?.key;
    if (!key) throw new EngineError('no-client-key', `the target has no private_key_jwt key for client "${opts.client.name}"`);
    assertion = await buildClientAssertion({
      clientId, key, now: state.now(),
      audience: spec?.audience === undefined ? state.target.endpoints.issuer : Array.isArray(spec.audience) ? spec.audience.map((a) => state.text(a)) : state.text(spec.audience),
      ...(spec?.expiresIn !== undefined ? { expiresIn: spec.expiresIn } : {}),
    });
  }
  if (spec?.save) state.assertions.set(spec.save, assertion);
  state.emit({ type: 'token.decoded', label: `client assertion of ${clientId}`, role: 'client_assertion', format: 'jwt', token: decodeJwt(assertion) });
  form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  form.set('client_assertion', assertion);
  return auth;
}

/** A DPoP proof for a POST (or `method`) to `url` by the actor's (or the spec's) key; recorded in the trace. */
export async function dpopProofFor(state: ScenarioState, actor: Actor, dpop: true | Partial<DpopSpec>, url: string, method = 'POST'): Promise<string> {
  const spec: Partial<DpopSpec> = dpop === true ? {} : state.dpopSpec(dpop);
  if (spec.proof) {
    const saved = state.proofs.get(spec.proof);
    if (!saved) throw new EngineError('unknown-variable', `no DPoP proof saved as "${spec.proof}"`);
    state.emit({ type: 'log', level: 'info', message: `replaying the DPoP proof saved as ${spec.proof}, byte for byte` });
    return saved;
  }
  const keyName = spec.key ?? actor.dpopKey;
  if (!keyName) throw new EngineError('unknown-key', `actor "${actor.name}" has no dpopKey and the step names none`);
  const key = await state.dpopKey(keyName);
  const nonce = spec.nonce === 'fromLastResponse' ? state.lastNonce.get(actor.name) : spec.nonce;
  const proof = await buildProof(key, { method, url, now: state.now(), ...(nonce ? { nonce } : {}) }, spec);
  state.emit({ type: 'dpop.proof', label: `proof by ${actor.name} (key ${key.name})`, proof: { header: proof.header, claims: proof.claims }, jkt: key.jkt, mutations: proof.mutations });
  if (spec.saveProof) state.proofs.set(spec.saveProof, proof.jwt);
  return proof.jwt;
}
