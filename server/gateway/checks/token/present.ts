// token.present — RFC 6750 §2.1 / RFC 9449 §7.1: exactly one access token, in the Authorization
// header with the Bearer or DPoP scheme. Tokens in the query string are refused (RFC 6750 §2.3, FAPI).
import { pass, fail, INVALID_REQUEST, type Check } from '../../context.ts';

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

export const tokenPresent: Check = {
  id: 'token.present',
  run(ctx) {
    if (ctx.query.has('access_token')) {
      return fail('access token in the query string: send it in the Authorization header', INVALID_REQUEST);
    }
    const headers = ctx.req.headersDistinct.authorization ?? [];
    if (headers.length === 0) return fail('no Authorization header', { status: 401 });
    if (headers.length > 1) return fail(`${headers.length} Authorization headers; send exactly one`, INVALID_REQUEST);
    const match = /^(\S+) +(\S+)$/.exec(headers[0]!.trim());
    if (!match) return fail('Authorization header is not "<scheme> <token>"', INVALID_REQUEST);
    const scheme = match[1]!.toLowerCase();
    if (scheme !== 'bearer' && scheme !== 'dpop') {
      return fail(`Authorization scheme "${match[1]!.slice(0, 20)}" is not supported: use Bearer or DPoP`, INVALID_REQUEST);
    }
    if (!TOKEN68.test(match[2]!)) return fail('the token contains characters outside the token68 syntax', INVALID_REQUEST);
    ctx.scheme = scheme === 'dpop' ? 'DPoP' : 'Bearer';
    ctx.token = match[2]!;
    return pass(`${ctx.scheme} token (${ctx.token.length} characters)`, { scheme: ctx.scheme });
  },
};
