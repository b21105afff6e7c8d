// The consent journey from a test, over real TLS: client-credentials token, consent creation through
// the gateway, the pushed authorization request, the customer's browser (the engine's Browser with
// a cookie jar), the code exchange and gateway calls. Works against an in-process stack or a child
// process (only URLs, the CA and certificate files are needed).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { send, jsonBody, type Exchange } from '../../server/engine/http-client.ts';
import { Browser, type Landing, type Redirect } from '../../server/engine/browser/browser.ts';
import type { CertMaterial } from '../../server/engine/target.ts';
import type { Stack } from '../../server/stack.ts';
import { summarizeCert } from '../../server/pki/x509.ts';
import { X509Certificate } from 'node:crypto';

export interface JourneyEnv {
  urls: { ui: string; idp: string; idpMtls: string; gateway: string };
  ca: string;
  cert(name: string): CertMaterial;
}

export const CONSENTS = '/open-banking/v3.1/aisp/account-access-consents';

export function envOfStack(stack: Stack): JourneyEnv {
  return {
    urls: stack.urls, ca: stack.pki.rootCa,
    cert: (name) => {
      const m = stack.pki.cert(name);
      return { name, chain: m.chain, key: m.key, summary: m.entry };
    },
  };
}

/** For a sandbox in another process: its URLs and the certs/ directory it uses. */
export function envOfFiles(urls: JourneyEnv['urls'], certsDir: string): JourneyEnv {
  return {
    urls, ca: readFileSync(path.join(certsDir, 'ca', 'root-ca.pem'), 'utf8'),
    cert: (name) => {
      const chain = readFileSync(path.join(certsDir, 'clients', `${name}.chain.pem`), 'utf8');
      return { name, chain, key: readFileSync(path.join(certsDir, 'clients', `${name}.key.pem`), 'utf8'), summary: summarizeCert(new X509Certificate(chain)) };
    },
  };
}

const form = (values: Record<string, string>) => new URLSearchParams(values).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function tokenRequest(env: JourneyEnv, certName: string | null, values: Record<string, string>, headers: Record<string, string> = {}): Promise<Exchange> {
  return send({ method: 'POST', url: `${env.urls.idpMtls}/token`, headers: { ...FORM, ...headers }, body: form(values), ca: env.ca, cert: certName ? env.cert(certName) : null });
}

export async function clientToken(env: JourneyEnv, certName: string, clientId: string): Promise<string> {
  const ex = await tokenRequest(env, certName, { grant_type: 'client_credentials', client_id: clientId, scope: 'accounts' });
  const token = jsonBody(ex)?.access_token;
  if (typeof token !== 'string') throw new Error(`no client-credentials token: ${ex.response?.status} ${ex.response?.body}`);
  return token;
}

export function gateway(env: JourneyEnv, certName: string, token: string, p: string, opts: { method?: string; body?: unknown } = {}): Promise<Exchange> {
  return send({
    method: opts.method ?? 'GET', url: env.urls.gateway + p, ca: env.ca, cert: env.cert(certName),
    headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
}

export async function createConsent(env: JourneyEnv, certName: string, token: string, permissions: string[]): Promise<string> {
  const ex = await gateway(env, certName, token, CONSENTS, { method: 'POST', body: { Data: { Permissions: permissions }, Risk: {} } });
  const id = (jsonBody(ex)?.Data as { ConsentId?: string } | undefined)?.ConsentId;
  if (ex.response?.status !== 201 || !id) throw new Error(`consent not created: ${ex.response?.status} ${ex.response?.body}`);
  return id;
}

export const intentClaims = (consentId: string) => JSON.stringify({ id_token: { openbanking_intent_id: { value: consentId, essential: true } } });

/** PAR for an mTLS client; `extra` adds or overrides parameters (e.g. claims, authorization_details). */
export async function pushAuthorization(env: JourneyEnv, certName: string | null, values: Record<string, string>): Promise<Exchange> {
  return send({ method: 'POST', url: `${env.urls.idpMtls}/request`, headers: FORM, body: form(values), ca: env.ca, cert: certName ? env.cert(certName) : null });
}

export function authorizationParams(env: JourneyEnv, clientId: string, consentId: string | null, challenge: string, state = 'st-1'): Record<string, string> {
  return {
    response_type: 'code', client_id: clientId, redirect_uri: `${env.urls.ui}/callback`, scope: 'openid accounts', state,
    code_challenge: challenge, code_challenge_method: 'S256', ...(consentId ? { claims: intentClaims(consentId) } : {}),
  };
}

/** The customer's browser: records every exchange it makes and every redirect it follows. */
export function browser(env: JourneyEnv): { browser: Browser; exchanges: Exchange[]; redirects: Redirect[] } {
  const exchanges: Exchange[] = [];
  const redirects: Redirect[] = [];
  const b = new Browser(async (req) => {
    const ex = await send({ ...req, ca: env.ca, cert: null });
    exchanges.push(ex);
    return ex;
  }, `${env.urls.ui}/callback`, redirects);
  return { browser: b, exchanges, redirects };
}

export type Page = Extract<Landing, { kind: 'page' }>;

export function asPage(landing: Landing): Page {
  if (landing.kind !== 'page') throw new Error(`expected a page, got ${landing.kind} (${landing.url})`);
  return landing;
}

/** Signs in on the login page and returns where the browser lands (the consent page when it worked). */
export function signIn(b: Browser, login: Page, username: string, password: string): Promise<Landing> {
  const f = login.page.forms.find((x) => x.fields.some((y) => y.type === 'password'));
  if (!f) throw new Error(`no sign-in form on ${login.page.title}`);
  return b.submit(login.url, f, [['username', username], ['password', password]], f.buttons[0]);
}

/** Answers the consent page. */
export function decide(b: Browser, consentPage: Page, decision: 'approve' | 'reject', accounts: string[]): Promise<Landing> {
  const f = consentPage.page.forms.find((x) => x.buttons.some((y) => y.value === decision));
  if (!f) throw new Error(`no ${decision} button on ${consentPage.page.title}`);
  return b.submit(consentPage.url, f, accounts.map((a) => ['account', a]), f.buttons.find((y) => y.value === decision));
}

/** The whole journey for an mTLS client: a consent authorised by `username` for `accounts`; returns the code and the verifier. */
export async function authorisedCode(env: JourneyEnv, opts: { cert: string; clientId: string; permissions: string[]; username: string; password: string; accounts: string[] }): Promise<{ consentId: string; code: string; verifier: string; clientToken: string }> {
  const cc = await clientToken(env, opts.cert, opts.clientId);
  const consentId = await createConsent(env, opts.cert, cc, opts.permissions);
  const { verifier, challenge } = pkce();
  const par = await pushAuthorization(env, opts.cert, authorizationParams(env, opts.clientId, consentId, challenge));
  const requestUri = jsonBody(par)?.request_uri;
  if (typeof requestUri !== 'string') throw new Error(`PAR failed: ${par.response?.status} ${par.response?.body}`);
  const { browser: b } = browser(env);
  const login = asPage(await b.open(`${env.urls.idp}/auth?${form({ client_id: opts.clientId, request_uri: requestUri })}`));
  const consentPage = asPage(await signIn(b, login, opts.username, opts.password));
  const back = await decide(b, consentPage, 'approve', opts.accounts);
  if (back.kind !== 'redirect-uri') throw new Error(`the browser did not return to the app: ${back.kind}`);
  const code = new URL(back.url).searchParams.get('code');
  if (!code) throw new Error(`no code: ${back.url}`);
  return { consentId, code, verifier, clientToken: cc };
}

export function redeem(env: JourneyEnv, certName: string, clientId: string, code: string, verifier: string): Promise<Exchange> {
  return tokenRequest(env, certName, { grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: `${env.urls.ui}/callback` });
}
