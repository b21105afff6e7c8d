// How an authorization request names an OBIE consent: the OIDC claims parameter with an essential
// openbanking_intent_id claim (UK Open Banking), or an RFC 9396 authorization_details entry with the
// ConsentId, of the account-access type or the domestic-payment type. Shared by the IdP (which checks
// it) and the engine (which sends it).

export const INTENT_CLAIM = 'openbanking_intent_id';

export const INTENT_DETAIL_TYPE = 'openbanking_account_access';

/** RFC 9396 type for a domestic payment consent: {"type": "openbanking_domestic_payment", "consentId": "pdc-..."}. */
export const PAYMENT_DETAIL_TYPE = 'openbanking_domestic_payment';

export const DETAIL_TYPES = [INTENT_DETAIL_TYPE, PAYMENT_DETAIL_TYPE] as const;
