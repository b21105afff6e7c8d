// Server limits every listener enforces (RFC 9110 §15.5.14 413, RFC 6585 §5 431, §15.5.9 408): time
// to send the head and the whole request, idle keep-alive and TLS handshake timeouts, header size
// and count, body size. A slow, huge or header-stuffed request cannot hold or fill a listener.
import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerLimits } from './config.ts';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** Options for http.createServer / https.createServer (the TLS ones are ignored by http). */
export function serverOptions(limits: ServerLimits): http.ServerOptions & { handshakeTimeout: number } {
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // How often Node looks for connections past headersTimeout / requestTimeout (default 30 s,
    // which would let a slow client live that long whatever the timeouts say).
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    handshakeTimeout: limits.tlsHandshakeTimeoutMs,
  };
}

/** Settings that are properties, not constructor options. */
export function applyLimits(server: http.Server, limits: ServerLimits): void {
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Node silently drops header fields past maxHeadersCount, so a second Authorization header could
  // vanish unseen; take them all (maxHeaderBytes bounds the total) and refuse too many in guard().
  server.maxHeadersCount = 0;
  // Expect: 100-continue (RFC 9110 §10.1.1): a declared body over the limit gets its final 413 from
  // guard() instead of 100 Continue, so the client never starts sending it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const length = declaredLength(req);
    if (length === null || length <= limits.maxBodyBytes) res.writeContinue();
    server.emit('request', req, res);
  });
}

function refuse(res: ServerResponse, status: 400 | 413 | 431, error: string, description: string): void {
  const body = JSON.stringify({ error, error_description: description });
  // The rest of the request is not read: close the connection rather than drain it.
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/** The declared body length: a number, null (chunked or none), or NaN (malformed). */
function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  return raw === undefined ? null : /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
}

/**
 * Wraps a request listener: 400 for a request line without HTTP/1.x or a repeated Host, 431 for more
 * than maxHeaderCount header fields, 413 for a declared body over maxBodyBytes. A chunked body is
 * bounded where it is read (the gateway's proxy, the IdP's own 56 KiB parser, the control API's
 * readJson), in time by requestTimeoutMs, and its connection is closed after the response.
 */
export function guard(limits: ServerLimits, listener: Listener): Listener {
  return (req, res) => {
    // Node parses HTTP/0.9-style request lines ("GET /path" and no version): RFC 9112 §3 wants one.
    if (req.httpVersionMajor !== 1) return refuse(res, 400, 'invalid_request', `HTTP/${req.httpVersion} is not supported: send HTTP/1.1`);
    // RFC 9112 §3.2: more than one Host is a 400 (Node keeps the first and goes on).
    if ((req.headersDistinct.host?.length ?? 0) > 1) return refuse(res, 400, 'invalid_request', 'more than one Host header');
    // RFC 9112 §3.2.2: an absolute-form target's authority replaces Host; handlers see origin-form only,
    // so none can build a redirect to the host a client named in the request line.
    const target = req.url ?? '/';
    if (!target.startsWith('/') && target !== '*') {
      const url = URL.parse(target);
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.host) return refuse(res, 400, 'invalid_request', 'the request target is neither a path nor an http(s) URL');
      req.headers.host = url.host;
      req.url = `${url.pathname}${url.search}`;
    }
    const count = req.rawHeaders.length / 2;
    if (count > limits.maxHeaderCount) {
      return refuse(res, 431, 'request_header_fields_too_large', `${count} header fields; at most ${limits.maxHeaderCount} are accepted`);
    }
    const length = declaredLength(req);
    if (length !== null && !(length <= limits.maxBodyBytes)) {
      return Number.isNaN(length)
        ? refuse(res, 400, 'invalid_request', 'Content-Length is not a decimal number')
        : refuse(res, 413, 'payload_too_large', `a body of ${length} bytes; at most ${limits.maxBodyBytes} are accepted`);
    }
    // A chunked body is not drained after an early answer (a refused token, a 413): the connection
    // closes once the response is out, so an endless body cannot keep a socket busy.
    if (req.headers['transfer-encoding'] !== undefined) res.setHeader('connection', 'close');
    listener(req, res);
  };
}

/** Answers 413 from a body reader that counted past the limit; closes the connection if an answer already started. */
export function bodyTooLarge(res: ServerResponse, limit: number): void {
  if (res.headersSent) return void res.destroy();
  refuse(res, 413, 'payload_too_large', `the body grew past ${limit} bytes`);
}
