// Facts about one TLS connection, computed once per socket (not per request): protocol, cipher,
// Node's verdict, the peer certificate, its x5t#S256 thumbprint (RFC 8705 §3.1) and our own
// chain verdict. Resumed sessions still expose the peer certificate. What depends on the
// certificate alone (summary, chain to a trust anchor, revocation) is kept per certificate, so a
// client that reconnects costs a hash, not a parse and two signature checks.
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { CertSummary, ServerTlsView } from '../../lib/trace/decision.ts';
import { summarizeCert, thumbprintOf } from '../pki/x509.ts';
import type { ChainResult, TrustAnchors } from './trust.ts';

export interface ConnectionFacts {
  tls: ServerTlsView;
  peer: X509Certificate | null;
  thumbprint: string | null;
  chain: ChainResult | null;
  revoked: boolean;
  /** The peer certificate as an RFC 9440 Client-Cert header value (`:<base64 DER>:`), for the upstream. */
  clientCertHeader: string | null;
}

/** What follows from a certificate alone, whatever connection presents it. */
interface CertFacts {
  peer: X509Certificate;
  summary: CertSummary;
  thumbprint: string;
  chain: ChainResult;
  revoked: boolean;
  clientCertHeader: string;
}

const bySocket = new WeakMap<Socket, ConnectionFacts>();
/** Certificates that chain to a trust anchor on their own (no intermediate from the client needed), by thumbprint. */
const byCertificate = new Map<string, CertFacts>();
const CERTIFICATE_LIMIT = 1_000;

/** The chain the client sent, leaf first (getPeerCertificate(true) parses every certificate: ~0.5 ms). */
function presentedChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  let c = socket.getPeerCertificate(true);
  const seen = new Set<unknown>();
  while (c && c.raw && !seen.has(c) && out.length < 6) {
    seen.add(c);
    out.push(new X509Certificate(c.raw));
    c = c.issuerCertificate;
  }
  return out;
}

function certFacts(peer: X509Certificate, thumbprint: string, chain: ChainResult, trust: TrustAnchors): CertFacts {
  return { peer, summary: summarizeCert(peer), thumbprint, chain, revoked: trust.isRevoked(peer), clientCertHeader: `:${peer.raw.toString('base64')}:` };
}

/** The certificate facts for this socket's peer: remembered ones, or worked out from the presented chain. */
function peerFacts(socket: TLSSocket, trust: TrustAnchors): CertFacts | null {
  const leaf = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
  if (!leaf) return null;
  const thumbprint = thumbprintOf(leaf.raw);
  const known = byCertificate.get(thumbprint);
  if (known) return known;
  // Anchors alone first: a certificate that chains that way chains so on every connection.
  const anchored = trust.verifyChain(leaf);
  if (anchored.ok) {
    const facts = certFacts(leaf, thumbprint, anchored, trust);
    if (byCertificate.size >= CERTIFICATE_LIMIT) byCertificate.delete(byCertificate.keys().next().value!);
    byCertificate.set(thumbprint, facts);
    return facts;
  }
  // Otherwise the intermediates this client sent may make the difference: decided per connection.
  const presented = presentedChain(socket);
  return certFacts(leaf, thumbprint, trust.verifyChain(leaf, presented.slice(1)), trust);
}

export function connectionFacts(socket: Socket, trust: TrustAnchors): ConnectionFacts {
  const hit = bySocket.get(socket);
  if (hit) return hit;
  const tlsSocket = socket as TLSSocket;
  const cert = peerFacts(tlsSocket, trust);
  const facts: ConnectionFacts = {
    tls: {
      protocol: tlsSocket.getProtocol?.() ?? null,
      cipher: tlsSocket.getCipher?.()?.standardName ?? null,
      authorized: tlsSocket.authorized ?? false,
      authorizationError: tlsSocket.authorizationError ? String(tlsSocket.authorizationError) : null,
      peerCertificate: cert?.summary ?? null,
      sessionReused: tlsSocket.isSessionReused?.() ?? false,
    },
    peer: cert?.peer ?? null,
    thumbprint: cert?.thumbprint ?? null,
    chain: cert?.chain ?? null,
    revoked: cert?.revoked ?? false,
    clientCertHeader: cert?.clientCertHeader ?? null,
  };
  bySocket.set(socket, facts);
  return facts;
}
