// The bank's consent page (the OIDC "consent" prompt) for an OBIE account-access consent: who asks,
// what they would see in plain words, which of the customer's accounts to share, until when; Allow
// binds the consent to the customer and the selected accounts (Authorised) and grants the scopes,
// Don't allow marks it Rejected and sends the app access_denied.
import type { Account } from '../../../generated/prisma/client.ts';
import { describePermissions } from '../../consent/permissions.ts';
import { ConsentStateError, isExpired, type Consent } from '../../consent/store.ts';
import { requestedIntent } from '../intent.ts';
import type { PaymentConsent } from '../../payments/store.ts';
import { html, type Html } from './html.ts';
import { PageError } from './form.ts';
import type { PageContext } from './index.ts';

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function accountLabel(a: Account): { name: string; meta: string } {
  const kind = a.accountSubType === 'CurrentAccount' ? 'Current account' : a.accountSubType === 'Savings' ? 'Savings account' : a.accountSubType;
  const sort = a.identification.slice(0, 6).replace(/(\d{2})(\d{2})(\d{2})/, '$1-$2-$3');
  return { name: a.nickname ?? kind, meta: `${kind} · sort code ${sort} · account ending ${a.identification.slice(-4)} · ${a.currency}` };
}

/** The consent the interaction is for, if it may still be authorised; an error the app receives otherwise. */
export async function pendingConsent(p: PageContext): Promise<Consent | PaymentConsent | null> {
  const intent = requestedIntent(p.details.params, p.deps.errors);
  if (!intent) return null;
  const payment = await p.deps.payments.findConsent(intent.consentId);
  if (payment) {
    if (payment.clientId !== p.client.id) throw new ConsentUnusable(`consent ${intent.consentId} is not a consent of ${p.client.id}`);
    if (payment.status !== 'AwaitingAuthorisation') throw new ConsentUnusable(`payment consent ${payment.id} is ${payment.status}, not AwaitingAuthorisation`);
    return payment;
  }
  const consent = await p.deps.consents.find(intent.consentId);
  if (!consent || consent.clientId !== p.client.id) throw new ConsentUnusable(`consent ${intent.consentId} is not a consent of ${p.client.id}`);
  if (consent.status !== 'AwaitingAuthorisation') throw new ConsentUnusable(`consent ${consent.id} is ${consent.status}, not AwaitingAuthorisation`);
  if (isExpired(consent)) throw new ConsentUnusable(`consent ${consent.id} has expired`);
  return consent;
}

/** The consent can no longer be authorised: the interaction ends with invalid_request at the app. */
export class ConsentUnusable extends Error {}

export interface ConsentView {
  selected?: string[];
  error?: string;
}

export async function consentPage(p: PageContext, consent: Consent | null, view: ConsentView = {}): Promise<{ title: string; body: Html }> {
  const customerId = String(p.details.session?.accountId ?? '');
  const customer = await p.deps.prisma.customer.findUnique({ where: { id: customerId }, include: { accounts: { orderBy: { id: 'asc' } } } });
  if (!customer) throw new PageError(400, 'Please sign in again', 'Your session has ended. Go back to the app and start again.');
  const redirectHost = URL.parse(String(p.details.params.redirect_uri ?? ''))?.host ?? '';
  const errorId = 'consent-error';
  const selected = new Set(view.selected ?? []);
  const what = consent ? describePermissions(consent.permissions) : [];
  const facts = consent
    ? html`<dl class="facts">
      <dt>Access ends</dt><dd>${consent.expirationDateTime ? LONG_DATE.format(consent.expirationDateTime) : 'When you withdraw it (no end date)'}</dd>
      ${consent.transactionFromDateTime ? html`<dt>Transactions from</dt><dd>${LONG_DATE.format(consent.transactionFromDateTime)}</dd>` : ''}
      ${consent.transactionToDateTime ? html`<dt>Transactions up to</dt><dd>${LONG_DATE.format(consent.transactionToDateTime)}</dd>` : ''}
      <dt>Signed in as</dt><dd>${customer.name}</dd>
      <dt>Consent reference</dt><dd><code>${consent.id}</code></dd>
    </dl>`
    : html`<dl class="facts"><dt>Signed in as</dt><dd>${customer.name}</dd></dl>`;
  const body = html`<div class="card">
  <h1>${consent ? html`Share your account information with ${p.client.name}` : html`Confirm who you are to ${p.client.name}`}</h1>
  <p class="lead">${consent ? 'Check what will be shared and choose the accounts. You can withdraw this access at any time.' : 'The app will learn that you are a customer of this bank.'}</p>
  <div class="requester"><span class="mark" aria-hidden="true">${p.client.name.slice(0, 1)}</span>
    <p><strong>${p.client.name}</strong><small>App id ${p.client.id}${redirectHost ? html` · you will return to ${redirectHost}` : ''}</small></p></div>
  ${view.error ? html`<div class="alert" role="alert" id="${errorId}"><strong>There is a problem:</strong> ${view.error}</div>` : ''}
  <form method="post" action="/interaction/${p.uid}/consent">
    <input type="hidden" name="csrf" value="${p.csrf}">
    ${what.map((c) => html`<h2>${c.title}</h2><ul class="shares">${c.items.map((i) => html`<li>${i}</li>`)}</ul>`)}
    ${consent
      ? html`<fieldset${view.error ? html` aria-describedby="${errorId}"` : ''}><legend>Choose the accounts to share</legend>
        ${customer.accounts.map((a) => {
          const l = accountLabel(a);
          return html`<label class="account"><input type="checkbox" name="account" value="${a.id}"${selected.has(a.id) ? ' checked' : ''}>
            <span><span class="name">${l.name}</span><span class="meta">${l.meta}</span></span></label>`;
        })}</fieldset>`
      : ''}
    ${facts}
    <div class="actions">
      <button type="submit" name="decision" value="approve" class="primary">Allow access</button>
      <button type="submit" name="decision" value="reject" class="secondary">Don't allow</button>
    </div>
  </form>
</div>`;
  return { title: consent ? 'Share your account information' : 'Confirm who you are', body };
}

export type ConsentOutcome =
  | { kind: 'approved'; grantId: string }
  | { kind: 'rejected' }
  | { kind: 'again'; status: number; view: ConsentView };

/** POST /interaction/:uid/consent. */
export async function submitConsent(p: PageContext, consent: Consent | null, form: URLSearchParams): Promise<ConsentOutcome> {
  const decision = form.get('decision');
  if (decision === 'reject') {
    if (consent) await p.deps.consents.reject(consent.id).catch((err: unknown) => {
      if (!(err instanceof ConsentStateError)) throw err;
    });
    return { kind: 'rejected' };
  }
  if (decision !== 'approve') return { kind: 'again', status: 400, view: { error: 'Choose Allow access or Don\'t allow.' } };
  const customerId = String(p.details.session?.accountId ?? '');
  const chosen = [...new Set(form.getAll('account'))];
  const own = new Set((await p.deps.prisma.account.findMany({ where: { customerId }, select: { id: true } })).map((a) => a.id));
  if (consent && !chosen.length) return { kind: 'again', status: 400, view: { error: 'Choose at least one account to share, or choose Don\'t allow.' } };
  if (chosen.some((id) => !own.has(id))) return { kind: 'again', status: 400, view: { selected: chosen.filter((id) => own.has(id)), error: 'Choose only your own accounts.' } };

  const { provider } = p.deps;
  const { prompt: { details }, params } = p.details;
  const grant = new provider.Grant({ accountId: customerId, clientId: String(params.client_id) });
  const missing = details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]>; rar?: unknown[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  for (const detail of missing.rar ?? []) grant.addRar(detail as Parameters<typeof grant.addRar>[0]);
  const grantId = await grant.save();
  if (consent) {
    try {
      await p.deps.consents.authorise(consent.id, { customerId, accountIds: chosen, grantId });
    } catch (err) {
      await grant.destroy();
      if (err instanceof ConsentStateError) throw new ConsentUnusable(err.message);
      throw err;
    }
  }
  return { kind: 'approved', grantId };
}
