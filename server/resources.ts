// The protected resources (RFC 8707 resource indicators): what the IdP issues tokens for and what
// the gateway's routes accept as audience.
export const RESOURCES = {
  /** The Open Banking API: JWT access tokens, scopes accounts and payments. */
  obApi: 'urn:fapi-sandbox:ob-api',
  /** The same API behind the phantom-token route: opaque tokens, introspected. */
  obApiOpaque: 'urn:fapi-sandbox:ob-api-opaque',
  /** Another API, for the "token for another audience" scenario. */
  payments: 'urn:fapi-sandbox:payments-api',
} as const;
