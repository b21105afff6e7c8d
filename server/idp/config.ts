// oidc-provider configuration for a FAPI-style authorization server: mTLS client authentication
// and certificate-bound tokens (RFC 8705), DPoP (RFC 9449), private_key_jwt (RFC 7523), PAR
// (RFC 9126), PKCE, introspection (RFC 7662), dynamic registration (RFC 7591), resource
// indicators (RFC 8707) deciding JWT (RFC 9068) or opaque access tokens per API, and the OBIE
// consent journey: the authorization code flow with the bank's own sign-in and consent pages.
import type { Configuration, KoaContextWithOIDC, ResourceServer, errors as OidcErrors, interactionPolicy as OidcPolicy } from 'oidc-provider';
import type { SandboxConfig } from '../config.ts';
import type { Pki } from '../pki/load.ts';
import type { PrismaClient } from '../db/client.ts';
import type { ConsentStore } from '../consent/store.ts';
import { RESOURCES } from '../resources.ts';
import { seededClients } from './clients.ts';
import { prismaAdapter } from './adapter.ts';
import { getCertificate, certificateAuthorized, certificateSubjectMatches } from './mtls.ts';
import { intentCheck, intentTokenClaims, richAuthorizationRequests } from './intent.ts';
import { DETAIL_TYPES, INTENT_CLAIM } from '../../lib/obie/intent.ts';
import { PaymentStore } from '../payments/store.ts';
import { clientAssertionRules, clientRules, codeTtl, fapiFeature } from './fapi2.ts';
import { html, page } from './interactions/html.ts';

/** Refresh tokens and grants live as long as the consent (refresh checks it), a year at most. */
const CONSENT_MAX_SECONDS = 365 * 86_400;

export interface IdpConfigInput {
  config: SandboxConfig;
  pki: Pki;
  prisma: PrismaClient;
  consents: ConsentStore;
  uiOrigin: string;
  /** oidc-provider's error classes and interaction policy (the module is imported once, lazily, by index.ts). */
  errors: typeof OidcErrors;
  interactionPolicy: typeof OidcPolicy;
}

/**
 * The prompts: oidc-provider's login and consent, and the customer signs in for every consent
 * (strong customer authentication per authorisation, as UK banks do), not once per browser session.
 */
function policy({ base, Check }: typeof OidcPolicy) {
  const prompts = base();
  prompts.get('login')!.checks.add(new Check('sign_in_per_consent', 'the customer signs in for every authorization request', (ctx) =>
    ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT));
  return prompts;
}

export function idpConfiguration({ config, pki, prisma, consents, uiOrigin, errors, interactionPolicy }: IdpConfigInput): Configuration {
  const { InvalidTarget } = errors;
  const payments = new PaymentStore(prisma);
  const ttl = config.idp.accessTokenTtlSeconds;
  const jwt = { sign: { alg: config.idp.accessTokenAlg } } as const;
  const SERVERS: Record<string, ResourceServer> = {
    [RESOURCES.obApi]: { scope: 'accounts payments', audience: RESOURCES.obApi, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt },
    [RESOURCES.obApiOpaque]: { scope: 'accounts', audience: RESOURCES.obApiOpaque, accessTokenFormat: 'opaque', accessTokenTTL: ttl },
    [RESOURCES.payments]: { scope: 'payments', audience: RESOURCES.payments, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt },
  };
  return {
    adapter: prismaAdapter(prisma, errors),
    clients: seededClients(pki, `${uiOrigin}/callback`),
    clientDefaults: {
      id_token_signed_response_alg: 'PS256', authorization_signed_response_alg: 'PS256', grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'private_key_jwt',
      authorization_details_types: [...DETAIL_TYPES],
    },
    clientAuthMethods: ['tls_client_auth', 'self_signed_tls_client_auth', 'private_key_jwt'],
    // FAPI 2.0 SP 5.3.2.2: the authorization code flow only (no hybrid, no implicit).
    responseTypes: ['code'],
    extraClientMetadata: clientRules(errors),
    assertJwtClientAuthClaimsAndHeader: clientAssertionRules(errors),
    clientBasedCORS: () => false,
    jwks: { keys: pki.idpJwks.keys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: pki.secrets.cookieKeys },
    scopes: ['openid', 'offline_access', 'accounts', 'payments'],
    claims: { acr: null, auth_time: null, iss: null, sid: null, openid: ['sub'], [INTENT_CLAIM]: null },
    pkce: { required: () => true },
    // The bank's own error page for authorization requests it cannot send back to the app (e.g. a used request_uri).
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.set('cache-control', 'no-store');
      ctx.body = page('Request refused', html`<h1>The bank refused this request</h1><p><code>${out.error}</code>: ${out.error_description ?? ''}</p><p>Go back to the app and start again.</p>`);
    },
    interactions: { policy: policy(interactionPolicy), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Every journey gets its own grant (one grant per consent): only the grant just consented to is loaded.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    // Refresh tokens for every client allowed the grant (OBIE journeys do not ask for offline_access).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // FAPI 2.0 SP 5.3.2.1-9: no rotation; refresh tokens outlive the browser session (they end with the consent).
    rotateRefreshToken: false,
    expiresWithSession: async () => false,
    extraParams: { claims: intentCheck(consents, errors, payments) },
    extraTokenClaims: intentTokenClaims(consents, errors, payments),
    ttl: { AccessToken: ttl, ClientCredentials: ttl, AuthorizationCode: codeTtl, PushedAuthorizationRequest: 60, RefreshToken: CONSENT_MAX_SECONDS, Grant: CONSENT_MAX_SECONDS, Interaction: 600, Session: 3_600, IdToken: 600 },
    enabledJWA: {
      clientAuthSigningAlgValues: ['PS256', 'ES256'],
      idTokenSigningAlgValues: ['PS256', 'ES256'],
      requestObjectSigningAlgValues: ['PS256', 'ES256'],
      authorizationSigningAlgValues: ['PS256', 'ES256'],
      dPoPSigningAlgValues: ['ES256', 'PS256', 'EdDSA'],
    },
    features: {
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: KoaContextWithOIDC, client, token) => client.clientId === 'fapi-gateway' || client.clientId === token.clientId,
      },
      // RFC 7009 §2.1: a client revokes only the tokens issued to it.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId },
      // RFC 7591 §3: optionally only for holders of an initial access token (FAPI_DCR_INITIAL_ACCESS_TOKEN).
      registration: { enabled: true, ...(config.idp.dcrInitialAccessToken ? { initialAccessToken: config.idp.dcrInitialAccessToken } : {}) },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      // RFC 9101 signed request objects by value (FAPI 2.0 Message Signing §5.3.1): oidc-provider verifies the
      // signature with the client's registered keys, iss, aud = issuer and exp, and under its FAPI 2.0 profile
      // requires nbf and exp - nbf <= 60 min, so an nbf over 60 min old (5.3.1-3) is already expired. Required
      // of the clients registered with require_signed_request_object (clients.ts), not of every client.
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      // JARM (response_mode jwt; FAPI 2.0 Message Signing, signing authorization responses): the response signed by the bank, on request.
      jwtResponseModes: { enabled: true },
      fapi: fapiFeature(),
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      richAuthorizationRequests: richAuthorizationRequests(errors),
      dPoP: {
        enabled: true,
        nonceSecret: Buffer.from(pki.secrets.idpDpopNonceSecret, 'base64url'),
        requireNonce: () => config.idp.dpopNonce,
      },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate,
        certificateAuthorized,
        certificateSubjectMatches,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? RESOURCES.obApi,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          const server = SERVERS[resource];
          if (!server) throw new InvalidTarget(`unknown resource ${resource}`);
          return server;
        },
      },
    },
    // The customer, and (ID token, userinfo) the consent of the grant as openbanking_intent_id.
    findAccount: async (_ctx, sub, token) => {
      const customer = await prisma.customer.findUnique({ where: { id: sub } });
      if (!customer) return undefined;
      const grantId = (token as { grantId?: string } | undefined)?.grantId;
      return {
        accountId: sub,
        claims: async () => {
          const consent = grantId ? (await consents.findByGrant(grantId)) ?? (await payments.findConsentByGrant(grantId)) : null;
          return { sub, name: customer.name, ...(consent ? { [INTENT_CLAIM]: consent.id } : {}) };
        },
      };
    },
  };
}
