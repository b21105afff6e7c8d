// token.claims — RFC 9068 §4: issuer, audience (this API), exp / nbf with a small leeway, and the
// scope the route needs (403 insufficient_scope, RFC 6750 §3.1).
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';

export const tokenClaims: Check = {
  id: 'token.claims',
  run({ claims, route, deps, now }) {
    const c = claims!;
    const aud = Array.isArray(c.aud) ? c.aud : c.aud === undefined ? [] : [c.aud];
    const granted = typeof c.scope === 'string' ? c.scope.split(' ').filter(Boolean) : [];
    const leeway = deps.clockToleranceSeconds;
    const inputs = { iss: c.iss, aud: c.aud, exp: c.exp, nbf: c.nbf, scope: c.scope, expectedIssuer: deps.issuer, expectedAudience: route.audience, requiredScope: route.scope };
    if (c.iss !== deps.issuer) return fail(`iss "${String(c.iss)}" is not the trusted issuer ${deps.issuer}`, INVALID_TOKEN, inputs);
    if (!aud.includes(route.audience)) return fail(`aud ${JSON.stringify(c.aud ?? null)} does not include this API (${route.audience})`, INVALID_TOKEN, inputs);
    if (typeof c.exp !== 'number') return fail('no exp claim', INVALID_TOKEN, inputs);
    if (now > c.exp + leeway) return fail(`expired ${now - c.exp} s ago (exp ${new Date(c.exp * 1000).toISOString()})`, INVALID_TOKEN, inputs);
    if (typeof c.nbf === 'number' && now < c.nbf - leeway) return fail(`not valid before ${new Date(c.nbf * 1000).toISOString()}`, INVALID_TOKEN, inputs);
    if (!granted.includes(route.scope)) {
      return fail(`scope "${c.scope ?? ''}" lacks "${route.scope}"`, { status: 403, error: 'insufficient_scope' }, inputs);
    }
    return pass(`issuer, audience ${route.audience}, scope ${route.scope}; expires in ${c.exp - now} s`, inputs);
  },
};
