// private_key_jwt client assertions (RFC 7523 §2.2, OIDC Core §9): iss = sub = client_id, aud = the
// issuer, short-lived, unique jti. A scenario can expire it or aim it at another audience.
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';

export interface AssertionRequest {
  clientId: string;
  key: JWK;
  audience: string | string[];
  now: number;
  expiresIn?: number;
}

export async function buildClientAssertion(req: AssertionRequest): Promise<string> {
  const alg = req.key.alg ?? 'ES256';
  const iat = Math.floor(req.now);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg, kid: req.key.kid ?? '' , typ: 'JWT' })
    .setIssuer(req.clientId)
    .setSubject(req.clientId)
    .setAudience(req.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (req.expiresIn ?? 60))
    .sign(await importJWK(req.key, alg));
}
