// What a server (the gateway or the identity provider) decided about one request: the TLS facts it
// saw, every check it ran in order, and the response it gave. Keyed by x-fapi-interaction-id so the
// engine can join the server's view into a scenario step (DESIGN.md, "How data flows").
import type { CheckResult } from '../checks/catalogue.ts';

/** A certificate as the trace shows it (all strings, JSON-safe). */
export interface CertSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** base64url(SHA-256(DER)): the value RFC 8705 §3.1 puts in cnf["x5t#S256"]. */
  thumbprint: string;
  subjectAltNames: string[];
  selfSigned: boolean;
}

/** The server side of a TLS connection: what the gateway or IdP saw. */
export interface ServerTlsView {
  protocol: string | null;
  cipher: string | null;
  /** Node's verdict against the configured CA bundle and CRLs. */
  authorized: boolean;
  authorizationError: string | null;
  peerCertificate: CertSummary | null;
  sessionReused: boolean;
}

export type Binding = 'mtls' | 'dpop' | 'either' | 'bearer';

export interface Decision {
  interactionId: string;
  source: 'gateway' | 'idp';
  at: string;
  request: { method: string; url: string; route: string; binding?: Binding };
  tls: ServerTlsView | null;
  checks: CheckResult[];
  response: { status: number; error?: string; errorDescription?: string; wwwAuthenticate?: string };
  /** Server time spent deciding, in milliseconds. */
  durationMs: number;
}
