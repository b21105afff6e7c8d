// The shape of certs/index.json: every certificate and key of the sandbox PKI, with the facts
// a learner needs (subject, issuer, validity, x5t#S256 thumbprint, registered client).
import type { CertSummary } from '../../lib/trace/decision.ts';
import type { CertRole } from './plan.ts';

export interface IndexedCert extends CertSummary {
  name: string;
  role: CertRole;
  description: string;
  /** The seeded IdP client this certificate authenticates, if any. */
  clientId: string | null;
  /** Chains to the sandbox root CA. */
  trusted: boolean;
  revoked: boolean;
  /** Paths relative to the certs directory. `chain` is leaf + issuer, what a client presents. */
  files: { cert: string; key: string; chain: string | null };
}

export interface IndexedKey {
  clientId: string;
  kid: string;
  alg: string;
  file: string;
}

export interface PkiIndex {
  version: 1;
  generatedAt: string;
  trust: { caBundle: string; crl: string; crlNextUpdate: string | null; revokedSerials: string[] };
  idpJwks: string;
  /** Cookie keys and DPoP nonce secrets (stable across restarts, RFC 9449 §9). */
  secrets: string;
  certificates: IndexedCert[];
  keys: IndexedKey[];
}
