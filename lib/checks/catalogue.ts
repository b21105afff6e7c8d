// The check catalogue: every check the gateway and the identity provider record, with its spec
// reference and how a gateway engineer fixes a failure. Ids are stable: scenarios assert on them.
// Severity is not here: it belongs to the place a check is used (a route's pipeline, a scenario).

export type CheckSource = 'gateway' | 'idp';

export interface CheckInfo {
  title: string;
  source: CheckSource;
  /** Short reference shown beside the check, e.g. "RFC 8705 §3". */
  spec: string;
  /** Link to the section. */
  specUrl: string;
  /** One or two sentences: what a gateway (or AS) must do for this check to hold. */
  fix: string;
}

const RFC8705 = 'https://www.rfc-editor.org/rfc/rfc8705';
const RFC9449 = 'https://www.rfc-editor.org/rfc/rfc9449';
const RFC6750 = 'https://www.rfc-editor.org/rfc/rfc6750';
const RFC9068 = 'https://www.rfc-editor.org/rfc/rfc9068';
const FAPI2 = 'https://openid.net/specs/fapi-security-profile-2_0-final.html';
const OBIE = 'https://openbankinguk.github.io/read-write-api-site3/v3.1.11/profiles/read-write-data-api-profile.html';

export const CHECKS = {
  'api.interaction-id': {
    title: 'x-fapi-interaction-id is a UUID, echoed or generated',
    source: 'gateway',
    spec: 'FAPI 1.0 Part 1 §6.2.1 / OBIE',
    specUrl: `${OBIE}#request-headers`,
    fix: 'Echo a client-supplied x-fapi-interaction-id when it is a UUID; otherwise generate one. Never reflect arbitrary header text.',
  },
  'tls.protocol': {
    title: 'TLS 1.2 or later with a FAPI cipher suite',
    source: 'gateway',
    spec: 'FAPI 2.0 SP §5.2.1',
    specUrl: `${FAPI2}#section-5.2.1`,
    fix: 'Set minVersion TLSv1.2 and, for TLS 1.2, allow only the ECDHE AES-GCM suites of BCP 195.',
  },
  'tls.client-cert-presented': {
    title: 'A client certificate was presented in the handshake',
    source: 'gateway',
    spec: 'RFC 8705 §3',
    specUrl: `${RFC8705}#section-3`,
    fix: 'Request a client certificate on the TLS listener (requestCert) and refuse certificate-bound tokens on connections without one.',
  },
  'tls.client-cert-chain': {
    title: 'The client certificate chains to a trusted CA',
    source: 'gateway',
    spec: 'RFC 8705 §6.2',
    specUrl: `${RFC8705}#section-6.2`,
    fix: 'Verify the presented chain (RFC 5280 §6) against the CA bundle you trust for clients; self-signed and foreign-CA certificates do not chain. RFC 8705 §6.2 leaves chain validation at the resource server to the deployment: a route for self_signed_tls_client_auth clients may check only the binding (§3). Refuse certificates with unrecognised critical extensions or key usages that exclude TLS client authentication (RFC 5280 §4.2).',
  },
  'tls.client-cert-validity': {
    title: 'The client certificate is within its validity period',
    source: 'gateway',
    spec: 'RFC 5280 §4.1.2.5',
    specUrl: 'https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5',
    fix: 'Refuse certificates past notAfter or before notBefore (RFC 8705 §3 leaves this to the deployment; FAPI deployments enforce it).',
  },
  'tls.client-cert-revocation': {
    title: 'The client certificate is not revoked',
    source: 'gateway',
    spec: 'RFC 5280 §5',
    specUrl: 'https://www.rfc-editor.org/rfc/rfc5280#section-5',
    fix: 'Load the issuing CA\'s CRL (or check OCSP) and refuse certificates it lists, intermediates included; treat a CRL past its nextUpdate as unknown status and decide what unknown means (Kong\'s STRICT refuses it); re-check on resumed TLS sessions too.',
  },
  'token.present': {
    title: 'An access token in the Authorization header',
    source: 'gateway',
    spec: 'RFC 6750 §2.1',
    specUrl: `${RFC6750}#section-2.1`,
    fix: 'Read the token only from the Authorization header (Bearer or DPoP scheme); refuse tokens in the query string or body.',
  },
  'token.signature': {
    title: 'The token signature verifies with an allowed algorithm',
    source: 'gateway',
    spec: 'RFC 9068 §4 / FAPI 2.0 SP §5.4',
    specUrl: `${RFC9068}#section-4`,
    fix: 'Verify against the issuer\'s JWKS with an explicit algorithm allowlist (PS256, ES256); never accept alg none or HMAC with a public key.',
  },
  'token.introspection': {
    title: 'The opaque token is active at the authorization server',
    source: 'gateway',
    spec: 'RFC 7662 §2.2',
    specUrl: 'https://www.rfc-editor.org/rfc/rfc7662#section-2.2',
    fix: 'Introspect opaque tokens over an authenticated channel and treat anything but active=true as invalid; cache only until exp (phantom-token pattern).',
  },
  'token.claims': {
    title: 'Issuer, audience, lifetime and scope are right for this route',
    source: 'gateway',
    spec: 'RFC 9068 §4',
    specUrl: `${RFC9068}#section-4`,
    fix: 'Check iss, aud (this API), exp and nbf with a small clock tolerance, and the scope the route requires (403 insufficient_scope).',
  },
  'token.sender-constrained': {
    title: 'The token is sender-constrained (carries cnf)',
    source: 'gateway',
    spec: 'FAPI 2.0 SP §5.3.2.1',
    specUrl: `${FAPI2}#section-5.3.2.1`,
    fix: 'On FAPI routes refuse plain bearer tokens: require cnf with x5t#S256 (mTLS) or jkt (DPoP), presented with the matching scheme (Bearer for certificate-bound, DPoP for DPoP-bound).',
  },
  'mtls.cnf-thumbprint-match': {
    title: 'cnf.x5t#S256 equals the presented certificate\'s SHA-256 thumbprint',
    source: 'gateway',
    spec: 'RFC 8705 §3',
    specUrl: `${RFC8705}#section-3`,
    fix: 'Hash the DER of the certificate from the TLS layer (never from a header the client can send), base64url it, compare with cnf.x5t#S256.',
  },
  'dpop.scheme': {
    title: 'A DPoP-bound token uses the DPoP authorization scheme',
    source: 'gateway',
    spec: 'RFC 9449 §7.2',
    specUrl: `${RFC9449}#section-7.2`,
    fix: 'Refuse a token whose cnf.jkt is set when it arrives with the Bearer scheme: that is a downgrade attempt.',
  },
  'dpop.single-header': {
    title: 'Exactly one DPoP header',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (1)',
    specUrl: `${RFC9449}#section-4.3`,
    fix: 'Count the DPoP header fields before parsing; refuse zero or more than one.',
  },
  'dpop.well-formed': {
    title: 'The DPoP proof is a well-formed JWS',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (2)',
    specUrl: `${RFC9449}#section-4.3`,
    fix: 'Parse the proof as a compact JWS with a JSON header and payload; refuse anything else before doing any crypto.',
  },
  'dpop.typ': {
    title: 'The proof header typ is dpop+jwt',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (4)',
    specUrl: `${RFC9449}#section-4.3`,
    fix: 'Require typ "dpop+jwt" exactly so that other JWTs (an ID token, an access token) cannot be used as proofs.',
  },
  'dpop.alg': {
    title: 'The proof uses an allowed asymmetric algorithm',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (5)',
    specUrl: `${RFC9449}#section-4.3`,
    fix: 'Allow only asymmetric algorithms you support (ES256, PS256, EdDSA); refuse none and any HS* algorithm.',
  },
  'dpop.jwk-public': {
    title: 'The proof header jwk is a public key',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (7)',
    specUrl: `${RFC9449}#section-4.3`,
    fix: 'Refuse a jwk header that carries private key members (d, p, q, dp, dq, qi, k).',
  },
  'dpop.signature': {
    title: 'The proof signature verifies with the header jwk',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (6)',
    specUrl: `${RFC9449}#section-4.3`,
    fix: 'Verify the JWS with the key in its own jwk header, using the alg from the header after the allowlist check.',
  },
  'dpop.claims-present': {
    title: 'The proof carries jti, htm, htu and iat (and ath with a token)',
    source: 'gateway',
    spec: 'RFC 9449 §4.2',
    specUrl: `${RFC9449}#section-4.2`,
    fix: 'Require jti, htm, htu and iat; at a resource server also ath.',
  },
  'dpop.htm': {
    title: 'htm equals the request method',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (8)',
    specUrl: `${RFC9449}#section-4.3`,
    fix: 'Compare htm with the HTTP method of this request, case-sensitively.',
  },
  'dpop.htu': {
    title: 'htu equals the request URL (no query, no fragment)',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (9)',
    specUrl: `${RFC9449}#section-4.3`,
    fix: 'Rebuild the URL the client used (your public origin, not an internal one), drop query and fragment, normalise scheme/host case and default port, compare.',
  },
  'dpop.iat-window': {
    title: 'iat is within the acceptance window',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (11) / §11.1',
    specUrl: `${RFC9449}#section-11.1`,
    fix: 'Accept proofs whose iat is within a small window of now (e.g. ±60 s); use a server nonce if client clocks cannot be trusted.',
  },
  'dpop.jti-unique': {
    title: 'The proof jti was not seen before',
    source: 'gateway',
    spec: 'RFC 9449 §11.1',
    specUrl: `${RFC9449}#section-11.1`,
    fix: 'Remember accepted jti values (per key) for the acceptance window in storage that survives a restart and is shared by every instance.',
  },
  'dpop.nonce': {
    title: 'The proof carries the server-provided nonce',
    source: 'gateway',
    spec: 'RFC 9449 §9',
    specUrl: `${RFC9449}#section-9`,
    fix: 'When you demand nonces, answer a missing or stale one with 401 use_dpop_nonce and a fresh DPoP-Nonce header.',
  },
  'dpop.ath': {
    title: 'ath is the hash of the presented access token',
    source: 'gateway',
    spec: 'RFC 9449 §4.3 (12) / §7.1',
    specUrl: `${RFC9449}#section-7.1`,
    fix: 'Compute base64url(SHA-256(access token)) and compare with ath, so a proof cannot be reused with another token.',
  },
  'dpop.cnf-jkt-match': {
    title: 'The proof key\'s JWK thumbprint equals cnf.jkt',
    source: 'gateway',
    spec: 'RFC 9449 §6.1 / §7.1',
    specUrl: `${RFC9449}#section-6.1`,
    fix: 'Compute the RFC 7638 SHA-256 thumbprint of the proof\'s jwk and compare with the token\'s cnf.jkt.',
  },
  'idp.client-cert': {
    title: 'The token endpoint saw a client certificate',
    source: 'idp',
    spec: 'RFC 8705 §2',
    specUrl: `${RFC8705}#section-2`,
    fix: 'Serve the token endpoint on a listener that requests client certificates (the mtls_endpoint_aliases).',
  },
  'idp.client-auth': {
    title: 'The client authenticated with its registered method',
    source: 'idp',
    spec: 'RFC 8705 §2.1 / §2.2, RFC 7523',
    specUrl: `${RFC8705}#section-2`,
    fix: 'tls_client_auth: trusted chain and the registered subject; self_signed_tls_client_auth: the certificate is in the client\'s JWKS; private_key_jwt: a fresh, signed assertion for this endpoint.',
  },
  'idp.dpop-proof': {
    title: 'The DPoP proof at the token endpoint is valid',
    source: 'idp',
    spec: 'RFC 9449 §5',
    specUrl: `${RFC9449}#section-5`,
    fix: 'Validate the proof at the token endpoint as a resource server would, and bind the token to its key.',
  },
  'idp.consent-intent': {
    title: 'The request names a consent of this client that awaits authorisation',
    source: 'idp',
    spec: 'OBIE Account and Transaction API v3.1 / RFC 9396',
    specUrl: 'https://openbankinguk.github.io/read-write-api-site3/v3.1.11/resources-and-data-models/aisp/account-access-consents.html',
    fix: 'Create the account-access consent first (client credentials), then name its ConsentId in the openbanking_intent_id claim or in authorization_details; a consent is authorised once, by its own client.',
  },
  'idp.request-object': {
    title: 'A pushed request object is signed by the client\'s registered key, for this server, fresh',
    source: 'idp',
    spec: 'RFC 9101 §6.2 / FAPI 2.0 Message Signing 5.3.1',
    specUrl: 'https://www.rfc-editor.org/rfc/rfc9101#section-6.2',
    fix: 'Verify the request object\'s signature with a key the client registered (never alg none, never another party\'s key under the client\'s kid), require aud to be the issuer, exp at most 60 minutes after nbf; refuse plain parameters from a client registered with require_signed_request_object.',
  },
  'idp.grant': {
    title: 'The code or refresh token is valid for this client',
    source: 'idp',
    spec: 'RFC 6749 §4.1.3 / RFC 7636 §4.6',
    specUrl: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3',
    fix: 'Redeem a code once, within its lifetime, with the redirect_uri and the PKCE code_verifier of the request that obtained it; send a refresh token only as the client it was issued to.',
  },
  'idp.token-binding': {
    title: 'The issued token is bound to the client\'s key or certificate',
    source: 'idp',
    spec: 'RFC 8705 §3.1 / RFC 9449 §6',
    specUrl: `${RFC8705}#section-3.1`,
    fix: 'Put cnf.x5t#S256 (mTLS) or cnf.jkt (DPoP) in the token, never both.',
  },
} as const satisfies Record<string, CheckInfo>;

export type CheckId = keyof typeof CHECKS;

export const CHECK_IDS = Object.keys(CHECKS) as CheckId[];

export function isCheckId(value: string): value is CheckId {
  return Object.hasOwn(CHECKS, value);
}

export type CheckOutcome = 'pass' | 'fail' | 'skip';

/** One check's verdict on one request, as recorded by the gateway or the IdP. */
export interface CheckResult {
  id: CheckId;
  outcome: CheckOutcome;
  /** One line: why it passed, failed or was skipped. */
  reason: string;
  /** What the check compared (e.g. the computed thumbprint and cnf["x5t#S256"]). */
  inputs?: Record<string, unknown>;
}
