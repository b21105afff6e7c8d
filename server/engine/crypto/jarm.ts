// JARM (JWT Secured Authorization Response Mode, response_mode jwt; FAPI 2.0 Message Signing, signing
// authorization responses): the authorization response's parameters as claims of a JWT the
// authorization server signs; the client verifies signature, iss, aud (its client_id) and exp first.
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { EngineError } from '../errors.ts';

/** The algorithms a FAPI 2.0 client accepts on a signed authorization response (FAPI 2.0 SP 5.4.1-1). */
export const JARM_ALGS = ['PS256', 'ES256', 'EdDSA'];

export async function verifyJarm(jwt: string, jwks: { keys: JWK[] }, issuer: string, clientId: string, now: number): Promise<Record<string, unknown>> {
  try {
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks), { issuer, audience: clientId, algorithms: JARM_ALGS, currentDate: new Date(now * 1000), requiredClaims: ['exp'] });
    return payload;
  } catch (err) {
    throw new EngineError('authorization-response', `the signed authorization response (JARM) does not verify: ${(err as Error).message}`);
  }
}
