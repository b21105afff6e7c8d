// Forwards an accepted request to the upstream OB API with the verified identity, and strips every
// header a client could use to spoof one (forwarded certificates, our own x-sandbox-* headers).
// The client certificate goes upstream only from the TLS socket, as RFC 9440 Client-Cert.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
    /^(connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade|host|authorization|dpop|x-real-ip|true-client-ip)$/.test(n) ||
    /^(x-sandbox-|x-amzn-mtls|x-arr-clientcert)/.test(n) ||
    /forwarded|client-?cert|ssl-client|client-verify|client-dn/.test(n)
  );
}

const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

export interface UpstreamTarget {
  host: string;
  port: number;
  secret: string;
}

export function createProxy(target: UpstreamTarget) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
  /** Forwards the request; `onStatus` runs with the upstream status before the client sees it. */
  function forward(req: IncomingMessage, res: ServerResponse, ctx: GatewayContext, upstreamPath: string, onStatus: (status: number) => void): Promise<void> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !isStripped(name)) headers[name] = value;
    }
    const c = ctx.claims ?? {};
    Object.assign(headers, {
      'x-sandbox-gateway-key': target.secret,
      'x-fapi-interaction-id': ctx.interactionId,
      'x-sandbox-client-id': String(c.client_id ?? ''),
      'x-sandbox-scope': String(c.scope ?? ''),
      'x-sandbox-binding': typeof c.cnf?.jkt === 'string' ? 'dpop' : typeof c.cnf?.['x5t#S256'] === 'string' ? 'mtls' : 'bearer',
      ...(typeof c.sub === 'string' ? { 'x-sandbox-subject': c.sub } : {}),
      ...(typeof c.openbanking_intent_id === 'string' ? { 'x-sandbox-consent-id': c.openbanking_intent_id } : {}),
      'x-forwarded-proto': 'https',
      // The origin the gateway is configured for, never the client's Host header.
      'x-forwarded-host': new URL(ctx.publicUrl).host,
      'x-forwarded-prefix': ctx.route.prefix.slice(0, ctx.route.prefix.indexOf('/open-banking')),
      ...(ctx.conn.peer ? { 'client-cert': `:${ctx.conn.peer.raw.toString('base64')}:` } : {}),
    });
    return new Promise((resolve) => {
      let cutOff = false;
      const upstream = http.request(
        { host: target.host, port: target.port, method: req.method, path: upstreamPath, headers, agent, timeout: 15_000 },
        (up) => {
          const out: http.OutgoingHttpHeaders = { ...ctx.responseHeaders };
          for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !HOP_BY_HOP_RESPONSE.has(name)) out[name] = value;
          out['x-fapi-interaction-id'] = ctx.interactionId;
          onStatus(up.statusCode ?? 502);
          res.writeHead(up.statusCode ?? 502, out);
          up.pipe(res);
          up.on('end', () => resolve());
          up.on('error', () => resolve());
        },
      );
      upstream.on('timeout', () => upstream.destroy(new Error('upstream timed out')));
      upstream.on('error', (err) => {
        if (cutOff) return resolve();
        if (!res.headersSent) {
          onStatus(502);
          const body = JSON.stringify({ error: 'bad_gateway', error_description: `upstream OB API: ${err.message}`, interaction_id: ctx.interactionId });
          res.writeHead(502, { 'content-type': 'application/json', 'x-fapi-interaction-id': ctx.interactionId }).end(body);
        } else res.destroy();
        resolve();
      });
      // The body streams through, counted: past the limit the upstream request is abandoned (413).
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received <= ctx.deps.maxBodyBytes || cutOff) return;
        cutOff = true;
        req.unpipe(upstream);
        if (!res.headersSent) onStatus(413);
        bodyTooLarge(res, ctx.deps.maxBodyBytes);
        upstream.destroy();
        resolve();
      });
      req.pipe(upstream);
    });
  }
  return { forward, close: () => agent.destroy() };
}
