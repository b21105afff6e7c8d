// The FAPI 2.0 Security Profile (final) requirements on authorization servers and resource servers,
// one entry per "shall" item, as data: docs/CONFORMANCE.md and the /conformance page are generated
// from it and from the scenarios' `references`. Ids number the items of each section's list as the
// final specification does ("FAPI2SP 5.3.2.2-3" is the third item of §5.3.2.2; "5.4.1-1.2" the second
// sub-item of §5.4.1 item 1); checked against the spec's text (openid/fapi
// fapi-2_0-security-profile.md) and the OpenID conformance suite's FAPI2-SP-FINAL-* codes. A scenario
// covers a requirement when it cites the id, or exactly one of `also` (an RFC clause that states the
// same requirement). FAPI 2.0 Message Signing's signed authorization requests (§5.3.1) follow, ids
// "FAPI2MS 5.3.1-N" numbered the same way.

export type Party = 'authorization server' | 'resource server';

export interface Requirement {
  id: string;
  party: Party;
  /** The requirement in a few words (not the spec's text). */
  text: string;
  /** References that also count as citing it. */
  also?: readonly string[];
  /** Set when no test from outside the server can observe it: why. */
  unobservable?: string;
}

export const REQUIREMENTS: readonly Requirement[] = [
  // §5.2.1 network layer, all endpoints
  { id: 'FAPI2SP 5.2.1-1', party: 'authorization server', text: 'offers TLS-protected endpoints only (every endpoint its metadata names is https) and connects to other servers over TLS' },
  { id: 'FAPI2SP 5.2.1-2', party: 'resource server', text: 'TLS 1.2 or later only (every server)' },
  { id: 'FAPI2SP 5.2.1-3', party: 'resource server', text: 'follows the BCP 195 recommendations for the secure use of TLS (every server)' },
  { id: 'FAPI2SP 5.2.1-4', party: 'authorization server', text: 'DNSSEC against DNS spoofing (should)', unobservable: 'a DNS property of the deployment, not of the server\'s answers; the sandbox runs on localhost' },
  { id: 'FAPI2SP 5.2.1-5', party: 'authorization server', text: 'checks the TLS server certificate (RFC 6125) of the servers it connects to', unobservable: 'the server\'s own outgoing connections (a client\'s jwks_uri, a sector identifier): the scenarios\' clients register their keys by value, so no answer shows whether the server would fetch from a host with a wrong certificate' },
  // §5.2.2 endpoints not used by web browsers
  { id: 'FAPI2SP 5.2.2-1', party: 'resource server', text: 'with TLS 1.2, permits only the cipher suites BCP 195 recommends (the four ECDHE AES-GCM suites)' },
  // §5.2.3 endpoints used by web browsers
  { id: 'FAPI2SP 5.2.3-1', party: 'authorization server', text: 'prevents TLS stripping on browser endpoints (HSTS, preloaded)', unobservable: 'a preloaded policy (a TLD such as .bank, or the browsers\' preload list) protects a host that sends no Strict-Transport-Security header, so no answer can show a failure; on localhost a header would also force https on every other port of the host (the sandbox UI is http://localhost:3000)' },
  { id: 'FAPI2SP 5.2.3-2', party: 'authorization server', text: 'with TLS 1.2, uses only BCP 195 cipher suites on browser endpoints (the issuer origin, the authorization endpoint)' },
  // §5.3.2.1 authorization server, general
  { id: 'FAPI2SP 5.3.2.1-1', party: 'authorization server', text: 'distributes discovery metadata (RFC 8414 / OpenID Discovery)', also: ['RFC 8414 §2'] },
  { id: 'FAPI2SP 5.3.2.1-2', party: 'authorization server', text: 'rejects the resource owner password credentials grant' },
  { id: 'FAPI2SP 5.3.2.1-3', party: 'authorization server', text: 'supports confidential clients only' },
  { id: 'FAPI2SP 5.3.2.1-4', party: 'authorization server', text: 'issues sender-constrained access tokens only' },
  { id: 'FAPI2SP 5.3.2.1-5', party: 'authorization server', text: 'sender-constrains with mTLS (RFC 8705) or DPoP (RFC 9449)', also: ['RFC 8705 §3', 'RFC 9449 §5'] },
  { id: 'FAPI2SP 5.3.2.1-6', party: 'authorization server', text: 'authenticates clients with mTLS (tls_client_auth, self_signed_tls_client_auth) or private_key_jwt', also: ['RFC 8705 §2', 'RFC 8705 §2.1', 'RFC 8705 §2.1.2', 'RFC 8705 §2.2', 'RFC 7523 §3'] },
  { id: 'FAPI2SP 5.3.2.1-7', party: 'authorization server', text: 'exposes no open redirectors', also: ['RFC 6749 §3.1.2.4'] },
  { id: 'FAPI2SP 5.3.2.1-8', party: 'authorization server', text: 'accepts only its issuer identifier, as a string, as the aud of client assertions' },
  { id: 'FAPI2SP 5.3.2.1-9', party: 'authorization server', text: 'does not rotate refresh tokens (except in extraordinary circumstances)' },
  { id: 'FAPI2SP 5.3.2.1-10', party: 'authorization server', text: 'may demand server-provided DPoP nonces (RFC 9449 §8)', also: ['RFC 9449 §8', 'RFC 9449 §9'] },
  { id: 'FAPI2SP 5.3.2.1-11', party: 'authorization server', text: 'issues authorization codes valid for 60 seconds at most' },
  { id: 'FAPI2SP 5.3.2.1-12', party: 'authorization server', text: 'with DPoP, binds the authorization code to the DPoP key (RFC 9449 §10.1)', also: ['RFC 9449 §10'] },
  { id: 'FAPI2SP 5.3.2.1-13', party: 'authorization server', text: 'accepts JWTs with iat or nbf up to 10 s in the future, refuses them beyond 60 s' },
  // §5.3.2.2 authorization server, authorization endpoint flows
  { id: 'FAPI2SP 5.3.2.2-1', party: 'authorization server', text: 'requires response_type code' },
  { id: 'FAPI2SP 5.3.2.2-2', party: 'authorization server', text: 'supports client-authenticated pushed authorization requests (RFC 9126)', also: ['RFC 9126 §2.1'] },
  { id: 'FAPI2SP 5.3.2.2-3', party: 'authorization server', text: 'rejects authorization requests not sent with PAR (RFC 9126)', also: ['RFC 9126 §5'] },
  { id: 'FAPI2SP 5.3.2.2-4', party: 'authorization server', text: 'rejects pushed authorization requests without client authentication' },
  { id: 'FAPI2SP 5.3.2.2-5', party: 'authorization server', text: 'requires PKCE with S256', also: ['RFC 7636 §4.6'] },
  { id: 'FAPI2SP 5.3.2.2-6', party: 'authorization server', text: 'requires redirect_uri in pushed authorization requests' },
  { id: 'FAPI2SP 5.3.2.2-7', party: 'authorization server', text: 'returns iss in the authorization response (RFC 9207)', also: ['RFC 9207', 'RFC 9207 §2'] },
  { id: 'FAPI2SP 5.3.2.2-8', party: 'authorization server', text: 'allows no http redirect URIs (except loopback for native apps)' },
  { id: 'FAPI2SP 5.3.2.2-9', party: 'authorization server', text: 'rejects a previously used authorization code', also: ['RFC 6749 §4.1.2'] },
  { id: 'FAPI2SP 5.3.2.2-10', party: 'authorization server', text: 'does not redirect with 307 a request that carried user credentials' },
  { id: 'FAPI2SP 5.3.2.2-11', party: 'authorization server', text: 'redirects the user agent with 303 (should)' },
  { id: 'FAPI2SP 5.3.2.2-12', party: 'authorization server', text: 'issues request_uri values with expires_in under 600 seconds', also: ['RFC 9126 §2.2'] },
  { id: 'FAPI2SP 5.3.2.2-13', party: 'authorization server', text: 'tells the End-User what they consent to: the client and the scope (should)' },
  // §5.3.2.3 returning the authenticated user's identifier (one sentence: numbered -1 here)
  { id: 'FAPI2SP 5.3.2.3-1', party: 'authorization server', text: 'returns the user\'s identifier in the token response through OpenID Connect (an ID token), where it returns one', also: ['OIDC Core §3.1.3.3'] },
  // §5.3.4 resource server
  { id: 'FAPI2SP 5.3.4-1', party: 'resource server', text: 'accepts access tokens in the Authorization header (RFC 6750 §2.1, RFC 9449 §7.1)', also: ['RFC 6750 §2.1'] },
  { id: 'FAPI2SP 5.3.4-2', party: 'resource server', text: 'does not accept access tokens in the query', also: ['RFC 6750 §2.3'] },
  { id: 'FAPI2SP 5.3.4-3', party: 'resource server', text: 'verifies validity, integrity, expiry and revocation of access tokens', also: ['RFC 9068 §4', 'RFC 8725 §2.1', 'RFC 7662'] },
  { id: 'FAPI2SP 5.3.4-4', party: 'resource server', text: 'verifies that the token\'s authorization is sufficient for the resource', also: ['RFC 6750 §3.1', 'OBIE Account and Transaction API v3.1 Permissions'] },
  { id: 'FAPI2SP 5.3.4-5', party: 'resource server', text: 'supports and verifies sender-constrained access tokens (mTLS, DPoP; a DPoP-bound token presented as Bearer is refused)', also: ['RFC 8705 §3', 'RFC 9449 §7.1', 'RFC 9449 §7.2', 'RFC 9449 §4.3'] },
  // §5.4.1 cryptography and secrets
  { id: 'FAPI2SP 5.4.1-1.1', party: 'resource server', text: 'adheres to RFC 8725: verifies JWT signatures with the algorithm of the key, refusing the algorithm the token names when it differs', also: ['RFC 8725 §2.1'] },
  { id: 'FAPI2SP 5.4.1-1.2', party: 'authorization server', text: 'signs and accepts PS256, ES256 or EdDSA (Ed25519) only; never none (1.3) or symmetric algorithms', also: ['RFC 8725 §3.1'] },
  { id: 'FAPI2SP 5.4.1-2', party: 'authorization server', text: 'RSA keys of 2048 bits or more' },
  { id: 'FAPI2SP 5.4.1-3', party: 'authorization server', text: 'elliptic curve keys of 224 bits or more', unobservable: 'met by construction: JOSE registers no elliptic curve under 256 bits (P-256, P-384, P-521, secp256k1; Ed25519 and Ed448), so no JWK a server could accept or publish is smaller' },
  { id: 'FAPI2SP 5.4.1-4', party: 'authorization server', text: 'credentials (codes, tokens) carry at least 128 bits of entropy', unobservable: 'entropy cannot be measured from a handful of samples; it is a property of the generator (oidc-provider uses 256-bit random identifiers)' },
  // §5.4.2 JWKS URIs
  { id: 'FAPI2SP 5.4.2-1', party: 'authorization server', text: 'serves its jwks_uri over TLS' },
  // FAPI 2.0 Message Signing §5.3.1 authorization server, signed authorization requests (RFC 9101 at PAR)
  { id: 'FAPI2MS 5.3.1-1', party: 'authorization server', text: 'Message Signing: supports and verifies signed request objects (RFC 9101) at the PAR endpoint', also: ['RFC 9101 §6.2', 'RFC 9101 §10.5'] },
  { id: 'FAPI2MS 5.3.1-2', party: 'authorization server', text: 'Message Signing: requires the request object\'s aud to be, or contain, its issuer identifier' },
  { id: 'FAPI2MS 5.3.1-3', party: 'authorization server', text: 'Message Signing: requires an nbf no more than 60 minutes in the past' },
  { id: 'FAPI2MS 5.3.1-4', party: 'authorization server', text: 'Message Signing: requires an exp no more than 60 minutes after nbf' },
];
