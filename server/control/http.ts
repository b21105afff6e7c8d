// Small HTTP helpers for the control API: JSON replies in one shape, body reading with a limit, the
// same-origin guard for mutations (a page on another site cannot drive the sandbox) and the Host
// allowlist of the UI port (a DNS-rebound name cannot read it).
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

/** Reads a JSON object body (an empty body is {}); anything else is 400 invalid_request / invalid_json, 413 past `limit`. */
export async function readJson(req: IncomingMessage, limit = 256 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, 'payload_too_large', `request body over ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new ClientGone((err as Error).message);
  }
  if (!size) return {};
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'the request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_request', `the request body must be a JSON object, not ${body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`}`);
  }
  return body as Record<string, unknown>;
}

/** The client went away before its body was read (aborted upload): nobody to answer, nothing to log. */
export class ClientGone extends Error {}

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Content types a cross-site page can send without a CORS preflight (Fetch §2.2.2 "CORS-safelisted"). */
const SIMPLE_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * Mutations must come from the sandbox's own pages (or a non-browser client): a cross-site Origin or
 * Sec-Fetch-Site is refused, and bodies must be JSON: a form or text/plain body is what a cross-site
 * page can post without a CORS preflight, so it is refused as cross-site too.
 */
export function assertSameOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): void {
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'cross_site_request', `Sec-Fetch-Site ${site} refused: mutations come from this sandbox's own pages`);
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins.includes(origin)) throw new HttpError(403, 'cross_site_request', `Origin ${origin.slice(0, 100)} is not this sandbox`);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (SIMPLE_TYPES.includes(type) || type === '') {
    throw new HttpError(403, 'cross_site_request', `a ${type || 'typeless'} body can be sent cross-site without a preflight: mutations take Content-Type: application/json`);
  }
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'mutations take Content-Type: application/json');
  }
}

/** The host name of a Host header ("localhost:3000" -> "localhost", "[::1]:3000" -> "[::1]"), lower-cased. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * DNS-rebinding protection: a page on evil.example whose name now resolves to 127.0.0.1 sends
 * Host: evil.example; only the configured names are answered ("*" in the list allows any).
 */
export function hostAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  const host = req.headers.host;
  return typeof host === 'string' && allowed.includes(hostName(host));
}

export function refuseHost(req: IncomingMessage, res: ServerResponse): void {
  const host = String(req.headers.host ?? '').slice(0, 100);
  sendJson(res, 421, {
    error: 'host_not_allowed',
    error_description: `Host "${host}" is not a name of this sandbox (DNS-rebinding protection); set FAPI_ALLOWED_HOSTS to allow it`,
  });
}
