// Forwards an accepted request to the upstream OB API with the verified identity, and only an allowlist
// of the client's headers (none a client could use to spoof an identity).
// The client certificate goes upstream only from the TLS socket, as RFC 9440 Client-Cert. The
// upstream connection pool is undici's (keep-alive; about a third cheaper per request than node:http).
import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import type { GatewayContext } from './context.ts';
import { bodyTooLarge } from '../limits.ts';

/**
 * The client's headers the upstream receives: an allowlist (content negotiation, the body's type and
 * the OBIE request headers). Everything else is dropped: identity and forwarded-certificate headers
 * in whatever spelling a proxy or framework uses (X-SSL-Cert, X-Remote-User, Cert, XFCC...) cannot
 * reach it because nothing outside the list does. The gateway adds its own (Client-Cert, x-sandbox-*,
 * X-Forwarded-*, x-fapi-interaction-id) after.
 */
const FORWARDED = new Set([
  'accept', 'accept-language', 'content-type', 'user-agent', 'cache-control', 'if-none-match', 'if-modified-since',
  // OBIE Read/Write API request headers.
  'x-fapi-auth-date', 'x-fapi-customer-ip-address', 'x-customer-user-agent', 'x-idempotency-key', 'x-jws-signature',
]);

/** Whether a client's header is kept from the upstream (anything not on the allowlist). */
export function isStripped(name: string): boolean {
  return !FORWARDED.has(name.toLowerCase());
}

const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/** Upstream answers up to this size are read whole and sent in one write; larger ones stream. */
const BUFFER_LIMIT = 64 * 1024;

export interface UpstreamTarget {
  host: string;
  port: number;
  secret: string;
}

/** Called with the status before the answer goes out; a promise delays it (the decision is being recorded elsewhere). */
type OnStatus = (status: number) => void | Promise<void>;

/** The host[:port] of a configured public origin (a handful per gateway). */
const hosts = new Map<string, string>();
function hostOf(origin: string): string {
  let host = hosts.get(origin);
  if (host === undefined) hosts.set(origin, (host = new URL(origin).host));
  return host;
}

export function createProxy(target: UpstreamTarget) {
  const pool = new Pool(`http://${target.host}:${target.port}`, { connections: 256, headersTimeout: 15_000, bodyTimeout: 15_000 });

  async function badGateway(res: ServerResponse, ctx: GatewayContext, err: Error, onStatus: OnStatus): Promise<void> {
    if (res.headersSent) return void res.destroy();
    await onStatus(502);
    const body = JSON.stringify({ error: 'bad_gateway', error_description: `upstream OB API: ${err.message}`, interaction_id: ctx.interactionId });
    res.writeHead(502, { 'content-type': 'application/json', 'x-fapi-interaction-id': ctx.interactionId }).end(body);
  }

  /** Forwards the request; `onStatus` runs (and is awaited) with the upstream status before the client sees it. */
  async function forward(req: IncomingMessage, res: ServerResponse, ctx: GatewayContext, upstreamPath: string, onStatus: OnStatus): Promise<void> {
    const headers: Record<string, string | string[]> = {};
    const incoming = req.headers;
    for (const name in incoming) {
      const value = incoming[name];
      if (value !== undefined && FORWARDED.has(name)) headers[name] = value;
    }
    const c = ctx.claims ?? {};
    headers['x-sandbox-gateway-key'] = target.secret;
    headers['x-fapi-interaction-id'] = ctx.interactionId;
    headers['x-sandbox-client-id'] = String(c.client_id ?? '');
    headers['x-sandbox-scope'] = String(c.scope ?? '');
    headers['x-sandbox-binding'] = typeof c.cnf?.jkt === 'string' ? 'dpop' : typeof c.cnf?.['x5t#S256'] === 'string' ? 'mtls' : 'bearer';
    if (typeof c.sub === 'string') headers['x-sandbox-subject'] = c.sub;
    if (typeof c.openbanking_intent_id === 'string') headers['x-sandbox-consent-id'] = c.openbanking_intent_id;
    headers['x-forwarded-proto'] = 'https';
    // The origin the gateway is configured for, never the client's Host header.
    headers['x-forwarded-host'] = hostOf(ctx.publicOrigins[0]!);
    headers['x-forwarded-prefix'] = ctx.route.prefix.slice(0, ctx.route.prefix.indexOf('/open-banking'));
    if (ctx.conn.clientCertHeader) headers['client-cert'] = ctx.conn.clientCertHeader;
    // A request without a body (no content-length, no transfer-encoding: RFC 9112 §6.3) sends none.
    // A body is read whole first, counted (past the limit: 413 and nothing goes upstream), then sent
    // with its length: an upstream that answers before reading it all (its own 413) cannot turn the
    // exchange into a reset and a 502.
    const hasBody = incoming['content-length'] !== undefined || incoming['transfer-encoding'] !== undefined;
    let body: Buffer | undefined;
    if (hasBody) {
      const limit = ctx.deps.maxBodyBytes;
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of req as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > limit) {
            if (!res.headersSent) await onStatus(413);
            return bodyTooLarge(res, limit);
          }
          chunks.push(chunk);
        }
      } catch {
        return void res.destroy(); // the client went away mid-body
      }
      body = Buffer.concat(chunks, size);
      delete headers['content-length'];
      headers['content-length'] = String(size);
    }
    let up;
    try {
      up = await pool.request({ method: (req.method ?? 'GET') as 'GET', path: upstreamPath, headers, ...(body ? { body } : {}) });
    } catch (err) {
      return badGateway(res, ctx, err as Error, onStatus);
    }
    const out: OutgoingHttpHeaders = { ...ctx.responseHeaders };
    const received = up.headers;
    for (const name in received) {
      const value = received[name];
      if (value !== undefined && !HOP_BY_HOP_RESPONSE.has(name)) out[name] = value;
    }
    out['x-fapi-interaction-id'] = ctx.interactionId;
    const length = Number(received['content-length']);
    if (length <= BUFFER_LIMIT) {
      let body: Buffer;
      try {
        body = Buffer.from(await up.body.arrayBuffer());
      } catch (err) {
        return badGateway(res, ctx, err as Error, onStatus);
      }
      const recorded = onStatus(up.statusCode);
      if (recorded) await recorded;
      res.writeHead(up.statusCode, out).end(body);
      return;
    }
    const recorded = onStatus(up.statusCode);
    if (recorded) await recorded;
    res.writeHead(up.statusCode, out);
    await new Promise<void>((resolve) => {
      up.body.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        if (!res.writableFinished) up.body.destroy(); // the client left: release the upstream connection
        resolve();
      });
      up.body.pipe(res);
    });
  }
  return { forward, close: () => pool.destroy() };
}
