// Signed request objects (RFC 9101 JAR §4, FAPI 2.0 Message Signing §5.3): the authorization request's
// parameters as JWT claims, iss = client_id, aud = the issuer, nbf and exp at most 60 minutes apart.
// A scenario can leave it unsigned (alg none), sign it with a key the server never had, pass that key
// off under the client's kid, aim it at another audience, back-date nbf or stretch exp.
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';

/** The key a request object is signed with; null: unsigned (alg none). */
export interface RequestObjectKey {
  alg: string;
  /** The kid header (omitted when null). */
  kid: string | null;
  key: KeyObject | JWK;
}

export interface RequestObjectInput {
  clientId: string;
  audience: string | string[];
  /** Seconds since the epoch. */
  now: number;
  /** The authorization request parameters; JSON-valued ones (claims, authorization_details) as JSON values. */
  params: Record<string, unknown>;
  key: RequestObjectKey | null;
  /** Seconds added to nbf (default 0: now); e.g. -3900 for an nbf 65 minutes old. */
  nbfOffset?: number;
  /** exp - nbf in seconds (default 300). */
  lifetime?: number;
}

/** Default exp - nbf: five minutes, well inside FAPI 2.0 MS 5.3.2-4's 60. */
export const REQUEST_OBJECT_LIFETIME = 300;

/** The parameters that are JSON in a request object (RFC 9101 §4; RFC 9396 §2; OIDC Core §5.5) but strings on a form. */
const JSON_PARAMS = new Set(['claims', 'authorization_details']);

/** A form's parameters as request-object claims: claims and authorization_details parsed when they are JSON. */
export function claimsOfForm(form: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of form) {
    if (!JSON_PARAMS.has(k)) {
      out[k] = v;
      continue;
    }
    try {
      out[k] = JSON.parse(v) as unknown;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export async function buildRequestObject(input: RequestObjectInput): Promise<{ jwt: string; header: Record<string, unknown>; claims: Record<string, unknown> }> {
  const now = Math.floor(input.now);
  const nbf = now + (input.nbfOffset ?? 0);
  const claims: Record<string, unknown> = {
    ...input.params,
    iss: input.clientId, aud: input.audience, client_id: input.clientId,
    iat: now, nbf, exp: nbf + (input.lifetime ?? REQUEST_OBJECT_LIFETIME), jti: randomUUID(),
  };
  if (!input.key) {
    const header = { alg: 'none', typ: 'oauth-authz-req+jwt' };
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return { jwt: `${enc(header)}.${enc(claims)}.`, header, claims };
  }
  const { alg, kid } = input.key;
  // RFC 9101 §10.8: typ oauth-authz-req+jwt tells a request object from other JWTs signed with the same key.
  const header = { alg, typ: 'oauth-authz-req+jwt', ...(kid ? { kid } : {}) };
  const key = 'kty' in input.key.key ? await importJWK(input.key.key as JWK, alg) : input.key.key;
  return { jwt: await new SignJWT(claims).setProtectedHeader(header).sign(key), header, claims };
}
