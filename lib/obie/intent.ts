// How an authorization request names an OBIE account-access consent: the OIDC claims parameter with
// an essential openbanking_intent_id claim (UK Open Banking), or an RFC 9396 authorization_details
// entry of this type with the ConsentId. Shared by the IdP (which checks it) and the engine (which sends it).

export const INTENT_CLAIM = 'openbanking_intent_id';

export const INTENT_DETAIL_TYPE = 'openbanking_account_access';
