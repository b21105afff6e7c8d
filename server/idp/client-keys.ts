// RFC 7591 §2 / §3.2.2: keys a client registers in `jwks` must be usable; an RSA modulus under 2048
// bits (FAPI 2.0 SP §5.4.1; a 17-bit one was accepted) is invalid_client_metadata. oidc-provider calls
// extraClientMetadata validators with the whole metadata, so this one checks jwks from `software_id`'s turn.
import type { errors as OidcErrors } from 'oidc-provider';

const MIN_RSA_BITS = 2048;

/** Bits of a base64url big-endian unsigned integer (an RSA modulus). */
function bitLength(b64: string): number {
  const bytes = Buffer.from(b64, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

export function clientKeysValidator(errors: typeof OidcErrors) {
  return (_ctx: unknown, key: string, _value: unknown, metadata: { jwks?: { keys?: unknown } }): void => {
    if (key !== 'software_id') return;
    const keys = Array.isArray(metadata.jwks?.keys) ? (metadata.jwks.keys as { kty?: unknown; n?: unknown; kid?: unknown }[]) : [];
    for (const k of keys) {
      if (k && k.kty === 'RSA' && typeof k.n === 'string' && bitLength(k.n) < MIN_RSA_BITS) {
        throw new errors.InvalidClientMetadata(`jwks: RSA key${typeof k.kid === 'string' ? ` ${k.kid.slice(0, 40)}` : ''} has a ${bitLength(k.n)}-bit modulus; at least ${MIN_RSA_BITS} bits are required`);
      }
    }
  };
}
