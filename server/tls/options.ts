// TLS settings shared by every HTTPS listener: TLS 1.2+ and, for TLS 1.2, only the ECDHE AES-GCM
// suites of BCP 195 (RFC 9325 §4.2) that FAPI 2.0 Security Profile §5.2.1 permits.
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import { constants } from 'node:crypto';
import type { Pki } from '../pki/load.ts';

export const FAPI_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
].join(':');

/** The TLS 1.2 suites FAPI allows, by IANA name (what getCipher().standardName reports). TLS 1.3 suites are all AEAD. */
export const FAPI_TLS12_SUITES: ReadonlySet<string> = new Set([
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
]);

export function serverTls(pki: Pki): SecureContextOptions & TlsOptions {
  return {
    key: pki.server.key,
    cert: pki.server.chain,
    minVersion: 'TLSv1.2',
    ciphers: FAPI_CIPHERS,
    honorCipherOrder: true,
    // No TLS 1.2 renegotiation: a client asking gets a no_renegotiation alert (each one would cost the
    // server a full handshake; BCP 195 / RFC 9325). TLS 1.3 has none.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    handshakeTimeout: 10_000,
  };
}

/**
 * A listener that asks for a client certificate. `strict: false` completes the handshake whatever
 * the certificate, so the failure can be reported as a check (DESIGN.md); `strict: true` answers
 * a bad certificate with a TLS alert.
 */
export function mtlsServerTls(pki: Pki, strict: boolean): SecureContextOptions & TlsOptions {
  return { ...serverTls(pki), requestCert: true, rejectUnauthorized: strict, ca: pki.caBundle, crl: pki.crls };
}
