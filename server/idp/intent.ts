// The link between an authorization request and an OBIE account-access consent. The request names the
// consent either the UK Open Banking way (the OIDC `claims` parameter with an essential
// `openbanking_intent_id` claim) or the FAPI 2.0 way (RFC 9396 `authorization_details` of type
// `openbanking_account_access`, or `openbanking_domestic_payment` for a payment consent). Checked at PAR and at the authorization endpoint; tokens of the grant
// then carry `openbanking_intent_id` (and the authorization_details), which the gateway forwards.
import type {
  AuthorizationDetail, Configuration, KoaContextWithOIDC, RichAuthorizationRequestsActiveConfiguration, RichAuthorizationRequestsConfigurationBase, errors as OidcErrors,
} from 'oidc-provider';
import { isExpired, type ConsentStore } from '../consent/store.ts';
import type { PaymentStore } from '../payments/store.ts';
import { DETAIL_TYPES, INTENT_CLAIM, INTENT_DETAIL_TYPE, PAYMENT_DETAIL_TYPE } from '../../lib/obie/intent.ts';

export interface Intent {
  consentId: string;
  /** How the request named it. */
  via: 'claims' | 'authorization_details';
  /** The authorization_details type it was named with (absent: named by claims). */
  detailType?: (typeof DETAIL_TYPES)[number];
}

type Errors = Pick<typeof OidcErrors, 'InvalidRequest' | 'InvalidAuthorizationDetails' | 'InvalidGrant'>;

/** The claim value in `claims.id_token` / `claims.userinfo` ({"openbanking_intent_id": {"value": ..., "essential": true}}). */
function fromClaims(raw: unknown): string[] {
  if (typeof raw !== 'string') return [];
  let claims: unknown;
  try {
    claims = JSON.parse(raw);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const member of ['id_token', 'userinfo']) {
    const request = (claims as Record<string, Record<string, { value?: unknown }> | undefined> | null)?.[member]?.[INTENT_CLAIM];
    if (typeof request?.value === 'string') out.push(request.value);
  }
  return out;
}

const isDetailType = (t: unknown): t is (typeof DETAIL_TYPES)[number] => (DETAIL_TYPES as readonly unknown[]).includes(t);

function fromDetails(raw: unknown): { consentId: string; type: (typeof DETAIL_TYPES)[number] }[] {
  if (typeof raw !== 'string') return [];
  try {
    const details = JSON.parse(raw) as unknown;
    return Array.isArray(details)
      ? details.filter((d) => isDetailType(d?.type) && typeof d.consentId === 'string').map((d) => ({ consentId: d.consentId as string, type: d.type }))
      : [];
  } catch {
    return [];
  }
}

/**
 * The consent an authorization request (or a stored interaction's params) names, or null. Naming two
 * different consents is an error (one grant, one consent).
 */
export function requestedIntent(params: Record<string, unknown>, errors: Pick<Errors, 'InvalidRequest'>): Intent | null {
  const byClaims = fromClaims(params.claims);
  const byDetails = fromDetails(params.authorization_details);
  const all = new Set([...byClaims, ...byDetails.map((d) => d.consentId)]);
  if (all.size > 1) throw new errors.InvalidRequest(`the request names ${all.size} different consents; one authorization request authorises one consent`);
  const [consentId] = all;
  if (consentId === undefined) return null;
  if (byClaims.length) return { consentId, via: 'claims' };
  const types = new Set(byDetails.map((d) => d.type));
  if (types.size > 1) throw new errors.InvalidRequest(`consent ${consentId.slice(0, 128)} is named as ${[...types].join(' and ')}; it is one of them`);
  return { consentId, via: 'authorization_details', detailType: byDetails[0]!.type };
}

const scopes = (params: Record<string, unknown>) => new Set(typeof params.scope === 'string' ? params.scope.split(' ') : []);

/**
 * The authorization-request check (oidc-provider `extraParams` validator, run at PAR and at the
 * authorization endpoint after the standard checks): a request for the `accounts` scope must name a
 * consent of this client that awaits authorisation and has not expired.
 */
export function intentCheck(consents: ConsentStore, errors: Errors, payments?: PaymentStore) {
  return async function checkIntent(ctx: KoaContextWithOIDC): Promise<void> {
    const params = ctx.oidc.params as Record<string, unknown>;
    // The verdict, for the decision record of this request (record.ts: idp.consent-intent).
    const verdict = (outcome: 'pass' | 'fail' | 'skip', reason: string, inputs?: Record<string, unknown>) => {
      ctx.state.consentIntent = { outcome, reason, ...(inputs ? { inputs } : {}) };
      return reason;
    };
    let intent: Intent | null;
    try {
      intent = requestedIntent(params, errors);
    } catch (err) {
      verdict('fail', (err as Error).message);
      throw err;
    }
    if (!intent) {
      if (payments && scopes(params).has('payments')) {
        throw new errors.InvalidRequest(verdict('fail', `the payments scope needs a domestic payment consent: name it with the claims parameter (${INTENT_CLAIM})`));
      }
      if (scopes(params).has('accounts')) {
        throw new errors.InvalidRequest(verdict('fail', `the accounts scope needs an account-access consent: name it with the claims parameter (${INTENT_CLAIM}) or authorization_details (type ${INTENT_DETAIL_TYPE})`));
      }
      verdict('skip', 'no account access requested, no consent named');
      return;
    }
    // A consent that is not this client's to authorise is an invalid value of the detail that names it:
    // invalid_authorization_details when named there (RFC 9396 §5), invalid_request in the claims parameter.
    const invalid = (reason: string) => (intent.via === 'authorization_details' ? new errors.InvalidAuthorizationDetails(reason) : new errors.InvalidRequest(reason));
    const payment = payments ? await payments.findConsent(intent.consentId) : null;
    if (payment) {
      const inputs = { consentId: payment.id, via: intent.via, kind: 'domestic-payment', status: payment.status, consentClient: payment.clientId, client: ctx.oidc.client?.clientId };
      if (payment.clientId !== ctx.oidc.client?.clientId) throw invalid(verdict('fail', `${INTENT_CLAIM} ${payment.id} is not a consent of this client`, inputs));
      if (!scopes(params).has('payments') || scopes(params).has('accounts')) throw new errors.InvalidRequest(verdict('fail', `payment consent ${payment.id} is authorised with the payments scope alone (not accounts)`, inputs));
      if (intent.detailType && intent.detailType !== PAYMENT_DETAIL_TYPE) throw new errors.InvalidAuthorizationDetails(verdict('fail', `payment consent ${payment.id} is named with authorization_details of type ${PAYMENT_DETAIL_TYPE}, not ${intent.detailType}`, inputs));
      if (payment.status !== 'AwaitingAuthorisation') throw invalid(verdict('fail', `payment consent ${payment.id} is ${payment.status}, not AwaitingAuthorisation`, inputs));
      verdict('pass', `payment consent ${payment.id} (named by ${intent.via}) awaits authorisation by the customer`, inputs);
      return;
    }
    if (scopes(params).has('payments') && payments) throw new errors.InvalidRequest(verdict('fail', `the payments scope needs a domestic payment consent; ${intent.consentId.slice(0, 128)} is not one`));
    const consent = await consents.find(intent.consentId);
    const inputs = { consentId: intent.consentId, via: intent.via, status: consent?.status ?? null, consentClient: consent?.clientId ?? null, client: ctx.oidc.client?.clientId };
    if (!consent || consent.clientId !== ctx.oidc.client?.clientId) {
      throw invalid(verdict('fail', `${INTENT_CLAIM} ${intent.consentId.slice(0, 128)} is not a consent of this client`, inputs));
    }
    if (intent.detailType && intent.detailType !== INTENT_DETAIL_TYPE) throw new errors.InvalidAuthorizationDetails(verdict('fail', `account-access consent ${consent.id} is named with authorization_details of type ${INTENT_DETAIL_TYPE}, not ${intent.detailType}`, inputs));
    if (consent.status !== 'AwaitingAuthorisation') throw invalid(verdict('fail', `consent ${consent.id} is ${consent.status}, not AwaitingAuthorisation`, inputs));
    if (isExpired(consent)) throw invalid(verdict('fail', `consent ${consent.id} has expired`, inputs));
    verdict('pass', `consent ${consent.id} (named by ${intent.via}) awaits authorisation by the customer`, inputs);
  };
}

/** The one shape of both types this bank knows: {"type": ..., "consentId": "..."}. */
function detailValidator(errors: Errors, type: string, what: string) {
  return {
    validate(_ctx: KoaContextWithOIDC, detail: AuthorizationDetail) {
      const unknown = Object.keys(detail).filter((k) => k !== 'type' && k !== 'consentId');
      if (unknown.length) throw new errors.InvalidAuthorizationDetails(`${type} takes only type and consentId (not ${unknown.join(', ')})`);
      if (typeof detail.consentId !== 'string' || !detail.consentId || detail.consentId.length > 128) {
        throw new errors.InvalidAuthorizationDetails(`${type} needs consentId, the ConsentId of ${what}`);
      }
    },
  };
}

/** RFC 9396 support for the two types this bank knows: account access and domestic payment consents. */
export function richAuthorizationRequests(errors: Errors): RichAuthorizationRequestsActiveConfiguration & Required<Pick<RichAuthorizationRequestsConfigurationBase, 'authorizationDetailsForIntrospection'>> {
  return {
    enabled: true,
    types: {
      [INTENT_DETAIL_TYPE]: detailValidator(errors, INTENT_DETAIL_TYPE, 'an account-access consent'),
      [PAYMENT_DETAIL_TYPE]: detailValidator(errors, PAYMENT_DETAIL_TYPE, 'a domestic payment consent'),
    },
    // What the customer approved is what the grant holds; the code, the tokens and introspection carry it.
    authorizationDetailsForGrantSource: (ctx) => ctx.oidc.grant?.rar,
    authorizationDetailsForAccessToken: (_ctx, _token, source) => source?.rar,
    authorizationDetailsForIntrospection: (_ctx, token) => token.rar,
  };
}

/**
 * extraTokenClaims: an access token of a consent's grant carries openbanking_intent_id. The IdP refuses
 * to issue one (invalid_grant) once the consent is no longer Authorised or has expired, so a refresh
 * after expiry fails at the token endpoint, not only at the API.
 */
export function intentTokenClaims(consents: ConsentStore, errors: Errors, payments?: PaymentStore): NonNullable<Configuration['extraTokenClaims']> {
  return async (_ctx, token) => {
    const grantId = (token as { grantId?: string }).grantId;
    if (!grantId) return undefined;
    const payment = payments ? await payments.findConsentByGrant(grantId) : null;
    if (payment) {
      // A payment consent's tokens are for its one payment: none once it is Consumed (or was never Authorised).
      if (payment.status !== 'Authorised') throw new errors.InvalidGrant(`payment consent ${payment.id} is ${payment.status}`);
      return { [INTENT_CLAIM]: payment.id };
    }
    const consent = await consents.findByGrant(grantId);
    if (!consent) return undefined;
    if (consent.status !== 'Authorised') throw new errors.InvalidGrant(`consent ${consent.id} is ${consent.status}`);
    if (isExpired(consent)) throw new errors.InvalidGrant(`consent ${consent.id} has expired`);
    return { [INTENT_CLAIM]: consent.id };
  };
}
