// OBIE detached JWS (Read/Write Data API v3.1.4+ "Message Signing"): the x-jws-signature header is a
// JWS compact serialisation of the HTTP body with the payload left out (RFC 7515 Appendix F), its
// protected header carrying alg, kid, typ JOSE, cty application/json and the critical claims
// http://openbanking.org.uk/iat, /iss and /tan, with no b64 claim (removed in v3.1.4). jose signs.
import { CompactSign } from 'jose';
import type { KeyObject } from 'node:crypto';

export const OB_IAT = 'http://openbanking.org.uk/iat';
export const OB_ISS = 'http://openbanking.org.uk/iss';
export const OB_TAN = 'http://openbanking.org.uk/tan';
export const OB_CRIT = [OB_IAT, OB_ISS, OB_TAN] as const;
/** The trust anchor the sandbox directory stands in for. */
export const TRUST_ANCHOR = 'openbanking.org.uk';
export const JWS_SIGNATURE_HEADER = 'x-jws-signature';

export interface DetachedSignOptions {
  privateKey: KeyObject;
  kid: string;
  iss: string;
  alg?: 'ES256' | 'PS256';
  /** Seconds since the epoch (default now). */
  iat?: number;
  tan?: string;
  /** Leave `crit` out (a malformed signature, for scenarios). */
  omitCrit?: boolean;
}

/** The protected header of an OBIE detached signature. */
export function obHeader(o: Omit<DetachedSignOptions, 'privateKey'>): Record<string, unknown> {
  return {
    alg: o.alg ?? 'ES256', kid: o.kid, typ: 'JOSE', cty: 'application/json',
    [OB_IAT]: o.iat ?? Math.floor(Date.now() / 1000), [OB_ISS]: o.iss, [OB_TAN]: o.tan ?? TRUST_ANCHOR,
    ...(o.omitCrit ? {} : { crit: [...OB_CRIT] }),
  };
}

/** `<protected header>..<signature>` over the body bytes. */
export async function signDetached(body: string | Uint8Array, o: DetachedSignOptions): Promise<string> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const header = obHeader(o);
  const jws = await new CompactSign(bytes)
    .setProtectedHeader(header as never)
    .sign(o.privateKey, { crit: Object.fromEntries(OB_CRIT.map((c) => [c, true])) });
  const [h, , s] = jws.split('.');
  return `${h}..${s}`;
}
