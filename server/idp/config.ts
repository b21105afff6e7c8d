// oidc-provider configuration for a FAPI-style authorization server: mTLS client authentication
// and certificate-bound tokens (RFC 8705), DPoP (RFC 9449), private_key_jwt (RFC 7523), PAR
// (RFC 9126), PKCE, introspection (RFC 7662), dynamic registration (RFC 7591) and resource
// indicators (RFC 8707) deciding JWT (RFC 9068) or opaque access tokens per API.
import type { Configuration, KoaContextWithOIDC, ResourceServer, errors } from 'oidc-provider';
import type { SandboxConfig } from '../config.ts';
import type { Pki } from '../pki/load.ts';
import type { PrismaClient } from '../db/client.ts';
import { RESOURCES } from '../resources.ts';
import { seededClients } from './clients.ts';
import { prismaAdapter } from './adapter.ts';
import { getCertificate, certificateAuthorized, certificateSubjectMatches } from './mtls.ts';

export interface IdpConfigInput {
  config: SandboxConfig;
  pki: Pki;
  prisma: PrismaClient;
  uiOrigin: string;
  /** oidc-provider's error classes (the module is imported once, lazily, by index.ts). */
  InvalidTarget: typeof errors.InvalidTarget;
}

export function idpConfiguration({ config, pki, prisma, uiOrigin, InvalidTarget }: IdpConfigInput): Configuration {
  const ttl = config.idp.accessTokenTtlSeconds;
  const jwt = { sign: { alg: config.idp.accessTokenAlg } } as const;
  const SERVERS: Record<string, ResourceServer> = {
    [RESOURCES.obApi]: { scope: 'accounts payments', audience: RESOURCES.obApi, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt },
    [RESOURCES.obApiOpaque]: { scope: 'accounts', audience: RESOURCES.obApiOpaque, accessTokenFormat: 'opaque', accessTokenTTL: ttl },
    [RESOURCES.payments]: { scope: 'payments', audience: RESOURCES.payments, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt },
  };
  return {
    adapter: prismaAdapter(prisma),
    clients: seededClients(pki, `${uiOrigin}/callback`),
    clientDefaults: { id_token_signed_response_alg: 'PS256', grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'private_key_jwt' },
    clientAuthMethods: ['tls_client_auth', 'self_signed_tls_client_auth', 'private_key_jwt'],
    clientBasedCORS: () => false,
    jwks: { keys: pki.idpJwks.keys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: pki.secrets.cookieKeys },
    scopes: ['openid', 'offline_access', 'accounts', 'payments'],
    pkce: { required: () => true },
    ttl: { AccessToken: ttl, ClientCredentials: ttl, AuthorizationCode: 60, RefreshToken: 86_400, Grant: 86_400, Interaction: 600, Session: 3_600, IdToken: 600 },
    enabledJWA: {
      clientAuthSigningAlgValues: ['PS256', 'ES256'],
      idTokenSigningAlgValues: ['PS256', 'ES256'],
      requestObjectSigningAlgValues: ['PS256', 'ES256'],
      dPoPSigningAlgValues: ['ES256', 'PS256', 'EdDSA'],
    },
    features: {
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: KoaContextWithOIDC, client, token) => client.clientId === 'fapi-gateway' || client.clientId === token.clientId,
      },
      revocation: { enabled: true },
      registration: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      devInteractions: { enabled: true },
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
    findAccount: async (_ctx, sub) => {
      const customer = await prisma.customer.findUnique({ where: { id: sub } });
      return customer ? { accountId: sub, claims: () => ({ sub, name: customer.name }) } : undefined;
    },
  };
}
