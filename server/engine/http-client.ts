// The engine's HTTPS client: one fresh TLS connection per request with a full handshake (so every
// step shows its own), the client certificate of the acting party, and a full record of what
// happened: handshake facts, raw request, raw response, or the error (a TLS alert, a reset). What
// cannot change between requests is built once: the TLS context per trust bundle and certificate,
// the summary of each server certificate.
import https from 'node:https';
import http from 'node:http';
import nodeTls, { type DetailedPeerCertificate, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import dns, { type LookupAddress } from 'node:dns';
import { isLinkLocal } from '../../lib/target/link-local.ts';
import type { CertSummary } from '../../lib/trace/decision.ts';
import type { ClientTlsView, HttpMessage, HttpResponseView } from '../../lib/trace/events.ts';
import { summarizeCert } from '../pki/x509.ts';
import type { CertMaterial } from './target.ts';

export interface SendOptions {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: string;
  /** CA bundle trusted for the server. */
  ca: string;
  cert: CertMaterial | null;
  timeoutMs?: number;
  /** Restrict what the client offers (a handshake the server should refuse); default: Node's. */
  tlsOffer?: { maxVersion?: TlsVersion; ciphers?: string };
}

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface Exchange {
  tls: ClientTlsView | null;
  request: HttpMessage;
  response: HttpResponseView | null;
  error: { code: string; message: string } | null;
  durationMs: number;
}

const BODY_LIMIT = 512 * 1024;

/**
 * TLS contexts by trust bundle, client chain and key (none: ''). Building one parses the CA bundle,
 * the chain and the private key (~0.5 ms); handshakes on a shared context are still full handshakes
 * (a client resumes only when handed a session, and this one never is).
 */
const contexts = new Map<string, SecureContext>();
const CONTEXTS_KEPT = 200;

function contextFor(ca: string, cert: CertMaterial | null, offer?: SendOptions['tlsOffer']): SecureContext {
  const key = `${cert ? `${ca}\0${cert.chain}\0${cert.key}` : ca}\0${offer?.maxVersion ?? ''}\0${offer?.ciphers ?? ''}`;
  let context = contexts.get(key);
  if (!context) {
    // Below TLS 1.2 the client also allows the old suites (OpenSSL security level 0): a gateway must refuse them itself.
    const old = offer?.maxVersion === 'TLSv1' || offer?.maxVersion === 'TLSv1.1';
    const versions = old ? { minVersion: 'TLSv1' as const, ciphers: offer?.ciphers ?? 'DEFAULT:@SECLEVEL=0' } : {};
    context = nodeTls.createSecureContext({ ca, ...(cert ? { cert: cert.chain, key: cert.key } : {}), ...offer, ...versions });
    if (contexts.size >= CONTEXTS_KEPT) contexts.delete(contexts.keys().next().value!);
    contexts.set(key, context);
  }
  return context;
}

/** Server certificate summaries by SHA-256 fingerprint (the same few certificates, over and over). */
const summaries = new Map<string, CertSummary>();

function serverChain(peer: DetailedPeerCertificate): CertSummary[] {
  const out: CertSummary[] = [];
  let c: DetailedPeerCertificate | undefined = peer;
  const seen = new Set<unknown>();
  while (c && c.raw && !seen.has(c) && out.length < 5) {
    seen.add(c);
    let summary = summaries.get(c.fingerprint256);
    if (!summary) {
      // Shared by every exchange that saw this certificate: frozen, so no view can alter another's.
      const fresh = summarizeCert(new X509Certificate(c.raw));
      summary = Object.freeze({ ...fresh, subjectAltNames: Object.freeze(fresh.subjectAltNames) as string[] });
      if (summaries.size < 1_000) summaries.set(c.fingerprint256, summary);
    }
    out.push(summary);
    c = c.issuerCertificate;
  }
  return out;
}

const LINK_LOCAL = 'a link-local address (169.254.0.0/16, fe80::/10: cloud metadata services) is never dialled';

/**
 * getaddrinfo's answers for `localhost` and `*.localhost` (loopback names, RFC 6761 §6.3), kept per
 * family and hints for the process: the bundled target's every handshake looked it up again. Other
 * names are looked up every time.
 */
const loopbackAnswers = new Map<string, LookupAddress[]>();
const isLocalhost = (hostname: string) => /^(.+\.)?localhost\.?$/i.test(hostname);

/** dns.lookup that refuses link-local answers, so a name cannot lead the engine to a metadata service. */
const safeLookup: typeof dns.lookup = ((hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
  const answer = (addresses: LookupAddress[]) => {
    const usable = addresses.filter((a) => !isLinkLocal(a.address));
    if (!usable.length) return callback(Object.assign(new Error(`${hostname}: ${LINK_LOCAL}`), { code: 'ERR_LINK_LOCAL' }), '');
    if (options.all) callback(null, usable);
    else callback(null, usable[0]!.address, usable[0]!.family);
  };
  const key = isLocalhost(hostname) ? `${hostname.toLowerCase()}\0${options.family ?? 0}\0${options.hints ?? 0}\0${options.order ?? ''}` : null;
  const known = key ? loopbackAnswers.get(key) : undefined;
  if (known) return void process.nextTick(answer, known);
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    if (key && addresses.length) loopbackAnswers.set(key, addresses);
    answer(addresses);
  });
}) as typeof dns.lookup;

function headerRecord(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  return out;
}

export function send(opts: SendOptions): Promise<Exchange> {
  const url = new URL(opts.url);
  const started = performance.now();
  const request: HttpMessage = { method: opts.method, url: opts.url, headers: { ...opts.headers }, ...(opts.body !== undefined ? { body: opts.body } : {}) };
  const isHttps = url.protocol === 'https:';
  let tls: ClientTlsView | null = isHttps
    ? {
        host: url.hostname, port: Number(url.port || 443), servername: url.hostname,
        protocol: null, cipher: null, alpn: null, serverChain: [],
        clientCertificate: opts.cert?.summary ?? null, clientCertificateName: opts.cert?.name ?? null,
        sessionReused: false, error: null,
      }
    : null;
  if (isLinkLocal(url.hostname)) {
    return Promise.resolve({ tls, request, response: null, error: { code: 'ERR_LINK_LOCAL', message: `${url.hostname}: ${LINK_LOCAL}` }, durationMs: 0 });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (response: HttpResponseView | null, error: Exchange['error']) => {
      if (settled) return;
      settled = true;
      if (tls && error && !response) tls = { ...tls, error };
      resolve({ tls, request, response, error, durationMs: Math.round((performance.now() - started) * 1000) / 1000 });
    };
    const headers: Record<string, string | string[]> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const common = { method: opts.method, headers, agent: false as const, timeout: opts.timeoutMs ?? 10_000, lookup: safeLookup };
    // Node reads the server's chain to check its name; that copy is kept for the trace.
    let peer: DetailedPeerCertificate | null = null;
    const req = isHttps
      ? https.request(url, {
          ...common,
          // https passes it on to tls.connect (its typings list only the options it builds one from).
          ...({ secureContext: contextFor(opts.ca, opts.cert, opts.tlsOffer) } as https.RequestOptions),
          servername: url.hostname === '127.0.0.1' || url.hostname === '[::1]' ? 'localhost' : url.hostname,
          checkServerIdentity: (host: string, cert: PeerCertificate) => {
            peer = cert as DetailedPeerCertificate;
            return nodeTls.checkServerIdentity(host, cert);
          },
        })
      : http.request(url, common);
    req.on('socket', (socket) => {
      if (!isHttps) return;
      (socket as TLSSocket).once('secureConnect', () => {
        const s = socket as TLSSocket;
        tls = {
          ...tls!,
          protocol: s.getProtocol() ?? null,
          cipher: s.getCipher()?.standardName ?? null,
          alpn: s.alpnProtocol || null,
          serverChain: serverChain(peer ?? s.getPeerCertificate(true)),
          sessionReused: s.isSessionReused(),
        };
      });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= BODY_LIMIT) chunks.push(chunk);
      });
      res.on('end', () => finish({ status: res.statusCode ?? 0, headers: headerRecord(res.headers), body: Buffer.concat(chunks).toString('utf8') }, null));
      res.on('error', (err: NodeJS.ErrnoException) => finish(null, { code: err.code ?? 'ERR_RESPONSE', message: err.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no response within ${common.timeout} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => finish(null, { code: err.code ?? 'ERR_REQUEST', message: err.message }));
    req.end(opts.body);
  });
}

/** The JSON body of a response, or null. */
export function jsonBody(exchange: Exchange): Record<string, unknown> | null {
  const text = exchange.response?.body;
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function header(exchange: Exchange, name: string): string | null {
  const v = exchange.response?.headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
}
