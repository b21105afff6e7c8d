// Step "authorize": the app pushes an authorization request (RFC 9126) naming the consent, with PKCE
// (RFC 7636) and its client authentication; then the engine plays the customer's browser: the
// authorization endpoint, the bank's sign-in page, the consent page (accounts ticked, Allow or
// Don't allow), and the redirect back to the app with a code or an error (RFC 6749 §4.1.2, RFC 9207), or
// with those inside a signed JWT (JARM) that it verifies first.
import { createHash, randomBytes } from 'node:crypto';
import type { AuthorizeStep } from '../../../lib/scenario/schema.ts';
import type { Decision } from '../../../lib/trace/decision.ts';
import type { BrowserForm } from '../../../lib/trace/events.ts';
import type { AuthorizationInfo, ScenarioState } from '../state.ts';
import { EngineError } from '../errors.ts';
import { jsonBody, type Exchange } from '../http-client.ts';
import { Browser, type Landing, type Redirect } from '../browser/browser.ts';
import { exchange, type Observation } from './exchange.ts';
import { authenticate, clientOf, dpopProofFor } from './client-auth.ts';
import { requestObjectForm } from './request-object.ts';
import { verifyJarm } from '../crypto/jarm.ts';
import { decodeJwt } from '../jwt.ts';
import { INTENT_CLAIM, INTENT_DETAIL_TYPE, PAYMENT_DETAIL_TYPE } from '../../../lib/obie/intent.ts';

const random = (bytes: number) => randomBytes(bytes).toString('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** The consent named the OBIE way (claims parameter) or the RFC 9396 way (authorization_details: the payment type with the payments scope). */
function intentParameter(form: URLSearchParams, consentId: string, as: AuthorizeStep['authorize']['intentAs'], scopes: string[]): void {
  if (as === 'claims') {
    const claim = { [INTENT_CLAIM]: { value: consentId, essential: true } };
    form.set('claims', JSON.stringify({ id_token: claim, userinfo: claim }));
  } else {
    form.set('authorization_details', JSON.stringify([{ type: scopes.includes('payments') ? PAYMENT_DETAIL_TYPE : INTENT_DETAIL_TYPE, consentId }]));
  }
}

function fieldsOf(form: BrowserForm, values: [string, string][], button?: { name: string; value: string }): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of values) {
    const shown = form.fields.find((f) => f.name === k)?.type === 'password' ? '•'.repeat(8) : v;
    const prev = out[k];
    out[k] = prev === undefined ? shown : [...(Array.isArray(prev) ? prev : [prev]), shown];
  }
  if (button?.name) out[button.name] = button.value;
  return out;
}

export async function authorizeStep(step: AuthorizeStep['authorize'], state: ScenarioState): Promise<Observation> {
  const { par, authorization, callback, issuer } = state.target.endpoints;
  if (!authorization || (!par && step.par && step.requestUri === undefined)) throw new EngineError('unsupported', 'the target has no pushed authorization request or authorization endpoint');
  const actor = state.actor(step.actor);
  const client = clientOf(state, actor, step.client);
  const { clientId } = client;
  const redirectUri = step.redirectUri !== undefined ? state.text(step.redirectUri) : callback;
  if (!redirectUri) throw new EngineError('unsupported', 'the target names no redirect_uri for its clients: set authorize.redirectUri');
  const decisions: Decision[] = [];
  const redirects: Redirect[] = [];
  let observable = true;
  const record = (o: Observation): Exchange => {
    if (o.decisions === null) observable = false;
    else decisions.push(...o.decisions);
    return o.exchange!;
  };
  const observation = (ex: Exchange, authorizationResponse: Observation['authorization'] = null): Observation => ({
    exchange: ex, decisions: observable ? decisions : null, authorization: authorizationResponse, redirects,
  });

  // 1. The app pushes the request (back channel, client authentication).
  const verifier = random(32);
  const expectedState = random(16);
  const scope = state.text(step.scope).split(' ').filter(Boolean).map((s) => state.target.scope(s)).join(' ');
  const form = new URLSearchParams({ response_type: state.text(step.responseType), client_id: clientId, redirect_uri: redirectUri, scope, state: expectedState, nonce: random(16) });
  if (step.pkce === 'S256') form.set('code_challenge', s256(verifier));
  if (step.pkce === 'plain') form.set('code_challenge', verifier);
  if (step.pkce !== 'none') form.set('code_challenge_method', step.pkce);
  if (step.consent !== undefined) intentParameter(form, state.text(step.consent), step.intentAs, state.text(step.scope).split(' '));
  if (step.dpopJkt !== undefined) form.set('dpop_jkt', state.text(step.dpopJkt));
  if (step.responseMode !== undefined) form.set('response_mode', step.responseMode);
  const shown = Object.fromEntries(form);
  const pushedTo = step.par && step.requestUri === undefined ? par! : authorization;
  state.emit({
    type: 'authorization.request', endpoint: pushedTo, parameters: shown,
    label: step.requestUri !== undefined ? `${clientId} sends a request_uri it holds` : step.par ? `${clientId} pushes its authorization request` : `${clientId} sends its authorization request through the browser, without PAR`,
    pkce: { method: step.pkce, challenge: form.get('code_challenge'), verifier: step.pkce === 'none' ? null : verifier },
  });
  const info: AuthorizationInfo = {
    code: null, error: null, verifier: step.pkce === 'none' ? null : verifier, redirectUri,
    pkce: step.pkce === 'none' ? null : { method: step.pkce, challenge: form.get('code_challenge')! },
  };
  state.authorizations.set(step.save, info);
  if (info.verifier) state.vars.set(`${step.save}_verifier`, info.verifier);
  let front: URLSearchParams;
  if (step.requestUri !== undefined) front = new URLSearchParams({ client_id: clientId, request_uri: state.text(step.requestUri) });
  else if (!step.par) front = form;
  else {
    // RFC 9101: the parameters inside a request object, the form keeping client_id and request.
    const pushForm = step.requestObject ? await requestObjectForm(state, client, form, step.requestObject) : form;
    await authenticate(state, pushForm, { actor, client, auth: undefined });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (step.dpop) headers.dpop = await dpopProofFor(state, actor, step.dpop, par!);
    const pushed = record(await exchange(state, { actor: actor.name, method: 'POST', url: par!, headers, body: pushForm.toString(), cert: actor.certificate, party: 'idp' }));
    const requestUri = jsonBody(pushed)?.request_uri;
    if (pushed.response?.status !== 201 || typeof requestUri !== 'string') return observation(pushed);
    state.vars.set(`${step.save}_request_uri`, requestUri);
    front = new URLSearchParams({ client_id: clientId, request_uri: requestUri });
  }

  // 2. The customer's browser: authorization endpoint -> sign-in -> consent -> back to the app.
  const who = `${step.psu} (browser)`;
  const browser = new Browser(
    async ({ secret, ...req }) => record(await exchange(state, { actor: who, ...req, cert: null, party: 'idp', sender: 'browser', ...(secret ? { redact: secret } : {}) })),
    redirectUri,
    redirects,
  );
  const finish = async (landing: Extract<Landing, { kind: 'redirect-uri' }>): Promise<Observation> => {
    const q = new URL(landing.url).searchParams;
    const jarm = q.get('response');
    // JARM: the parameters are the claims of the signed response, read once it verifies.
    const claims = jarm === null ? null : await verifyJarm(jarm, state.target.idpPublicJwks, issuer, clientId, state.now());
    const get = (name: string) => (claims ? (typeof claims[name] === 'string' ? (claims[name] as string) : null) : q.get(name));
    const response = { code: get('code'), state: get('state'), iss: get('iss'), error: get('error'), errorDescription: get('error_description') };
    const stateMatches = response.state === expectedState;
    state.emit({
      type: 'authorization.response', label: response.code ? `${clientId} receives an authorization code` : `${clientId} receives ${response.error ?? 'no code'}`,
      redirectUri: landing.url, ...response, stateMatches, issMatches: response.iss === null ? null : response.iss === issuer,
      ...(jarm !== null ? { jarm: decodeJwt(jarm)! } : {}),
    });
    if (!stateMatches) throw new EngineError('authorization-response', `the authorization response's state ${JSON.stringify(response.state)} is not the one the app sent`);
    info.code = response.code;
    info.error = response.error;
    if (response.code) {
      state.vars.set(step.save, response.code);
      state.emit({ type: 'variable.captured', name: step.save, preview: `${response.code.slice(0, 12)}…` });
    }
    return observation(landing.exchange, response);
  };
  const showPage = (landing: Extract<Landing, { kind: 'page' }>, label: string) =>
    state.emit({
      type: 'browser.page', label, url: landing.url, status: landing.exchange.response!.status, title: landing.page.title,
      content: landing.page.content, forms: landing.page.forms, alert: landing.page.alert,
    });

  let landing = await browser.open(`${authorization}?${front}`);
  if (landing.kind === 'redirect-uri') return finish(landing);
  if (landing.kind === 'failed') return observation(landing.exchange);
  if (!step.par) {
    // A FAPI 2.0 server refuses an unpushed request before any page (FAPI 2.0 SP 5.3.2.2-2); a page is the finding.
    showPage(landing, `the authorization server showed a page for a request that was not pushed: ${landing.page.title}`);
    return observation(landing.exchange);
  }
  if (landing.exchange.response!.status >= 400) {
    showPage(landing, `the bank shows an error: ${landing.page.title}`);
    return observation(landing.exchange);
  }
  showPage(landing, 'the bank\'s sign-in page');
  const signIn = landing.page.forms.find((f) => f.fields.some((x) => x.type === 'password'));
  if (!signIn) throw new EngineError('browser', `the page "${landing.page.title}" has no sign-in form (a form with a password field)`);
  const password = step.password ?? state.target.psuPassword(step.psu);
  if (password === null) throw new EngineError('no-password', `the target knows no password for customer "${step.psu}": set authorize.password`);
  const userField = signIn.fields.find((x) => x.type === 'text' || x.type === 'email')?.name ?? 'username';
  const passwordField = signIn.fields.find((x) => x.type === 'password')!.name;
  const credentials: [string, string][] = [[userField, step.psu], [passwordField, password]];
  state.emit({ type: 'browser.submit', label: `${step.psu} signs in`, url: new URL(signIn.action, landing.url).toString(), fields: fieldsOf(signIn, credentials) });
  landing = await browser.submit(landing.url, signIn, credentials, signIn.buttons[0]);
  if (landing.kind === 'redirect-uri') return finish(landing);
  if (landing.kind === 'failed') return observation(landing.exchange);
  if (landing.page.forms.some((f) => f.fields.some((x) => x.type === 'password'))) {
    showPage(landing, `sign-in refused${landing.page.alert ? `: ${landing.page.alert}` : ''}`);
    return observation(landing.exchange);
  }
  if (landing.exchange.response!.status >= 400) {
    showPage(landing, `the bank shows an error: ${landing.page.title}`);
    return observation(landing.exchange);
  }

  showPage(landing, 'the bank\'s consent page');
  const consentForm = landing.page.forms.find((f) => f.buttons.some((b) => b.value === step.decision));
  if (!consentForm) throw new EngineError('browser', `the page "${landing.page.title}" has no ${step.decision} button`);
  const offered = consentForm.fields.filter((x) => x.type === 'checkbox').map((x) => x.value);
  const accounts = step.accounts === 'all' ? offered : step.accounts.map((a) => state.text(a));
  const choice: [string, string][] = step.decision === 'approve' ? accounts.map((a) => ['account', a]) : [];
  const button = consentForm.buttons.find((b) => b.value === step.decision)!;
  state.emit({
    type: 'browser.submit', url: new URL(consentForm.action, landing.url).toString(), fields: fieldsOf(consentForm, choice, button),
    label: step.decision === 'approve' ? `${step.psu} allows access to ${accounts.join(', ') || 'no account'}` : `${step.psu} does not allow access`,
  });
  landing = await browser.submit(landing.url, consentForm, choice, button);
  if (landing.kind === 'redirect-uri') return finish(landing);
  if (landing.kind === 'page') showPage(landing, `the consent page again${landing.page.alert ? `: ${landing.page.alert}` : ''}`);
  return observation(landing.exchange);
}
