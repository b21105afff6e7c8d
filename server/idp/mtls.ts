// RFC 8705 §2 at the token endpoint: where oidc-provider gets the client certificate (the TLS
// socket of the mTLS alias listener), whether it is trusted (Node's verdict: chain, validity, CRL),
// and how tls_client_auth_* registrations match it (§2.1.2: subject DN or one SAN).
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { normalizeDn, rfc4514 } from '../pki/x509.ts';

function socketOf(ctx: KoaContextWithOIDC): TLSSocket {
  return ctx.req.socket as TLSSocket;
}

export function getCertificate(ctx: KoaContextWithOIDC): X509Certificate | undefined {
  const socket = socketOf(ctx);
  return typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
}

export function certificateAuthorized(ctx: KoaContextWithOIDC): boolean {
  return socketOf(ctx).authorized === true;
}

const SAN_PREFIX: Record<string, string> = {
  tls_client_auth_san_dns: 'DNS:',
  tls_client_auth_san_uri: 'URI:',
  tls_client_auth_san_ip: 'IP Address:',
  tls_client_auth_san_email: 'email:',
};

/** The SANs of one type, e.g. all dNSNames. */
export function sanValues(cert: X509Certificate, property: string): string[] {
  const prefix = SAN_PREFIX[property];
  if (!prefix) return [];
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith(prefix))
    .map((s) => s.slice(prefix.length));
}

export function certificateSubjectMatches(ctx: KoaContextWithOIDC, property: string, expected: string): boolean {
  const cert = getCertificate(ctx);
  if (!cert) return false;
  if (property === 'tls_client_auth_subject_dn') return normalizeDn(rfc4514(cert.subject)) === normalizeDn(expected);
  return sanValues(cert, property).some((v) => (property === 'tls_client_auth_san_dns' ? v.toLowerCase() === expected.toLowerCase() : v === expected));
}
