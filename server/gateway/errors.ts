// Protected-resource error responses: status, WWW-Authenticate challenges (RFC 6750 §3, RFC 9449
// §7.1 with algs, §9 use_dpop_nonce) naming the failed check, and a JSON body with the same facts.
import type { ServerResponse } from 'node:http';
import type { CheckId } from '../../lib/checks/catalogue.ts';
import type { GatewayContext, ProtocolError } from './context.ts';

const REALM = 'fapi-sandbox';

/** An RFC 7230 quoted-string safe for RFC 6750 error_description (%x20-21 / %x23-5B / %x5D-7E). */
export function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'").slice(0, 400)}"`;
}

function schemesFor(ctx: GatewayContext, error: ProtocolError): ('Bearer' | 'DPoP')[] {
  if (error.scheme) return [error.scheme];
  if (typeof ctx.claims?.cnf?.jkt === 'string' || ctx.scheme === 'DPoP') return ['DPoP'];
  if (ctx.binding === 'dpop') return ['DPoP'];
  if (ctx.binding === 'either' && !ctx.token) return ['Bearer', 'DPoP'];
  return ['Bearer'];
}

export function challenges(ctx: GatewayContext, error: ProtocolError, description: string): string[] {
  return schemesFor(ctx, error).map((scheme) => {
    const params = [`realm=${quoted(REALM)}`];
    if (error.error) params.push(`error=${quoted(error.error)}`, `error_description=${quoted(description)}`);
    if (error.error === 'insufficient_scope') params.push(`scope=${quoted(ctx.route.scope)}`);
    if (scheme === 'DPoP') params.push(`algs=${quoted(ctx.deps.dpopAlgs.join(' '))}`);
    return `${scheme} ${params.join(', ')}`;
  });
}

export interface ErrorReply {
  status: number;
  error?: string;
  description: string;
  wwwAuthenticate: string[];
}

/** No authentication information at all: no client certificate, no Authorization or DPoP header, no access_token parameter. */
function withoutCredentials(ctx: GatewayContext): boolean {
  return !ctx.conn.peer && ctx.req.headers.authorization === undefined && ctx.req.headers.dpop === undefined && !ctx.query.has('access_token');
}

export function errorReply(ctx: GatewayContext, check: CheckId, reason: string, failure: ProtocolError): ErrorReply {
  // RFC 6750 §3.1: a request that carried no credentials gets a challenge without an error code, whichever check stopped it.
  const error: ProtocolError = withoutCredentials(ctx) ? { status: 401 } : failure;
  const description = `${check}: ${reason}`;
  return { status: error.status, ...(error.error ? { error: error.error } : {}), description, wwwAuthenticate: challenges(ctx, error, description) };
}

export function sendError(res: ServerResponse, ctx: GatewayContext, reply: ErrorReply, check: CheckId): void {
  const body = JSON.stringify({
    ...(reply.error ? { error: reply.error } : {}),
    error_description: reply.description,
    check,
    interaction_id: ctx.interactionId,
  });
  res.writeHead(reply.status, {
    ...ctx.responseHeaders,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-fapi-interaction-id': ctx.interactionId,
    'www-authenticate': reply.wwwAuthenticate,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
