// The capability vocabulary: what a target (the bundled stack, your gateway, your authorization
// server, or a mix) can do. Scenarios list what they need under `requires:`; a target derives its
// capabilities from its target file, and the runner skips a scenario whose needs are not met.

export interface CapabilityInfo {
  /** One line: what the target can do when it has this capability. */
  description: string;
  /** How an external target gets it: derived from a field of the target file, or claimed under `capabilities:`. */
  from: string;
  /** A target file may claim it under `capabilities:` (it cannot be derived from anything else). */
  claimable: boolean;
}

export const CAPABILITIES = {
  mtls: {
    description: 'The authorization server issues certificate-bound tokens (cnf.x5t#S256) and the gateway enforces them (RFC 8705).',
    from: 'senderConstraint: mtls or both',
    claimable: false,
  },
  dpop: {
    description: 'The authorization server issues DPoP-bound tokens (cnf.jkt) and the gateway verifies DPoP proofs (RFC 9449).',
    from: 'senderConstraint: dpop or both',
    claimable: false,
  },
  'mtls-route': {
    description: 'A route that accepts certificate-bound tokens only (/mtls/... in the catalogue).',
    from: 'resourceServer.routes.mtls',
    claimable: false,
  },
  'dpop-route': {
    description: 'A route that accepts DPoP-bound tokens only (/dpop/... in the catalogue).',
    from: 'resourceServer.routes.dpop',
    claimable: false,
  },
  'dpop-nonce': {
    description: 'A route that demands a server-provided DPoP nonce (RFC 9449 §9).',
    from: 'resourceServer.routes.dpop-nonce',
    claimable: false,
  },
  phantom: {
    description: 'A route that accepts opaque tokens and introspects them (RFC 7662, the phantom-token pattern).',
    from: 'resourceServer.routes.phantom',
    claimable: false,
  },
  'bearer-route': {
    description: 'A deliberately unconstrained baseline route that accepts plain bearer tokens.',
    from: 'resourceServer.routes.bearer',
    claimable: false,
  },
  'strict-tls': {
    description: 'A gateway listener that refuses bad client certificates in the TLS handshake (a TLS alert, no HTTP answer).',
    from: 'resourceServer.strictBaseUrl',
    claimable: false,
  },
  dcr: {
    description: 'The authorization server accepts RFC 7591 dynamic client registration (tls_client_auth, no initial access token).',
    from: 'a registration endpoint (discovery registration_endpoint or authorizationServer.registrationEndpoint)',
    claimable: false,
  },
  mint: {
    description: 'Scenarios can issue client certificates the target trusts at run time (we hold the issuing CA key).',
    from: 'certificateAuthority (cert and key)',
    claimable: false,
  },
  revocation: {
    description: 'The gateway and authorization server refuse revoked client certificates (CRL or OCSP).',
    from: 'claimed under capabilities:',
    claimable: true,
  },
  'self-signed-route': {
    description: 'A route that accepts tokens bound to self-signed client certificates (self_signed_tls_client_auth clients), checking the binding and not the chain (RFC 8705 §2.2, §6.2).',
    from: 'resourceServer.routes.mtls-self-signed',
    claimable: false,
  },
  'token-revocation': {
    description: 'The authorization server revokes tokens at its RFC 7009 revocation endpoint.',
    from: 'a revocation endpoint (discovery revocation_endpoint or its mTLS alias)',
    claimable: false,
  },
  'gateway-checks': {
    description: 'The gateway exposes every check it ran per request, so scenarios can assert on them (the bundled gateway only).',
    from: 'resourceServer: bundled',
    claimable: false,
  },
  payments: {
    description: 'The OBIE Payment Initiation API (domestic payment consents and payments, idempotency keys, detached JWS request signatures checked against the sandbox directory\'s keys): the bundled OB API behind a gateway route.',
    from: 'resourceServer.routes.pisp (the path prefix your gateway serves the bundled OB API\'s /open-banking/v3.1/pisp at); bundled: always',
    claimable: false,
  },
  'consent-journey': {
    description: 'The OBIE account-access consent journey: consent resources on the OB API, PAR naming the consent, and the bank\'s sign-in and consent pages the engine plays as the customer\'s browser (the bundled IdP and OB API).',
    from: 'authorizationServer: bundled and resourceServer: bundled; claim it when your gateway fronts the bundled OB API and forwards the bundled IdP\'s tokens',
    claimable: true,
  },
  'issuer-key': {
    description: 'Scenarios can sign access tokens with the authorization server\'s own key (the bundled IdP): tokens it would refuse to issue (bound to a bad certificate, no exp, another issuer) reach the gateway.',
    from: 'authorizationServer: bundled',
    claimable: false,
  },
  'idp-checks': {
    description: 'The authorization server exposes its client-authentication and binding checks (the bundled IdP only).',
    from: 'authorizationServer: bundled',
    claimable: false,
  },
  par: {
    description: 'The authorization server has pushed authorization request (RFC 9126) and authorization endpoints, and the target names the redirect URI its clients registered (the as-* probes).',
    from: 'authorizationServer: bundled, or discovery pushed_authorization_request_endpoint and authorization_endpoint plus authorizationServer.redirectUri',
    claimable: false,
  },
} as const satisfies Record<string, CapabilityInfo>;

export type Capability = keyof typeof CAPABILITIES;

export const CAPABILITY_IDS = Object.keys(CAPABILITIES) as Capability[];

/** Capabilities a target file may claim under `capabilities:`. */
export const CLAIMABLE_CAPABILITIES = CAPABILITY_IDS.filter((c) => CAPABILITIES[c].claimable);

export function isCapability(value: string): value is Capability {
  return Object.hasOwn(CAPABILITIES, value);
}
