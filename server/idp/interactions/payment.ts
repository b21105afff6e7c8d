// The bank's consent page for an OBIE domestic payment consent: who asks, the amount, the payee (name,
// sort code, account number), the reference, and which of the customer's accounts pays. Allow binds the
// consent to the customer, the debtor account and the grant (Authorised); Don't allow rejects it.
import type { Account } from '../../../generated/prisma/client.ts';
import { PaymentConsentStateError, type PaymentConsent } from '../../payments/store.ts';
import { html, type Html } from './html.ts';
import { PageError } from './form.ts';
import { ConsentUnusable, type ConsentOutcome, type ConsentView } from './consent.ts';
import type { PageContext } from './index.ts';

/** "£12.50" for GBP, "12.50 EUR" otherwise. */
export function money(amount: { Amount: string; Currency: string }): string {
  return amount.Currency === 'GBP' ? `£${amount.Amount}` : `${amount.Amount} ${amount.Currency}`;
}

/** A UK sort code and account number (UK.OBIE.SortCodeAccountNumber) in the way people write them. */
function payee(account: { SchemeName: string; Identification: string }): string {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{8})$/.exec(account.Identification);
  return account.SchemeName === 'UK.OBIE.SortCodeAccountNumber' && m ? `sort code ${m[1]}-${m[2]}-${m[3]} · account ${m[4]}` : `${account.SchemeName} ${account.Identification}`;
}

/** The customer's accounts that may pay: the DebtorAccount the app named, else every account in the payment's currency. */
function payingAccounts(consent: PaymentConsent, accounts: Account[]): Account[] {
  const debtor = consent.initiation.DebtorAccount as { Identification?: string } | undefined;
  return accounts.filter((a) => a.currency === consent.initiation.InstructedAmount.Currency && (!debtor?.Identification || a.identification === debtor.Identification));
}

export async function paymentPage(p: PageContext, consent: PaymentConsent, view: ConsentView = {}): Promise<{ title: string; body: Html }> {
  const customerId = String(p.details.session?.accountId ?? '');
  const customer = await p.deps.prisma.customer.findUnique({ where: { id: customerId }, include: { accounts: { orderBy: { id: 'asc' } } } });
  if (!customer) throw new PageError(400, 'Please sign in again', 'Your session has ended. Go back to the app and start again.');
  const { InstructedAmount, CreditorAccount, RemittanceInformation } = consent.initiation;
  const selected = new Set(view.selected ?? []);
  const errorId = 'consent-error';
  const accounts = payingAccounts(consent, customer.accounts);
  const body = html`<div class="card">
  <h1>Pay ${money(InstructedAmount)} to ${CreditorAccount.Name}</h1>
  <p class="lead">${p.client.name} asks you to make this payment. Check the details: the bank pays exactly this, once.</p>
  <div class="requester"><span class="mark" aria-hidden="true">${p.client.name.slice(0, 1)}</span>
    <p><strong>${p.client.name}</strong><small>App id ${p.client.id}</small></p></div>
  ${view.error ? html`<div class="alert" role="alert" id="${errorId}"><strong>There is a problem:</strong> ${view.error}</div>` : ''}
  <form method="post" action="/interaction/${p.uid}/consent">
    <input type="hidden" name="csrf" value="${p.csrf}">
    <dl class="facts payment">
      <dt>Amount</dt><dd>${money(InstructedAmount)}</dd>
      <dt>Payee</dt><dd>${CreditorAccount.Name}<br><small>${payee(CreditorAccount)}</small></dd>
      <dt>Reference</dt><dd>${RemittanceInformation?.Reference ?? 'none'}</dd>
      <dt>Signed in as</dt><dd>${customer.name}</dd>
      <dt>Consent reference</dt><dd><code>${consent.id}</code></dd>
    </dl>
    <fieldset${view.error ? html` aria-describedby="${errorId}"` : ''}><legend>Choose the account to pay from</legend>
      ${accounts.map((a) => html`<label class="account"><input type="radio" name="account" value="${a.id}"${selected.has(a.id) ? ' checked' : ''}>
        <span><span class="name">${a.nickname ?? a.name}</span><span class="meta">account ending ${a.identification.slice(-4)} · ${a.currency}</span></span></label>`)}
    </fieldset>
    <div class="actions">
      <button type="submit" name="decision" value="approve" class="primary">Confirm payment</button>
      <button type="submit" name="decision" value="reject" class="secondary">Don't pay</button>
    </div>
  </form>
</div>`;
  return { title: `Pay ${money(InstructedAmount)} to ${CreditorAccount.Name}`, body };
}

/** POST /interaction/:uid/consent for a payment consent. */
export async function submitPayment(p: PageContext, consent: PaymentConsent, form: URLSearchParams): Promise<ConsentOutcome> {
  const decision = form.get('decision');
  if (decision === 'reject') {
    await p.deps.payments.reject(consent.id).catch((err: unknown) => {
      if (!(err instanceof PaymentConsentStateError)) throw err;
    });
    return { kind: 'rejected' };
  }
  if (decision !== 'approve') return { kind: 'again', status: 400, view: { error: 'Choose Confirm payment or Don\'t pay.' } };
  const customerId = String(p.details.session?.accountId ?? '');
  const chosen = [...new Set(form.getAll('account'))];
  const own = payingAccounts(consent, await p.deps.prisma.account.findMany({ where: { customerId }, orderBy: { id: 'asc' } }));
  if (chosen.length !== 1 || !own.some((a) => a.id === chosen[0])) {
    return { kind: 'again', status: 400, view: { selected: chosen.filter((id) => own.some((a) => a.id === id)).slice(0, 1), error: 'Choose one of your accounts to pay from, or choose Don\'t pay.' } };
  }
  const { provider } = p.deps;
  const { prompt: { details }, params } = p.details;
  const grant = new provider.Grant({ accountId: customerId, clientId: String(params.client_id) });
  const missing = details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  try {
    await p.deps.payments.authorise(consent.id, { customerId, debtorAccountId: chosen[0]!, grantId });
  } catch (err) {
    await grant.destroy();
    if (err instanceof PaymentConsentStateError) throw new ConsentUnusable(err.message);
    throw err;
  }
  return { kind: 'approved', grantId };
}
