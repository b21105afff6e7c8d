// The seeded clients, one per authentication and binding method, built from the PKI so that
// regenerated certificates still match (tls_client_auth by subject DN or SAN, self-signed by the
// registered certificate, private_key_jwt by the registered public key). The authorization code
// clients may name consents in RFC 9396 authorization_details. Payment clients register their sandbox
// directory signing key for RFC 9101 request objects; tpp-alpha-jar must send one.
import { createHash, X509Certificate } from 'node:crypto';
import type { ClientMetadata, JWK } from 'oidc-provider';
import type { Pki } from '../pki/load.ts';
import { DETAIL_TYPES } from '../../lib/obie/intent.ts';

function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk as JWK & Record<string, unknown>;
  return pub as JWK;
}

/**
 * The directory signing certificate whose key signs each client's request objects (RFC 9101), registered
 * in its jwks under the directory's kid. The engine signs with the same key (server/engine/target.ts).
 */
export const REQUEST_OBJECT_KEYS: Readonly<Record<string, string>> = {
  'tpp-alpha': 'tpp-alpha-signing', 'tpp-alpha-jar': 'tpp-alpha-signing', 'tpp-dpop': 'tpp-dpop-signing',
};

/** The public JWK of a signing certificate with the sandbox directory's kid (its RFC 7638 thumbprint, P-256). */
function signingJwk(pki: Pki, cert: string): JWK {
  const jwk = new X509Certificate(pki.cert(cert).cert).publicKey.export({ format: 'jwk' }) as { crv: string; kty: string; x: string; y: string };
  const kid = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
  return { ...jwk, kid, use: 'sig', alg: 'ES256' };
}

/** The seeded clients (static: configuration, not storage). */
export function seededClients(pki: Pki, callback: string): ClientMetadata[] {
  const dn = (cert: string) => pki.cert(cert).entry.subject;
  const fapi = { id_token_signed_response_alg: 'PS256', authorization_signed_response_alg: 'PS256', scope: 'openid offline_access accounts payments' } as const;
  const code = {
    grant_types: ['client_credentials', 'authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [callback],
    authorization_details_types: [...DETAIL_TYPES],
  } as const;
  const ccOnly = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] } as const;
  const selfSigned = new X509Certificate(pki.cert('tpp-selfsigned').cert);
  const requestKeys = (clientId: string) => (REQUEST_OBJECT_KEYS[clientId] ? [signingJwk(pki, REQUEST_OBJECT_KEYS[clientId])] : []);
  const keyClient = (clientId: string) => ({ keys: [publicJwk(pki.clientKey(clientId)), ...requestKeys(clientId)] });
  return [
    { client_id: 'tpp-alpha', client_name: 'Alpha Payments', ...fapi, ...code, jwks: { keys: requestKeys('tpp-alpha') },
      token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: dn('tpp-alpha'), tls_client_certificate_bound_access_tokens: true },
    // Alpha's certificate and signing key, registered with require_signed_request_object (RFC 9101 §10.5): plain parameters at PAR are refused.
    { client_id: 'tpp-alpha-jar', client_name: 'Alpha Payments (test client: signed request objects required)', ...fapi, ...code, jwks: { keys: requestKeys('tpp-alpha-jar') },
      require_signed_request_object: true,
      token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: dn('tpp-alpha'), tls_client_certificate_bound_access_tokens: true },
    // Alpha's certificate, codes that live 2 s (fapi2.ts CODE_TTL): the expired-code scenario without a minute's wait.
    { client_id: 'tpp-alpha-short-code', client_name: 'Alpha Payments (test client: 2-second codes)', ...fapi, ...code,
      token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: dn('tpp-alpha'), tls_client_certificate_bound_access_tokens: true },
    { client_id: 'tpp-beta', client_name: 'Beta Budgeting', ...fapi, ...code,
      token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'tpp-beta.example', tls_client_certificate_bound_access_tokens: true },
    { client_id: 'mallory-app', client_name: 'Mallory Apps', ...fapi, ...ccOnly,
      token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: dn('mallory'), tls_client_certificate_bound_access_tokens: true },
    { client_id: 'tpp-selfsigned', client_name: 'Delta Savings', ...fapi, ...ccOnly,
      token_endpoint_auth_method: 'self_signed_tls_client_auth', tls_client_certificate_bound_access_tokens: true,
      jwks: { keys: [{ ...(selfSigned.publicKey.export({ format: 'jwk' }) as JWK), x5c: [selfSigned.raw.toString('base64')] }] } },
    { client_id: 'tpp-gamma-dpop', client_name: 'Gamma Wallet', ...fapi, ...code,
      token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: dn('tpp-gamma'), dpop_bound_access_tokens: true },
    { client_id: 'tpp-dpop', client_name: 'Epsilon DPoP App', ...fapi, ...code,
      token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: keyClient('tpp-dpop'), dpop_bound_access_tokens: true },
    // The legacy profile (fapi2.ts LEGACY_CLIENTS): plain bearer tokens, for the lessons on why FAPI refuses them.
    { client_id: 'tpp-bearer', client_name: 'Legacy Bearer App', ...fapi, ...ccOnly,
      token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: keyClient('tpp-bearer') },
    { client_id: 'fapi-gateway', client_name: 'fapi-sandbox gateway (introspection)', ...fapi, ...ccOnly,
      token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: dn('fapi-gateway'), tls_client_certificate_bound_access_tokens: true },
  ];
}
