// token.claims — RFC 9068 §4: issuer, audience (this API), exp / nbf / iat (RFC 7519 §4.1.4-6, with
// the configured leeway: at exp + leeway still valid, one second later not), and the scope the
// route needs (403 insufficient_scope, RFC 6750 §3.1).
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';

/** RFC 7519 §2 NumericDate: a finite number of seconds (a Date of it must exist). */
const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 8.64e12;
const isoOf = (seconds: number) => new Date(seconds * 1000).toISOString();

export const tokenClaims: Check = {
  id: 'token.claims',
  run({ claims, route, deps, now }) {
    const c = claims!;
    const aud = Array.isArray(c.aud) ? c.aud : c.aud === undefined ? [] : [c.aud];
    const granted = typeof c.scope === 'string' ? c.scope.split(' ').filter(Boolean) : [];
    const leeway = deps.clockToleranceSeconds;
    const inputs = { iss: c.iss, aud: c.aud, exp: c.exp, nbf: c.nbf, iat: c.iat, now, leewaySeconds: leeway, scope: c.scope, expectedIssuer: deps.issuer, expectedAudience: route.audience, requiredScope: route.scope };
    if (c.iss !== deps.issuer) return fail(`iss "${String(c.iss)}" is not the trusted issuer ${deps.issuer}`, INVALID_TOKEN, inputs);
    if (!aud.includes(route.audience)) return fail(`aud ${JSON.stringify(c.aud ?? null)} does not include this API (${route.audience})`, INVALID_TOKEN, inputs);
    if (!isNumericDate(c.exp)) return fail(c.exp === undefined ? 'no exp claim' : 'exp is not a NumericDate', INVALID_TOKEN, inputs);
    for (const name of ['nbf', 'iat'] as const) {
      if (c[name] !== undefined && !isNumericDate(c[name])) return fail(`${name} is not a NumericDate`, INVALID_TOKEN, inputs);
    }
    if (now > c.exp + leeway) return fail(`expired ${now - c.exp} s ago (exp ${isoOf(c.exp)}, leeway ${leeway} s)`, INVALID_TOKEN, inputs);
    if (c.nbf !== undefined && now < c.nbf - leeway) return fail(`not valid before ${isoOf(c.nbf)} (leeway ${leeway} s)`, INVALID_TOKEN, inputs);
    if (c.iat !== undefined && c.iat > now + leeway) return fail(`issued ${c.iat - now} s in the future (iat ${isoOf(c.iat)}, leeway ${leeway} s)`, INVALID_TOKEN, inputs);
    if (!granted.includes(route.scope)) {
      return fail(`scope "${c.scope ?? ''}" lacks "${route.scope}"`, { status: 403, error: 'insufficient_scope' }, inputs);
    }
    return pass(`issuer, audience ${route.audience}, scope ${route.scope}; expires in ${c.exp - now} s`, inputs);
  },
};
