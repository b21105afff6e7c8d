// The bundled IdP's profiles: `fapi2` (FAPI 2.0 Security Profile, final) for every client but the
// named legacy ones, which keep the insecure baseline (plain bearer tokens) the teaching scenarios
// need. FAPI 2.0 SP 5.3.2.1-4 (sender-constrained tokens), 5.4 (keys), RFC 9449 §5 (error codes).
import type { Configuration, KoaContextWithOIDC, errors as OidcErrors } from 'oidc-provider';
import type Provider from 'oidc-provider';

/** Clients on the `legacy` profile: plain bearer tokens, any client-assertion aud. Never a default. */
export const LEGACY_CLIENTS: ReadonlySet<string> = new Set(['tpp-bearer']);

export type IdpProfile = 'fapi2' | 'legacy';

export const profileOf = (clientId: string | undefined): IdpProfile => (clientId && LEGACY_CLIENTS.has(clientId) ? 'legacy' : 'fapi2');

/** oidc-provider's own FAPI 2.0 profile (PKCE, redirect_uri, aud = issuer) for fapi2 clients. */
export function fapiFeature(): NonNullable<NonNullable<Configuration['features']>['fapi']> {
  return { enabled: true, profile: (_ctx, client) => (profileOf(client?.clientId) === 'legacy' ? undefined : '2.0') } as NonNullable<NonNullable<Configuration['features']>['fapi']>;
}

/** Authorization code lifetime: 60 s (FAPI 2.0 SP 5.3.2.2-11), shorter for named test clients. */
const CODE_TTL: Readonly<Record<string, number>> = { 'tpp-alpha-short-code': 2 };

export function codeTtl(_ctx: unknown, _code: unknown, client: { clientId: string }): number {
  return CODE_TTL[client.clientId] ?? 60;
}

const MIN_RSA_BITS = 2048;

/** Bits of a base64url big-endian unsigned integer (an RSA modulus; leading zero bytes do not count). */
function bitLength(b64: string): number {
  const bytes = Buffer.from(b64, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** RFC 8252 §7.3 / §8.3: a loopback interface (an IP literal, or localhost as the sandbox's own UI uses). */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Client metadata rules of the fapi2 profile, for registered and seeded clients alike: access tokens
 * bound by certificate or DPoP, RSA keys of 2048 bits or more, https redirect URIs (5.3.2.2-8; loopback
 * http allowed, as the seeded clients return to the sandbox's own UI on localhost). (response_type code only is the
 * provider's `responseTypes`.) oidc-provider calls the validator once per listed property.
 */
export function clientRules(errors: typeof OidcErrors): NonNullable<Configuration['extraClientMetadata']> {
  return {
    properties: ['software_statement'],
    validator(_ctx, key, value, metadata) {
      if (key !== 'software_statement') return;
      if (value !== undefined) throw new errors.InvalidClientMetadata('software_statement is not accepted: the sandbox has no directory to verify it against');
      if (profileOf(metadata.client_id) === 'legacy') return;
      if (metadata.tls_client_certificate_bound_access_tokens !== true && metadata.dpop_bound_access_tokens !== true) {
        throw new errors.InvalidClientMetadata('FAPI 2.0 requires sender-constrained access tokens: register tls_client_certificate_bound_access_tokens or dpop_bound_access_tokens');
      }
      for (const uri of (metadata.redirect_uris as string[] | undefined) ?? []) {
        const url = URL.parse(uri);
        if (url?.protocol === 'http:' && !isLoopback(url.hostname)) {
          // RFC 7591 §3.2.2 invalid_redirect_uri; oidc-provider's class fixes a description meant for authorization requests.
          throw Object.assign(new errors.InvalidRedirectUri(), { error_description: `${uri} is not https: FAPI 2.0 allows http redirect URIs on a loopback interface only` });
        }
      }
      for (const k of (metadata.jwks as { keys?: { kty?: string; n?: string; kid?: string }[] } | undefined)?.keys ?? []) {
        const bits = k.kty === 'RSA' && typeof k.n === 'string' ? bitLength(k.n) : null;
        if (bits !== null && bits < MIN_RSA_BITS) throw new errors.InvalidClientMetadata(`an RSA key${k.kid ? ` (${k.kid})` : ''} has ${bits} bits: FAPI 2.0 requires at least ${MIN_RSA_BITS}`);
      }
    },
  };
}

/** How far in the future a client assertion's iat or nbf may be (FAPI 2.0 SP 5.3.2.1-12: 10 s accepted, over 60 s refused). */
const MAX_FUTURE_SECONDS = 60;

/**
 * Client assertions of fapi2 clients (replaces oidc-provider's default, which only checks aud under
 * its FAPI 2.0 profile): aud is the issuer, as a string (5.3.2.1-8); iat and nbf at most 60 s ahead
 * (oidc-provider checks iat only when the assertion has no exp).
 */
export function clientAssertionRules(errors: typeof OidcErrors): NonNullable<Configuration['assertJwtClientAuthClaimsAndHeader']> {
  return async (ctx, claims, _header, client) => {
    if (profileOf(client.clientId) === 'legacy') return;
    if (claims.aud !== ctx.oidc.issuer) throw new errors.InvalidClientAuth('audience (aud) must equal the issuer identifier url');
    const now = Math.floor(Date.now() / 1000);
    for (const name of ['iat', 'nbf'] as const) {
      const value = claims[name];
      if (typeof value === 'number' && value > now + MAX_FUTURE_SECONDS) throw new errors.InvalidClientAuth(`${name} is ${value - now} s in the future (at most ${MAX_FUTURE_SECONDS} s accepted)`);
    }
  };
}

const REPLAY = 'DPoP proof JWT Replay detected';

/**
 * oidc-provider answers a replayed DPoP proof at the token endpoint with invalid_grant; RFC 9449 §5
 * says invalid_dpop_proof. Install after the decision recorder so the record sees the answer sent.
 */
export function dpopReplayError(provider: Provider): void {
  (provider as unknown as NodeJS.EventEmitter).on('grant.error', (ctx: KoaContextWithOIDC, err: { error_detail?: string }) => {
    if (err.error_detail === REPLAY) ctx.state.dpopReplay = true;
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.state.dpopReplay && body?.error === 'invalid_grant') {
      ctx.body = { error: 'invalid_dpop_proof', error_description: 'the DPoP proof was already used (jti replayed)' };
    }
  });
}
