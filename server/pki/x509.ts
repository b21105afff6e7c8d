// X.509 generation helpers over @peculiar/x509 (keys, PEM private keys), plus the inspection helpers
// of cert.ts re-exported. Only generation and minting load this module (it costs ~120 ms to import).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { toPem } from './cert.ts';

export { toPem, thumbprintOf, rfc4514, normalizeDn, summarizeCert, splitPemBundle } from './cert.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };

export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function generateEcKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return toPem(der, 'PRIVATE KEY');
}

