// The target file format (target.yaml): what the scenario suite runs against when it is not (only)
// the bundled stack. A zod schema: the single source of validation, TypeScript types and the JSON
// Schema editors use (schemas/target.schema.json). File paths are relative to the target file.
import { z } from 'zod';
import { CAPABILITIES, CAPABILITY_IDS, CLAIMABLE_CAPABILITIES } from './capabilities.ts';
import { CATALOGUE_ROUTES, ROUTE_IDS } from './routes.ts';
import { isLinkLocal } from './link-local.ts';

const name = z.string().regex(/^[a-z][a-z0-9_-]*$/i, 'a name: letters, digits, _ and -, starting with a letter');

const httpsUrl = z.url({ protocol: /^https$/, error: 'an https:// URL' })
  .refine((u) => !URL.canParse(u) || !isLinkLocal(new URL(u).hostname), { error: 'a link-local address (169.254.0.0/16, fe80::/10: cloud metadata services) is not a target endpoint' });

const pem = z.string().min(1).describe('a PEM file (path relative to the target file) or the PEM text itself');

const certificate = z
  .object({
    cert: pem.describe('the certificate, or leaf + intermediates (what the client presents): a PEM file or PEM text'),
    key: pem.describe('its private key (PKCS#8 or traditional PEM)'),
  })
  .strict();

const client = z
  .object({
    clientId: z.string().min(1).describe('the client_id registered at your authorization server'),
    auth: z.enum(['tls_client_auth', 'self_signed_tls_client_auth', 'private_key_jwt']).optional().describe('how the client authenticates at the token endpoint (default: what the scenario says)'),
    certificate: name.optional().describe('the certificate (a name under certificates:) this client authenticates with; used by the target check'),
    key: z.string().optional().describe('private_key_jwt: the client\'s private key, a JWK (JSON) file with alg, or a PKCS#8 PEM file'),
    keyAlg: z.enum(['ES256', 'PS256', 'RS256', 'EdDSA']).optional().describe('the signing alg for a PEM key (JWK files carry their alg)'),
    dpopKey: z.string().optional().describe('a private JWK (JSON) file: DPoP proofs of actors using this client are signed with it (default: a fresh ES256 key per run)'),
  })
  .strict();

const externalAs = z
  .object({
    discovery: httpsUrl.optional().describe('the OpenID / OAuth discovery document (…/.well-known/openid-configuration); fills in every endpoint below'),
    issuer: httpsUrl.optional().describe('the issuer (iss of its tokens); overrides discovery'),
    tokenEndpoint: httpsUrl.optional().describe('the token endpoint (no client certificate asked); overrides discovery'),
    mtlsTokenEndpoint: httpsUrl.optional().describe('the token endpoint alias that requests client certificates (RFC 8705 §5 mtls_endpoint_aliases); default: tokenEndpoint'),
    registrationEndpoint: httpsUrl.optional().describe('RFC 7591 registration endpoint (gives the dcr capability); overrides discovery'),
    jwksUri: httpsUrl.optional().describe('the issuer\'s JWKS (public keys); overrides discovery'),
    parEndpoint: httpsUrl.optional().describe('the pushed authorization request endpoint (RFC 9126; its mTLS alias when there is one); overrides discovery'),
    authorizationEndpoint: httpsUrl.optional().describe('the authorization endpoint; overrides discovery'),
    redirectUri: z.url().optional().describe('the redirect_uri your clients registered (with parEndpoint and authorizationEndpoint gives the par capability)'),
    resources: z.record(name, z.string().min(1)).default({}).describe('RFC 8707 resource indicators by the names scenarios use: ob-api (this API), payments-api (another API), ob-api-opaque (the phantom route\'s opaque tokens); scenarios needing a name missing here are skipped'),
    scopes: z.record(z.string(), z.string().min(1)).default({}).describe('your scope for each scope a scenario asks for (accounts, payments); default: the same name'),
  })
  .strict()
  .refine((as) => as.discovery || (as.issuer && as.tokenEndpoint && as.jwksUri), {
    error: 'give discovery, or issuer + tokenEndpoint + jwksUri',
  });

const routes = z
  .partialRecord(z.enum(ROUTE_IDS), z.string().min(1))
  .describe(
    `where each catalogue route is on your gateway: a path on baseUrl or an absolute https URL. Routes: ${ROUTE_IDS.map((r) => `${r} (${CATALOGUE_ROUTES[r].prefix}: ${CATALOGUE_ROUTES[r].summary})`).join('; ')}. Default: { fapi: ${CATALOGUE_ROUTES.fapi.prefix} }`,
  );

const externalRs = z
  .object({
    baseUrl: httpsUrl.describe('the gateway (resource server) origin the engine calls, e.g. https://localhost:9543'),
    strictBaseUrl: httpsUrl.optional().describe('a listener that refuses bad client certificates in the handshake (gives strict-tls)'),
    routes: routes.optional(),
  })
  .strict();

const port = z.number().int().min(0).max(65535);

const bundled = z
  .object({
    ports: z
      .object({ idp: port, idpMtls: port, gateway: port, gatewayStrict: port, api: port })
      .partial()
      .strict()
      .optional()
      .describe('fixed ports for the bundled stack the CLI starts (your gateway\'s config points at them); the rest are free ports'),
    externalGatewayKey: z.string().min(16).optional().describe('the key your gateway sends in x-sandbox-gateway-key to the bundled Open Banking API (at least 16 characters; ${ENV_VAR} works)'),
    gateway: z
      .object({
        audience: z.string().min(1).optional().describe('the aud your authorization server puts in tokens for this API (default urn:fapi-sandbox:ob-api)'),
      })
      .strict()
      .optional()
      .describe('the bundled gateway in front of your authorization server\'s tokens'),
  })
  .strict()
  .describe('options for the bundled stack the CLI starts when authorizationServer or resourceServer is "bundled"');

export const targetFileSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*$/i, 'letters, digits, and . _ - between them').max(60).describe('shown in run history and reports'),
    description: z.string().optional(),
    authorizationServer: z.union([z.literal('bundled'), externalAs]).describe('"bundled" (the sandbox\'s IdP, started by the CLI) or yours'),
    resourceServer: z.union([z.literal('bundled'), externalRs]).describe('"bundled" (the sandbox\'s gateway) or your gateway'),
    senderConstraint: z.enum(['mtls', 'dpop', 'both']).describe('which sender-constrained tokens the target claims to enforce: mtls (RFC 8705), dpop (RFC 9449) or both'),
    trust: z.union([pem, z.array(pem).min(1)]).optional().describe('CA certificates the engine trusts for your servers (PEM); the sandbox root CA is added when something is bundled'),
    clients: z.record(name, client).default({}).describe('your clients by the names scenarios use (tpp-alpha, mallory-app, tpp-dpop, ...); a scenario whose client is missing is skipped'),
    certificates: z.record(name, certificate).default({}).describe('client certificates by the names scenarios use (tpp-alpha, mallory, alpha-expired, ...); a scenario whose certificate is missing is skipped'),
    certificateAuthority: z
      .object({ cert: pem, key: pem.describe('the CA\'s EC P-256 private key (PKCS#8 PEM)') })
      .strict()
      .optional()
      .describe('the CA that issues client certificates your servers trust: with its key, scenarios mint certificates (gives mint)'),
    capabilities: z.array(z.enum(CLAIMABLE_CAPABILITIES as [string, ...string[]])).default([]).describe(`capabilities you claim that cannot be derived: ${CLAIMABLE_CAPABILITIES.map((c) => `${c} (${CAPABILITIES[c].description})`).join('; ')}`),
    unsupported: z.array(z.enum(CAPABILITY_IDS as [string, ...string[]])).default([]).describe('capabilities to take away even though the file would give them'),
    bundled: bundled.optional(),
  })
  .strict();

export type TargetFile = z.infer<typeof targetFileSchema>;
export type TargetFileInput = z.input<typeof targetFileSchema>;
export type ExternalAs = z.infer<typeof externalAs>;
export type ExternalRs = z.infer<typeof externalRs>;
export type TargetClientSpec = z.infer<typeof client>;
