// The scenario file format (scenarios/*.yaml), as a zod schema: the single source of truth for
// validation, TypeScript types and the JSON Schema editors use (schemas/scenario.schema.json).
import { z } from 'zod';
import { CHECK_IDS } from '../checks/catalogue.ts';
import { CAPABILITY_IDS } from '../target/capabilities.ts';

const name = z.string().regex(/^[a-z][a-z0-9_-]*$/i, 'a name: letters, digits, _ and -, starting with a letter');

/** A JavaScript regular expression, compiled when the file loads (a bad one names the file and field then, not mid-run). */
const regex = z.string().refine((p) => {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}, 'a regular expression (JavaScript syntax)');
const checkId = z.enum(CHECK_IDS as [string, ...string[]]).describe('a check id from lib/checks/catalogue.ts');

/** A DPoP proof and what to break in it (RFC 9449 §4.2 claims, §4.3 checks). */
const dpopSpec = z
  .object({
    key: name.optional().describe('the DPoP key to sign with (default: the actor\'s dpopKey)'),
    proof: name.optional().describe('send a proof saved earlier with saveProof, byte for byte (a replay)'),
    saveProof: name.optional().describe('keep this proof in a variable for a later replay'),
    htm: z.string().optional().describe('override htm (default: the request method)'),
    htu: z.string().optional().describe('override htu (default: the request URL without query)'),
    iatOffset: z.number().int().optional().describe('seconds added to iat (e.g. -300 for a stale proof)'),
    jti: z.string().optional().describe('a fixed jti (default: random)'),
    ath: z.enum(['auto', 'omit', 'wrong']).default('auto').describe('ath for the access token: auto, omit, or a wrong hash'),
    nonce: z.string().optional().describe('a literal nonce, or "fromLastResponse" for the DPoP-Nonce the server sent last'),
    typ: z.string().optional().describe('override the typ header (must be dpop+jwt)'),
    alg: z.enum(['ES256', 'PS256', 'EdDSA', 'none', 'HS256']).optional().describe('sign with another algorithm; none and HS256 forge'),
    embedPrivateKey: z.boolean().default(false).describe('put the private key in the jwk header (must be refused)'),
    omitClaims: z.array(z.enum(['jti', 'htm', 'htu', 'iat', 'ath'])).default([]).describe('claims to leave out'),
    jwkOf: name.optional().describe('put this key\'s public jwk in the header while signing with the step\'s key: a forged signature (the victim\'s key shown, the attacker\'s signature)'),
    omitHeader: z.array(z.enum(['typ', 'alg', 'jwk'])).optional().describe('JOSE header parameters to leave out (the proof is still signed with the key)'),
    symmetricJwk: z.boolean().optional().describe('put a symmetric (kty oct) key in the jwk header instead of the public key (must be refused, RFC 9449 §4.3 (7))'),
    extraClaims: z.record(z.string(), z.unknown()).optional().describe('claims added to the proof (RFC 9449 §4.2 lets a proof carry others; they must be ignored)'),
    htuForm: z.enum(['upper-case-origin', 'explicit-default-port', 'percent-encoded']).optional().describe('spell htu differently but equivalently (RFC 3986 §6.2.2-3): upper-case scheme and host, an explicit default port (when the URL has none), or percent-encoded unreserved characters in the path'),
  })
  .strict();

/** An OBIE detached JWS of the call's body (x-jws-signature, Message Signing v3.1.4+) and what to break in it. */
const jwsSpec = z
  .object({
    key: z.string().describe('the sandbox directory signing certificate to sign with, e.g. tpp-alpha-signing'),
    kidOf: z.string().optional().describe('put the kid and iss of another signing certificate in the header (a key passed off as someone else\'s)'),
    iatOffset: z.number().int().optional().describe('seconds added to http://openbanking.org.uk/iat (e.g. -3600 for a stale signature)'),
    omitCrit: z.boolean().default(false).describe('leave the crit header parameter out'),
    signedBody: z.unknown().optional().describe('sign this JSON instead of the body sent (the body changed after signing)'),
  })
  .strict();

/** An RFC 9101 request object carrying the pushed request's parameters (FAPI 2.0 Message Signing §5.3.2) and what to break in it. */
/** What the client offers in its TLS handshake (a call, or a request to the authorization server). */
const tlsOffer = z
  .object({
    maxVersion: z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']).optional().describe('the highest version offered; TLSv1 / TLSv1.1 also allow the old suites (a gateway must refuse the handshake, FAPI 2.0 SP 5.2.1)'),
    ciphers: z.string().optional().describe('OpenSSL cipher list offered for TLS 1.2, e.g. ECDHE-ECDSA-AES128-SHA256'),
  })
  .strict()
  .optional()
  .describe('what the client offers in the TLS handshake');

const requestObjectSpec = z
  .object({
    sign: z.enum(['client', 'mallory', 'none']).default('client').describe('client: the client\'s registered request-object key; mallory: a key the authorization server never had (fresh per run); none: alg none, unsigned'),
    kid: z.enum(['own', 'client']).default('own').describe('the kid header: the signing key\'s own, or the client\'s (Mallory\'s key passed off as the client\'s)'),
    audience: z.string().optional().describe('override aud (default: the issuer; templates allowed)'),
    nbfOffset: z.number().int().optional().describe('seconds added to nbf (default 0, now; e.g. -3900 for an nbf 65 minutes old)'),
    lifetime: z.number().int().optional().describe('exp - nbf in seconds (default 300; FAPI 2.0 allows 3600 at most)'),
  })
  .strict();

/** A forged or tampered access token built from a real one. */
const forgery = z
  .object({
    forge: z.enum(['alg-none', 'hs256-public-key', 'tamper-claims', 'resign-attacker-key', 'issuer-key']).describe(
      'alg-none: unsigned; hs256-public-key: HMAC with the IdP public key as secret; tamper-claims: change claims, keep the signature; resign-attacker-key: a key the IdP never had; issuer-key: signed with the issuer\'s own key, a token the authorization server would refuse to issue (needs the issuer-key capability)',
    ),
    from: name.describe('variable holding the genuine token'),
    set: z.record(z.string(), z.unknown()).default({}).describe('claims to set (dot paths allowed, e.g. "cnf.x5t#S256")'),
    unset: z.array(z.string()).optional().describe('claims to remove (dot paths allowed, e.g. exp)'),
  })
  .strict();

const statusExpectation = z.union([z.number().int().min(100).max(599), z.array(z.number().int()).min(1), z.enum(['2xx', '4xx', '5xx'])]);

const expectation = z
  .object({
    status: statusExpectation.optional().describe('HTTP status (a number, a list, or 2xx / 4xx)'),
    error: z.string().optional().describe('OAuth error code in the body or WWW-Authenticate (invalid_token, invalid_client, ...)'),
    errorDescriptionContains: z.string().optional(),
    wwwAuthenticate: z
      .object({ scheme: z.enum(['Bearer', 'DPoP']).optional(), error: z.string().optional(), contains: z.string().optional() })
      .strict()
      .optional()
      .describe('the WWW-Authenticate challenge'),
    checks: z.partialRecord(checkId, z.enum(['pass', 'fail', 'skip'])).optional().describe('outcomes of named server-side checks'),
    handshake: z.enum(['ok', 'refused']).optional().describe('whether the TLS handshake (and request) got through'),
    alert: z.union([z.string(), z.array(z.string()).min(1)]).optional().describe('the TLS alert the server refused with (RFC 8446 §6.2 names: protocol_version, certificate_required, unknown_ca, certificate_expired, ...); a list: any of them'),
    headersMatch: z.record(z.string(), regex).optional().describe('response headers matching a regular expression (e.g. a UUID)'),
    tokenType: z.enum(['Bearer', 'DPoP']).optional().describe('token_type of a token response'),
    claims: z.record(z.string(), z.unknown()).optional().describe('claims of the issued access token (dot paths; values may use {{templates}})'),
    headers: z.record(z.string(), z.union([z.string(), z.literal(true), z.literal(false)])).optional().describe('response headers: a value, true (present) or false (absent)'),
    body: z.record(z.string(), z.unknown()).optional().describe('values in the JSON response body (dot paths)'),
    bodyRange: z
      .record(z.string(), z.object({ min: z.number().optional(), max: z.number().optional() }).strict())
      .optional()
      .describe('numbers in the JSON response body (dot paths) within min and max, both inclusive (e.g. expires_in)'),
    bodyMatch: z.record(z.string(), regex).optional().describe('strings in the JSON response body (dot paths) matching a regular expression (e.g. every endpoint https://)'),
    callback: z
      .object({
        code: z.boolean().optional().describe('the app received an authorization code (true) or none (false)'),
        error: z.string().optional().describe('the error the app received, e.g. access_denied'),
        errorDescriptionContains: z.string().optional(),
        iss: z.string().optional().describe('the iss the response must carry (RFC 9207; templates allowed; default: the target\'s issuer, always checked)'),
      })
      .strict()
      .optional()
      .describe('authorize steps: the authorization response at the app\'s redirect_uri (RFC 6749 §4.1.2)'),
  })
  .strict();

const base = {
  name: z.string().min(1).describe('what this step does, in the story\'s words'),
  expect: expectation.optional().describe('default: status 200'),
  onlyWith: z
    .array(z.enum(CAPABILITY_IDS as [string, ...string[]]))
    .min(1)
    .optional()
    .describe('run this step only on targets with these capabilities (and what the step implies); elsewhere it is skipped and the scenario goes on'),
};

const tokenStep = z
  .object({
    ...base,
    token: z
      .object({
        actor: name,
        client: z.string().optional().describe('client_id (default: the actor\'s client; may be a {{variable}})'),
        auth: z.enum(['tls_client_auth', 'self_signed_tls_client_auth', 'private_key_jwt']).optional().describe('default: tls_client_auth when the actor has a certificate, else private_key_jwt'),
        endpoint: z.enum(['mtls', 'plain']).default('mtls').describe('mtls: the mTLS alias (client certificate presented); plain: the issuer\'s token endpoint'),
        grant: z.enum(['client_credentials', 'authorization_code', 'refresh_token']).default('client_credentials').describe('the grant_type'),
        authorization: name.optional().describe('authorization_code: the save name of the authorize step whose code, PKCE verifier and redirect_uri to send'),
        code: z.string().optional().describe('authorization_code: send this code instead (templates allowed)'),
        codeVerifier: z.string().optional().describe('authorization_code: send this PKCE code_verifier instead (one that does not match the challenge must fail)'),
        refreshToken: name.optional().describe('refresh_token: the save name of the token step whose refresh token to send'),
        scope: z.string().optional().describe('client_credentials: default accounts; refresh_token: narrows the scope; authorization_code: not sent'),
        resource: z.string().optional().describe('RFC 8707 resource indicator'),
        dpop: z.union([z.boolean(), dpopSpec]).default(false).describe('bind the token with a DPoP proof'),
        assertion: z
          .object({
            expiresIn: z.number().int().optional().describe('seconds until exp (negative: already expired)'),
            audience: z.union([z.string(), z.array(z.string()).min(1)]).optional().describe('override aud (a list sends an array; templates allowed, e.g. "{{urls.token}}")'),
            reuse: name.optional().describe('send the client assertion saved in this variable again'),
            save: name.optional(),
          })
          .strict()
          .optional()
          .describe('private_key_jwt client assertion details'),
        save: name.default('token').describe('variable that receives the access token (the refresh token, if any, goes to <save>_refresh)'),
      })
      .strict(),
  })
  .strict();

const authorizeStep = z
  .object({
    ...base,
    authorize: z
      .object({
        actor: name.describe('the app (TPP): its client and credentials push the request'),
        client: z.string().optional().describe('client_id (default: the actor\'s client; may be a {{variable}})'),
        consent: z.string().optional().describe('the ConsentId to authorise, e.g. "{{consent_id}}"; absent: the request names no consent'),
        intentAs: z.enum(['claims', 'authorization_details']).default('claims').describe('name the consent with the claims parameter (openbanking_intent_id, OBIE) or RFC 9396 authorization_details'),
        scope: z.string().default('openid accounts'),
        pkce: z.enum(['S256', 'plain', 'none']).default('S256').describe('the PKCE challenge method pushed (plain and none must be refused)'),
        dpop: z.union([z.boolean(), dpopSpec]).default(false).describe('send a DPoP proof with the pushed request: the code is bound to that key (RFC 9449 §10)'),
        redirectUri: z.string().optional().describe('default: the redirect URI the target\'s clients registered'),
        psu: z.string().describe('the customer who signs in (a test username, e.g. demo)'),
        password: z.string().optional().describe('default: the test customer\'s sandbox password'),
        accounts: z.union([z.literal('all'), z.array(z.string()).min(1)]).default('all').describe('the accounts to tick on the consent page'),
        decision: z.enum(['approve', 'reject']).default('approve').describe('what the customer answers on the consent page'),
        save: name.default('auth').describe('variable that receives the code (and <save>_verifier the PKCE verifier, <save>_request_uri the pushed request_uri)'),
        par: z.boolean().default(true).describe('false: send the whole request on the front channel, no PAR, and stop at the first landing (FAPI 2.0 must refuse it)'),
        responseType: z.string().default('code').describe('the response_type pushed (FAPI 2.0 allows code only)'),
        dpopJkt: z.string().optional().describe('the dpop_jkt parameter to push (RFC 9449 §10; templates allowed, e.g. "{{keys.k.jkt}}")'),
        requestUri: z.string().optional().describe('skip the push and open the authorization endpoint with this request_uri (e.g. "{{auth_request_uri}}", a reuse)'),
        requestObject: requestObjectSpec.optional().describe('push the parameters inside a signed request object (RFC 9101; the form carries client_id and request)'),
        responseMode: z.enum(['query', 'jwt']).optional().describe('jwt: ask for a signed authorization response (JARM); the engine verifies it with the issuer\'s keys before reading code, state and iss from it'),
      })
      .strict(),
  })
  .strict();

const callStep = z
  .object({
    ...base,
    call: z
      .object({
        actor: name,
        via: z.enum(['gateway', 'gatewayStrict']).default('gateway').describe('the lenient gateway listener or the strict-TLS one'),
        method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).default('GET'),
        path: z.string().startsWith('/').describe('path on the gateway, e.g. /open-banking/v3.1/aisp/accounts'),
        token: z.union([name, forgery]).optional().describe('variable holding the access token, or a forgery'),
        scheme: z.enum(['Bearer', 'DPoP', 'Basic']).optional().describe('Authorization scheme (default: DPoP when a proof is sent, else Bearer)'),
        tokenIn: z.enum(['header', 'query']).default('header'),
        dpop: z.union([z.boolean(), dpopSpec]).default(false),
        headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}).describe('extra request headers (templates allowed)'),
        body: z.unknown().optional().describe('JSON request body'),
        jws: jwsSpec.optional().describe('sign the body: an OBIE detached JWS in x-jws-signature'),
        capture: z.record(name, z.string()).default({}).describe('variables to fill from the JSON response body: name -> dot path, e.g. consent_id: Data.ConsentId'),
        dpopHeaderName: z.string().regex(/^[Dd][Pp][Oo][Pp]$/, 'a spelling of DPoP').optional().describe('the DPoP header\'s name as sent on the wire, e.g. DPOP (header names are case-insensitive, RFC 9110 §5.1)'),
        dpopHeaderCopies: z.number().int().min(1).max(3).optional().describe('send the DPoP header this many times (two must be refused, RFC 9449 §4.3 (1))'),
        tls: tlsOffer,
      })
      .strict(),
  })
  .strict();

const registerStep = z
  .object({
    ...base,
    register: z
      .object({
        actor: name.describe('whose certificate is presented to the registration endpoint'),
        metadata: z.record(z.string(), z.unknown()).describe('RFC 7591 client metadata (templates allowed)'),
        initialAccessToken: z.string().optional().describe('send this RFC 7591 §3 initial access token as a Bearer token (templates allowed)'),
        save: name.default('client').describe('variable that receives the client_id'),
      })
      .strict(),
  })
  .strict();

const requestStep = z
  .object({
    ...base,
    request: z
      .object({
        actor: name.describe('who sends it (its certificate on the mTLS endpoints)'),
        client: z.string().optional().describe('client_id (default: the actor\'s client)'),
        endpoint: z.enum(['discovery', 'par', 'token', 'authorization', 'registration']).describe('an authorization server endpoint; discovery is <issuer>/.well-known/openid-configuration'),
        method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).default('POST'),
        form: z.record(z.string(), z.string()).default({}).describe('form parameters (templates allowed); a GET sends them as the query'),
        authenticate: z.boolean().default(false).describe('send client_id and the client authentication as a token step would'),
        dpop: z.union([z.boolean(), dpopSpec]).default(false).describe('attach a DPoP proof for this request'),
        capture: z.record(name, z.string()).default({}).describe('variables to fill from the JSON response body: name -> dot path, e.g. alpha_uri: request_uri'),
        requestObject: requestObjectSpec.optional().describe('send the form\'s parameters inside a request object instead (RFC 9101; claims and authorization_details as JSON); the form keeps client_id and request'),
        tls: tlsOffer,
      })
      .strict(),
  })
  .strict();

const mintStep = z
  .object({
    ...base,
    mint: z
      .object({
        name: name.describe('name of the new certificate (use it as an actor certificate)'),
        subjectOf: z.string().optional().describe('copy the subject DN of this certificate'),
        subject: z.string().optional().describe('subject as "CN=...,O=...,C=GB" (RFC 4514)'),
        flaw: z.enum(['none', 'expired', 'not-yet-valid', 'self-signed', 'untrusted-ca']).default('none'),
      })
      .strict(),
  })
  .strict();

const revokeStep = z
  .object({
    ...base,
    revoke: z
      .object({
        actor: name.describe('the app that revokes its own token (its certificate and client authentication are used)'),
        client: z.string().optional().describe('client_id (default: the actor\'s client)'),
        auth: z.enum(['tls_client_auth', 'self_signed_tls_client_auth', 'private_key_jwt']).optional(),
        token: name.describe('variable holding the token to revoke'),
      })
      .strict()
      .describe('RFC 7009 token revocation at the authorization server\'s revocation endpoint'),
  })
  .strict();

const clockStep = z.object({ ...base, clock: z.object({ shift: z.number().int().describe('seconds added to the engine\'s clock (proofs, assertions)') }).strict() }).strict();

const waitStep = z.object({ ...base, wait: z.object({ seconds: z.number().positive().max(30) }).strict() }).strict();

/** One schema per step kind; a step is the kind whose key it has (token, call, register, ...). */
export const STEP_SCHEMAS = { token: tokenStep, call: callStep, authorize: authorizeStep, register: registerStep, mint: mintStep, clock: clockStep, wait: waitStep, revoke: revokeStep, request: requestStep } as const;

export type StepKindName = keyof typeof STEP_SCHEMAS;

export const stepSchema = z.union([tokenStep, callStep, authorizeStep, registerStep, mintStep, clockStep, waitStep, revokeStep, requestStep]);

const actor = z
  .object({
    certificate: z.string().optional().describe('a certificate from certs/index.json or a minted one; absent: no client certificate'),
    client: z.string().optional().describe('the client_id this actor uses'),
    dpopKey: name.optional().describe('a DPoP key name; generated per run (ES256)'),
    description: z.string().optional(),
  })
  .strict();

export const TAGS = ['mtls', 'dpop', 'attack', 'happy-path', 'fapi', 'tls', 'token-endpoint', 'forgery', 'rotation', 'nonce', 'phantom', 'dcr', 'consent', 'payments'] as const;

export const scenarioSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case, e.g. mtls-stolen-token-replay'),
    title: z.string().min(5),
    summary: z.string().min(10).describe('one line: the story'),
    tags: z.array(z.enum(TAGS)).min(1),
    references: z.array(z.string()).min(1).describe('spec references, e.g. "RFC 8705 §3"'),
    teaches: z.string().min(10).describe('what this scenario teaches'),
    gatewayShould: z.string().min(10).describe('how a gateway should handle it'),
    requires: z
      .array(z.enum(CAPABILITY_IDS as [string, ...string[]]))
      .default([])
      .describe('target capabilities this scenario needs (lib/target/capabilities.ts); a target without one skips the scenario and says which'),
    actors: z.record(name, actor),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Expectation = z.infer<typeof expectation>;
export type DpopSpec = z.infer<typeof dpopSpec>;
export type Forgery = z.infer<typeof forgery>;
export type JwsSpec = z.infer<typeof jwsSpec>;
export type RequestObjectSpec = z.infer<typeof requestObjectSpec>;
export type TokenStep = z.infer<typeof tokenStep>;
export type CallStep = z.infer<typeof callStep>;
export type AuthorizeStep = z.infer<typeof authorizeStep>;
export type RegisterStep = z.infer<typeof registerStep>;
export type MintStep = z.infer<typeof mintStep>;
export type RevokeStep = z.infer<typeof revokeStep>;
export type RequestStep = z.infer<typeof requestStep>;

/** The kind of a step: the STEP_SCHEMAS key it carries (null when it has none). */
export function stepKind(step: object): StepKindName | null {
  return (Object.keys(STEP_SCHEMAS) as StepKindName[]).find((k) => k in step) ?? null;
}
