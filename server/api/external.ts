// The bundled Open Banking API behind *your* gateway (nginx, Envoy, Kong, ...): a request carrying the
// external gateway key (FAPI_EXTERNAL_GATEWAY_KEY) in x-sandbox-gateway-key is accepted, and the API
// then validates the forwarded access token itself, as a plain resource server behind a TLS-terminating
// proxy does (RFC 6750 §2.1, RFC 9068 §4: signature, iss, aud, exp). It never sees the client's TLS
// connection, so sender constraint (RFC 8705 §3, RFC 9449 §7) stays the gateway's job: exactly what
// an external-target run tests. The x-sandbox-* identity headers of external gateways are ignored.
import type { IncomingMessage } from 'node:http';
import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { GATEWAY_KEY_HEADER, gatewayKeyMatches, type Caller } from './access.ts';
import { ObieError } from './obie.ts';

export interface ExternalGatewayOptions {
  /** What the external gateway sends in x-sandbox-gateway-key. */
  key: string;
  /** The issuer whose access tokens the API accepts, and its keys. */
  issuer: string;
  keys: JWTVerifyGetKey;
  /** This API's audience (RFC 8707 resource). */
  audience: string;
  algorithms: readonly string[];
}

/** Whether the request comes from an external gateway (carries its key). */
export function fromExternalGateway(req: IncomingMessage, opts: ExternalGatewayOptions | null): boolean {
  return opts !== null && gatewayKeyMatches(req.headers[GATEWAY_KEY_HEADER], opts.key);
}

const unauthorized = (description: string, error: 'invalid_token' | null = 'invalid_token') =>
  new ObieError(401, 'The access token is missing or invalid.', [{ ErrorCode: 'UK.OBIE.Header.Invalid', Message: description, Path: 'Authorization' }], {
    'www-authenticate': `Bearer realm="fapi-sandbox-ob-api"${error ? `, error="${error}", error_description="${description.replace(/["\\]/g, "'")}"` : ''}`,
  });

/** The caller, from the access token the external gateway forwarded (Bearer or DPoP scheme); 401 otherwise. */
export async function externalCaller(req: IncomingMessage, opts: ExternalGatewayOptions): Promise<Caller> {
  const match = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.headers.authorization ?? '');
  if (!match) throw unauthorized('no access token forwarded by the gateway (Authorization: Bearer or DPoP)', null);
  try {
    const { payload } = await jwtVerify(match[2]!, opts.keys, {
      issuer: opts.issuer, audience: opts.audience, algorithms: [...opts.algorithms], typ: 'at+jwt', clockTolerance: 5,
      // jose checks exp only when present: an access token without one would be valid forever (RFC 9068 §2.2 requires it).
      requiredClaims: ['exp'],
    });
    const cnf = payload.cnf as { jkt?: unknown; 'x5t#S256'?: unknown } | undefined;
    return {
      clientId: typeof payload.client_id === 'string' ? payload.client_id : '',
      scopes: new Set(typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []),
      consentId: typeof payload.openbanking_intent_id === 'string' ? payload.openbanking_intent_id : null,
      subject: typeof payload.sub === 'string' ? payload.sub : null,
      binding: typeof cnf?.jkt === 'string' ? 'dpop' : typeof cnf?.['x5t#S256'] === 'string' ? 'mtls' : 'bearer',
    };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw unauthorized(`the access token is not valid here: ${err.message}`);
    throw err;
  }
}
