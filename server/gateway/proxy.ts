// Forwards an accepted request to the upstream OB API with the verified identity, and strips every
// header a client could use to spoof one (forwarded certificates, our own x-sandbox-* headers).
// The client certificate goes upstream only from the TLS socket, as RFC 9440 Client-Cert. The
// upstream connection pool is undici's (keep-alive; about a third cheaper per request than node:http).
import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import type { GatewayContext } from './context.ts';
import { bodyTooLarge } from '../limits.ts';

/**
 * Never forwarded from the client: hop-by-hop, credentials, and identity / forwarding headers in
 * every spelling proxies use (Envoy XFCC, nginx / Apache ssl-client-*, AWS, Azure ARR, RFC 9440).
 * Underscores count as dashes: some upstream stacks (CGI, WSGI) read X_SANDBOX_CLIENT_ID as
 * x-sandbox-client-id, which is why nginx drops such names by default.
 */
export function isStripped(name: string): boolean {
  const n = name.toLowerCase().replace(/_/g, '-');
  return (
    /^(connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade|host|expect|authorization|dpop|x-real-ip|true-client-ip)$/.test(n) ||
    /^(x-sandbox-|x-amzn-mtls|x-arr-clientcert)/.test(n) ||
    /forwarded|client-?cert|ssl-client|client-verify|client-dn/.test(n)
  );
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

/** isStripped(), remembered per header name (names repeat; the memo is bounded). */
const strippedMemo = new Map<string, boolean>();
function stripped(name: string): boolean {
  let hit = strippedMemo.get(name);
  if (hit === undefined) {
    hit = isStripped(name);
    if (strippedMemo.size < 1_000) strippedMemo.set(name, hit);
  }
  return hit;
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
      if (value !== undefined && !stripped(name)) headers[name] = value;
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
