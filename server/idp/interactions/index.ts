// The bank's own pages on the IdP origin, where oidc-provider sends the browser for its prompts
// (interactions): /interaction/:uid shows the sign-in or the consent page, the forms post back to
// /interaction/:uid/{login,consent,cancel}, and each finished step returns the browser to
// oidc-provider (/auth/:uid), which redirects to the app with a code or an error (RFC 6749 §4.1.2).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { errors as OidcErrors } from 'oidc-provider';
import type { PrismaClient } from '../../db/client.ts';
import type { ConsentStore } from '../../consent/store.ts';
import { html, page, type Html } from './html.ts';
import { BANK_CSS } from './style.ts';
import { PageError, checkForgery, csrfToken, readForm } from './form.ts';
import { loginPage, submitLogin } from './login.ts';
import { ConsentUnusable, consentPage, pendingConsent, submitConsent } from './consent.ts';
import { paymentPage, submitPayment } from './payment.ts';
import type { PaymentStore } from '../../payments/store.ts';

export interface PagesDeps {
  provider: Provider;
  consents: ConsentStore;
  /** The domestic payment consents (their consent page is payment.ts). */
  payments: PaymentStore;
  prisma: PrismaClient;
  /** Key of the anti-forgery tokens (stable across restarts, so an open page still works). */
  csrfKey: Buffer;
  errors: Pick<typeof OidcErrors, 'InvalidRequest' | 'SessionNotFound'>;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** What every page handler gets: the interaction (from its cookie), the requesting client, the form token. */
export interface PageContext {
  deps: PagesDeps;
  uid: string;
  details: Interaction;
  client: { id: string; name: string };
  csrf: string;
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle(p: PageContext, req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const UID = '([A-Za-z0-9_-]{1,64})';

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: new RegExp(`^/interaction/${UID}$`), handle: showPrompt },
  { method: 'POST', pattern: new RegExp(`^/interaction/${UID}/login$`), handle: postLogin },
  { method: 'POST', pattern: new RegExp(`^/interaction/${UID}/consent$`), handle: postConsent },
  { method: 'POST', pattern: new RegExp(`^/interaction/${UID}/cancel$`), handle: postCancel },
];

/** Headers of every bank page: no framing, no caching, nothing but our stylesheet, forms only to us and the app. */
function securityHeaders(res: ServerResponse, appOrigin: string | null): void {
  res.setHeader('content-security-policy', `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'${appOrigin ? ` ${appOrigin}` : ''}; frame-ancestors 'none'; base-uri 'none'`);
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('cache-control', 'no-store');
}

function send(res: ServerResponse, status: number, view: { title: string; body: Html }): void {
  const text = page(view.title, view.body);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function showPrompt(p: PageContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (p.details.prompt.name === 'login') return send(res, 200, await loginPage(p));
  if (p.details.prompt.name === 'consent') {
    const consent = await pendingConsent(p);
    return send(res, 200, consent && 'initiation' in consent ? await paymentPage(p, consent) : await consentPage(p, consent));
  }
  throw new PageError(400, 'Something went wrong', `The bank cannot handle the "${p.details.prompt.name}" step.`);
}

async function postLogin(p: PageContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  checkForgery(req, form, p.deps.csrfKey, p.uid);
  if (p.details.prompt.name !== 'login') throw new PageError(400, 'Something went wrong', 'You have already signed in. Go back to the app and start again.');
  const outcome = await submitLogin(p, form);
  if ('status' in outcome) return send(res, outcome.status, await loginPage(p, outcome.view));
  await p.deps.provider.interactionFinished(req, res, { login: { accountId: outcome.accountId } }, { mergeWithLastSubmission: false });
}

async function postConsent(p: PageContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  checkForgery(req, form, p.deps.csrfKey, p.uid);
  if (p.details.prompt.name !== 'consent') throw new PageError(400, 'Something went wrong', 'Please sign in first. Go back to the app and start again.');
  const consent = await pendingConsent(p);
  const payment = consent && 'initiation' in consent ? consent : null;
  const account = consent && !('initiation' in consent) ? consent : null;
  const outcome = payment ? await submitPayment(p, payment, form) : await submitConsent(p, account, form);
  if (outcome.kind === 'again') return send(res, outcome.status, payment ? await paymentPage(p, payment, outcome.view) : await consentPage(p, account, outcome.view));
  const result = outcome.kind === 'approved'
    ? { consent: { grantId: outcome.grantId } }
    : { error: 'access_denied', error_description: 'The customer did not allow access' };
  await p.deps.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: outcome.kind === 'approved' });
}

async function postCancel(p: PageContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  checkForgery(req, form, p.deps.csrfKey, p.uid);
  await p.deps.provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The customer cancelled the sign-in' }, { mergeWithLastSubmission: false });
}

/** The router: handles() says whether a request is for the bank pages; handle() answers it. */
export function createPages(deps: PagesDeps) {
  const stylesheet = Buffer.from(BANK_CSS);
  return {
    handles(req: IncomingMessage): boolean {
      const path = (req.url ?? '').split('?')[0]!;
      return path.startsWith('/interaction/') || path === '/assets/bank.css';
    },
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const path = (req.url ?? '').split('?')[0]!;
      if (path === '/assets/bank.css') {
        res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff', 'content-length': stylesheet.length });
        return void res.end(req.method === 'HEAD' ? undefined : stylesheet);
      }
      securityHeaders(res, null);
      try {
        const candidates = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).filter((c) => c.m);
        const hit = candidates.find((c) => c.r.method === req.method);
        if (!hit) {
          if (candidates.length) res.setHeader('allow', candidates.map((c) => c.r.method).join(', '));
          throw new PageError(candidates.length ? 405 : 404, 'Page not found', 'There is no such page at the bank.');
        }
        const uid = hit.m![1]!;
        let details: Interaction;
        try {
          details = await deps.provider.interactionDetails(req, res);
        } catch (err) {
          if (err instanceof deps.errors.SessionNotFound) throw new PageError(400, 'This page has expired', 'Sign-in links work once, for ten minutes, in the browser that opened them. Go back to the app and start again.');
          throw err;
        }
        if (details.uid !== uid) throw new PageError(400, 'This page has expired', 'This sign-in belongs to another request. Go back to the app and start again.');
        const client = await deps.provider.Client.find(String(details.params.client_id));
        if (!client) throw new PageError(400, 'Something went wrong', 'The app that sent you here is not known to the bank.');
        const appOrigin = URL.parse(String(details.params.redirect_uri ?? ''))?.origin ?? null;
        securityHeaders(res, appOrigin && appOrigin !== 'null' ? appOrigin : null);
        const context: PageContext = { deps, uid, details, client: { id: client.clientId, name: client.clientName ?? client.clientId }, csrf: csrfToken(deps.csrfKey, uid) };
        try {
          await hit.r.handle(context, req, res);
        } catch (err) {
          if (!(err instanceof ConsentUnusable)) throw err;
          // The consent was revoked, rejected or expired meanwhile: the app gets the error, not a dead end.
          await deps.provider.interactionFinished(req, res, { error: 'invalid_request', error_description: err.message }, { mergeWithLastSubmission: false });
        }
      } catch (err) {
        if (res.headersSent) return void res.destroy();
        if (err instanceof PageError) return send(res, err.status, { title: err.title, body: errorBody(err) });
        console.error('bank pages:', err);
        send(res, 500, { title: 'Something went wrong', body: errorBody(new PageError(500, 'Something went wrong', 'The bank could not complete this step. Go back to the app and try again.')) });
      }
    },
  };
}

function errorBody(err: PageError): Html {
  return html`<div class="card"><h1>${err.title}</h1><p>${err.message}</p></div>`;
}
