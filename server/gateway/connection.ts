// Facts about one TLS connection, computed once per socket (not per request): protocol, cipher,
// Node's verdict, the peer certificate, its x5t#S256 thumbprint (RFC 8705 §3.1) and our own
// chain verdict. Resumed sessions still expose the peer certificate.
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ServerTlsView } from '../../lib/trace/decision.ts';
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

const cache = new WeakMap<Socket, ConnectionFacts>();

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

export function connectionFacts(socket: Socket, trust: TrustAnchors): ConnectionFacts {
  const hit = cache.get(socket);
  if (hit) return hit;
  const tlsSocket = socket as TLSSocket;
  const chain = typeof tlsSocket.getPeerCertificate === 'function' ? presentedChain(tlsSocket) : [];
  const peer = chain[0] ?? null;
  const facts: ConnectionFacts = {
    tls: {
      protocol: tlsSocket.getProtocol?.() ?? null,
      cipher: tlsSocket.getCipher?.()?.standardName ?? null,
      authorized: tlsSocket.authorized ?? false,
      authorizationError: tlsSocket.authorizationError ? String(tlsSocket.authorizationError) : null,
      peerCertificate: peer ? summarizeCert(peer) : null,
      sessionReused: tlsSocket.isSessionReused?.() ?? false,
    },
    peer,
    thumbprint: peer ? thumbprintOf(peer.raw) : null,
    chain: peer ? trust.verifyChain(peer, chain.slice(1)) : null,
    revoked: peer ? trust.isRevoked(peer) : false,
    clientCertHeader: peer ? `:${peer.raw.toString('base64')}:` : null,
  };
  cache.set(socket, facts);
  return facts;
}
