// token.introspection — RFC 7662 §2.2: on the phantom-token route the opaque token is looked up at
// the IdP's introspection endpoint (over mTLS as client fapi-gateway); only active=true passes.
import { pass, fail, INVALID_TOKEN, type AccessTokenClaims, type Check } from '../../context.ts';

export const tokenIntrospection: Check = {
  id: 'token.introspection',
  async run(ctx) {
    const result = await ctx.deps.introspect(ctx.token!, ctx.now);
    if (!result.ok) return fail(`introspection failed: ${result.reason}`, INVALID_TOKEN, { endpoint: result.endpoint });
    const { active, ...claims } = result.response;
    const inputs = { endpoint: result.endpoint, active, token_type: claims.token_type, cached: result.cached };
    if (active !== true) return fail('the IdP reports the token inactive (expired, revoked or unknown)', INVALID_TOKEN, inputs);
    ctx.claims = claims as AccessTokenClaims;
    return pass(`active at the IdP (client ${String(claims.client_id)}${result.cached ? ', cached' : ''})`, inputs);
  },
};
