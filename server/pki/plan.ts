// The sandbox PKI as a table: every certificate `npm run certs` issues, its role in the
// scenarios, and the client it is registered to (RFC 8705 §2.1 tls_client_auth, §2.2 self-signed).

export type CertRole =
  | 'root-ca'
  | 'issuing-ca'
  | 'rogue-ca'
  | 'server'
  | 'client'
  | 'attacker'
  | 'expired'
  | 'not-yet-valid'
  | 'untrusted'
  | 'self-signed'
  | 'revoked'
  | 'service'
  | 'signing';

export type Validity = 'valid' | 'expired' | 'not-yet-valid';

export interface LeafPlan {
  name: string;
  role: CertRole;
  description: string;
  /** Subject as RDNs, most significant first (C, O, OU, CN). */
  subject: [string, string][];
  dnsNames?: string[];
  issuer: 'issuing-ca' | 'rogue-ca' | 'self';
  validity: Validity;
  revoked?: boolean;
  /** The seeded IdP client this certificate authenticates (null: registered to nobody). */
  clientId: string | null;
}

const ALPHA: [string, string][] = [['C', 'GB'], ['O', 'Alpha Payments Ltd'], ['OU', '0015800001041REAAY'], ['CN', 'tpp-alpha']];

/** Leaf certificates: clients, attackers and broken certificates. ECDSA P-256, issued by the intermediate unless noted. */
export const CLIENT_CERTS: LeafPlan[] = [
  { name: 'tpp-alpha', role: 'client', clientId: 'tpp-alpha', issuer: 'issuing-ca', validity: 'valid', subject: ALPHA,
    description: 'Alpha Payments, a legitimate TPP (tls_client_auth by subject DN, certificate-bound tokens).' },
  { name: 'tpp-beta', role: 'client', clientId: 'tpp-beta', issuer: 'issuing-ca', validity: 'valid', dnsNames: ['tpp-beta.example'],
    subject: [['C', 'GB'], ['O', 'Beta Budgeting Ltd'], ['OU', '0015800001041REBBZ'], ['CN', 'tpp-beta']],
    description: 'Beta Budgeting, a second legitimate TPP (tls_client_auth by SAN dNSName).' },
  { name: 'tpp-gamma', role: 'client', clientId: 'tpp-gamma-dpop', issuer: 'issuing-ca', validity: 'valid',
    subject: [['C', 'GB'], ['O', 'Gamma Wallet Ltd'], ['OU', '0015800001041REGGX'], ['CN', 'tpp-gamma']],
    description: 'Gamma Wallet: authenticates with its certificate but binds its tokens with DPoP.' },
  { name: 'mallory', role: 'attacker', clientId: 'mallory-app', issuer: 'issuing-ca', validity: 'valid',
    subject: [['C', 'GB'], ['O', 'Mallory Apps Ltd'], ['OU', '0015800001041REMMQ'], ['CN', 'mallory-app']],
    description: 'An attacker holding a perfectly valid certificate from the same CA, registered as her own client.' },
  { name: 'alpha-expired', role: 'expired', clientId: 'tpp-alpha', issuer: 'issuing-ca', validity: 'expired', subject: ALPHA,
    description: "Alpha's previous certificate: right subject, right CA, past its notAfter." },
  { name: 'alpha-not-yet-valid', role: 'not-yet-valid', clientId: 'tpp-alpha', issuer: 'issuing-ca', validity: 'not-yet-valid', subject: ALPHA,
    description: "Alpha's next certificate: right subject, right CA, before its notBefore." },
  { name: 'alpha-revoked', role: 'revoked', clientId: 'tpp-alpha', issuer: 'issuing-ca', validity: 'valid', revoked: true, subject: ALPHA,
    description: "A compromised certificate of Alpha's, listed in the issuing CA's CRL." },
  { name: 'rogue-alpha', role: 'untrusted', clientId: null, issuer: 'rogue-ca', validity: 'valid', subject: ALPHA,
    description: "Alpha's subject DN on a certificate from an untrusted rogue CA." },
  { name: 'fapi-gateway', role: 'service', clientId: 'fapi-gateway', issuer: 'issuing-ca', validity: 'valid',
    subject: [['C', 'GB'], ['O', 'FAPI Sandbox'], ['CN', 'fapi-gateway']],
    description: "The sandbox gateway's own certificate: it authenticates to the IdP's introspection endpoint (phantom-token route)." },
  { name: 'tpp-selfsigned', role: 'self-signed', clientId: 'tpp-selfsigned', issuer: 'self', validity: 'valid',
    subject: [['C', 'GB'], ['O', 'Delta Savings Ltd'], ['CN', 'tpp-selfsigned']],
    description: 'A self-signed certificate registered in its client\'s JWKS (self_signed_tls_client_auth, RFC 8705 §2.2).' },
];

/** Keys for private_key_jwt clients (RFC 7523); the public halves are registered with the IdP. */
export const CLIENT_KEYS = ['tpp-dpop', 'tpp-bearer'] as const;

/** Validity windows relative to generation time, in days. */
export const VALIDITY_DAYS: Record<Validity, { from: number; to: number }> = {
  valid: { from: -1, to: 3 * 365 },
  expired: { from: -2 * 365, to: -1 },
  'not-yet-valid': { from: 5 * 365, to: 8 * 365 },
};

/**
 * Message-signing certificates (OBIE "OBSeal" role): the keys TPPs sign detached JWS request bodies with
 * (x-jws-signature) and the bank signs its responses with, published in the sandbox directory's JWKS.
 * ECDSA P-256 from the issuing CA, digitalSignature + nonRepudiation, no TLS usage.
 */
export interface SigningPlan {
  name: string;
  /** The client whose requests this key signs (null: the bank, the ASPSP). */
  clientId: string | null;
  /** OB Directory organisation id and software statement id: the JWS `http://openbanking.org.uk/iss` is org/software (org alone for the bank). */
  orgId: string;
  softwareId: string | null;
  subject: [string, string][];
  description: string;
}

export const SIGNING_CERTS: SigningPlan[] = [
  { name: 'tpp-alpha-signing', clientId: 'tpp-alpha', orgId: '0015800001041REAAY', softwareId: 'tpp-alpha',
    subject: [['C', 'GB'], ['O', 'Alpha Payments Ltd'], ['OU', '0015800001041REAAY'], ['CN', 'tpp-alpha signing']],
    description: "Alpha Payments' message-signing key (detached JWS on payment requests)." },
  { name: 'tpp-dpop-signing', clientId: 'tpp-dpop', orgId: '0015800001041REEEP', softwareId: 'tpp-dpop',
    subject: [['C', 'GB'], ['O', 'Epsilon DPoP Ltd'], ['OU', '0015800001041REEEP'], ['CN', 'tpp-dpop signing']],
    description: "Epsilon's message-signing key (the DPoP client's payment requests)." },
  { name: 'mallory-signing', clientId: 'mallory-app', orgId: '0015800001041REMMQ', softwareId: 'mallory-app',
    subject: [['C', 'GB'], ['O', 'Mallory Apps Ltd'], ['OU', '0015800001041REMMQ'], ['CN', 'mallory-app signing']],
    description: "Mallory's own message-signing key: valid, published, and hers." },
  { name: 'bank-signing', clientId: null, orgId: '0015800000jfQ9aAAE', softwareId: null,
    subject: [['C', 'GB'], ['O', 'FAPI Sandbox Bank'], ['OU', '0015800000jfQ9aAAE'], ['CN', 'bank signing']],
    description: "The bank's (ASPSP's) key: it signs every Payment Initiation API response." },
];
