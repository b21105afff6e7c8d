// Step "token": a token request at the token endpoint (RFC 6749 §4.1.3 authorization code with PKCE,
// RFC 7636 §4.5; §4.4 client credentials; §6 refresh) with the actor's certificate (RFC 8705 §2), a
// private_key_jwt assertion (RFC 7523) and / or a DPoP proof (RFC 9449 §5); saves the tokens.
import type { TokenStep } from '../../../lib/scenario/schema.ts';
import type { ScenarioState, TokenInfo } from '../state.ts';
import { EngineError } from '../errors.ts';
import { jsonBody } from '../http-client.ts';
import { exchange, type Observation } from './exchange.ts';
import { decodeJwt } from '../jwt.ts';
import { authenticate, clientOf, dpopProofFor } from './client-auth.ts';

/** The grant-specific form parameters. */
function grantParameters(step: TokenStep['token'], state: ScenarioState, form: URLSearchParams): void {
  form.set('grant_type', step.grant);
  // The scenario's scopes, as the target names them.
  const scope = (text: string) => state.text(text).split(' ').filter(Boolean).map((s) => state.target.scope(s)).join(' ');
  if (step.grant === 'client_credentials') {
    form.set('scope', scope(step.scope ?? 'accounts'));
    return;
  }
  if (step.grant === 'refresh_token') {
    if (!step.refreshToken) throw new EngineError('unknown-variable', 'a refresh_token grant needs refreshToken: the save name of an earlier token step');
    const refresh = state.token(step.refreshToken).refreshToken;
    if (!refresh) throw new EngineError('unknown-variable', `the token saved as "${step.refreshToken}" came without a refresh token`);
    form.set('refresh_token', refresh);
    if (step.scope !== undefined) form.set('scope', scope(step.scope));
    return;
  }
  const auth = step.authorization ? state.authorizations.get(step.authorization) : undefined;
  if (step.authorization && !auth) throw new EngineError('unknown-variable', `no authorize step saved as "${step.authorization}"`);
  const code = step.code !== undefined ? state.text(step.code) : auth?.code;
  if (!code) throw new EngineError('unknown-variable', step.authorization ? `the authorization "${step.authorization}" ended without a code (${auth?.error ?? 'no code'})` : 'an authorization_code grant needs authorization (or code)');
  form.set('code', code);
  const verifier = step.codeVerifier !== undefined ? state.text(step.codeVerifier) : auth?.verifier;
  if (verifier) form.set('code_verifier', verifier);
  if (step.codeVerifier !== undefined) state.emit({ type: 'log', level: 'info', message: 'sending a code_verifier other than the one whose S256 hash was pushed as code_challenge' });
  const redirectUri = auth?.redirectUri ?? state.target.endpoints.callback;
  if (redirectUri) form.set('redirect_uri', redirectUri);
}

export async function tokenStep(step: TokenStep['token'], state: ScenarioState): Promise<Observation> {
  const actor = state.actor(step.actor);
  const client = clientOf(state, actor, step.client);
  const url = step.endpoint === 'plain' ? state.target.endpoints.tokenPlain : state.target.endpoints.token;
  const form = new URLSearchParams();
  grantParameters(step, state, form);
  form.set('client_id', client.clientId);
  if (step.resource) form.set('resource', state.text(step.resource));
  await authenticate(state, form, { actor, client, auth: step.auth, assertion: step.assertion });

  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (step.dpop) headers.dpop = await dpopProofFor(state, actor, step.dpop, url);

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
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
    };
    state.tokens.set(step.save, info);
    state.vars.set(step.save, raw);
    state.emit({ type: 'token.decoded', label: step.save, role: 'access_token', format: info.format, token: decoded, ...(info.tokenType ? { tokenType: info.tokenType } : {}) });
    state.emit({ type: 'variable.captured', name: step.save, preview: `${raw.slice(0, 24)}…` });
    if (typeof body.id_token === 'string') state.emit({ type: 'token.decoded', label: `${step.save}: ID token`, role: 'id_token', format: 'jwt', token: decodeJwt(body.id_token) });
    if (info.refreshToken) {
      state.vars.set(`${step.save}_refresh`, info.refreshToken);
      state.emit({ type: 'token.decoded', label: `${step.save}: refresh token (opaque, kept by the IdP)`, role: 'refresh_token', format: 'opaque', token: null });
      state.emit({ type: 'variable.captured', name: `${step.save}_refresh`, preview: `${info.refreshToken.slice(0, 12)}…` });
    }
    return { ...observation, token: { tokenType: info.tokenType, claims: info.claims } };
  }
  return observation;
}
