// token.signature — RFC 9068 §4, FAPI 2.0 SP §5.4: the access token is a JWT of type at+jwt, signed
// by the issuer with an allowlisted algorithm (never none, never HMAC with a public key). A token
// already verified is not verified again until its exp (the header rules still run on every request).
import { compactVerify, errors as joseErrors } from 'jose';
import { pass, fail, INVALID_TOKEN, type AccessTokenClaims, type Check, type GatewayContext, type Verdict } from '../../context.ts';
import { decodeJson, isCanonicalCompact } from '../../jose-util.ts';

async function verify(ctx: GatewayContext, token: string, header: Record<string, unknown>, inputs: Record<string, unknown>): Promise<Verdict> {
  const { alg, kid } = header;
  try {
    const { payload } = await compactVerify(token, ctx.deps.accessTokenKeys, { algorithms: [...ctx.deps.accessTokenAlgs] });
    const claims = decodeJson(Buffer.from(payload).toString('base64url'));
    if (!claims) return fail('the payload is not a JSON object', INVALID_TOKEN, inputs);
    ctx.claims = claims as AccessTokenClaims;
    ctx.deps.verifiedTokens.set(token, { header, claims: ctx.claims });
    return pass(`${String(alg)} signature verified with the issuer's key ${String(kid)}`, inputs);
  } catch (err) {
    if (err instanceof joseErrors.JWKSNoMatchingKey) return fail(`no key with kid "${String(kid)}" in the issuer's JWKS`, INVALID_TOKEN, inputs);
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) return fail('the signature does not verify with the issuer\'s key', INVALID_TOKEN, inputs);
    return fail(`the token does not verify: ${(err as Error).message}`, INVALID_TOKEN, inputs);
  }
}

export const tokenSignature: Check = {
  id: 'token.signature',
  run(ctx) {
    const token = ctx.token!;
    // A cached token is this very string, already found canonical and well-formed.
    const cached = ctx.deps.verifiedTokens.get(token, ctx.now);
    let header = cached?.header;
    if (!header) {
      const parts = token.split('.');
      if (parts.length !== 3) return fail(`not a signed JWT (${parts.length} parts; opaque tokens are accepted on the phantom route only)`, INVALID_TOKEN);
      if (!isCanonicalCompact(parts)) return fail('a segment is not canonical base64url (padding, other characters or non-zero unused bits)', INVALID_TOKEN);
      const decoded = decodeJson(parts[0]!);
      if (!decoded) return fail('the JOSE header is not base64url JSON', INVALID_TOKEN);
      header = decoded;
    }
    ctx.tokenHeader = header;
    const { alg, typ, kid } = header;
    const inputs = { alg, typ, kid, allowed: ctx.deps.accessTokenAlgs };
    if (alg === 'none') return fail('alg "none": unsigned tokens are never accepted', INVALID_TOKEN, inputs);
    if (typeof alg === 'string' && /^HS/i.test(alg)) {
      return fail(`alg "${alg}": HMAC is refused (a public key is not a shared secret)`, INVALID_TOKEN, inputs);
    }
    if (typeof alg !== 'string' || !ctx.deps.accessTokenAlgs.includes(alg)) {
      return fail(`alg "${String(alg)}" is not in the allowlist ${ctx.deps.accessTokenAlgs.join(', ')}`, INVALID_TOKEN, inputs);
    }
    if (typeof typ !== 'string' || !['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase())) {
      return fail(`typ "${String(typ)}" is not at+jwt: another kind of JWT (an ID token?) cannot be an access token`, INVALID_TOKEN, inputs);
    }
    if (cached) {
      ctx.claims = cached.claims;
      return pass(`${alg} signature verified (kid ${String(kid)}; cached)`, inputs);
    }
    return verify(ctx, token, header, inputs);
  },
};
