// Verifies the x-jws-signature of a payment request (OBIE Read/Write Data API v3.1.4+ "Message
// Signing", RFC 7515 Appendix F detached content) as a table of checks, in order; the first failure
// answers 400 with its OBIE Signature error code and a message that starts with the check's id.
import { compactVerify } from 'jose';
import type { Directory, DirectoryEntry } from '../directory/index.ts';
import { OB_CRIT, OB_IAT, OB_ISS, OB_TAN, TRUST_ANCHOR, JWS_SIGNATURE_HEADER } from '../directory/jws.ts';
import { decodeJson, isCanonicalCompact } from '../gateway/jose-util.ts';
import { ObieError, type ObieErrorCode } from './obie.ts';

export const JWS_ALGS = ['PS256', 'ES256'] as const;
/** How old a signature's iat may be, and how far in the future (clock skew), in seconds. */
export const JWS_MAX_AGE_SECONDS = 300;
export const JWS_FUTURE_SKEW_SECONDS = 60;

interface JwsContext {
  value: string | string[] | undefined;
  body: Buffer;
  clientId: string;
  now: number;
  directory: Directory;
  parts?: string[];
  header?: Record<string, unknown>;
  key?: DirectoryEntry;
}

interface JwsCheck {
  id: string;
  code: ObieErrorCode;
  /** null: passed; a string: why it failed. */
  run(c: JwsContext): string | null | Promise<string | null>;
}

const sameSet = (a: unknown, b: readonly string[]) => Array.isArray(a) && a.length === b.length && b.every((x) => a.includes(x));

export const JWS_CHECKS: readonly JwsCheck[] = [
  { id: 'jws.present', code: 'UK.OBIE.Signature.Missing',
    run: (c) => (typeof c.value === 'string' ? null : c.value === undefined ? `no ${JWS_SIGNATURE_HEADER} header: payment requests must be signed` : `${JWS_SIGNATURE_HEADER} was sent more than once`) },
  { id: 'jws.detached', code: 'UK.OBIE.Signature.Malformed',
    run: (c) => {
      const parts = (c.value as string).split('.');
      if (parts.length !== 3 || parts[1] !== '' || !parts[0] || !parts[2]) return 'not a detached JWS (<protected header>..<signature>, the payload left out)';
      if (!isCanonicalCompact(parts)) return 'a segment is not canonical base64url';
      const header = decodeJson(parts[0]);
      if (!header) return 'the protected header is not a base64url JSON object';
      c.parts = parts;
      c.header = header;
      return null;
    } },
  { id: 'jws.alg', code: 'UK.OBIE.Signature.InvalidClaim',
    run: (c) => ((JWS_ALGS as readonly unknown[]).includes(c.header!.alg) ? null : `alg ${JSON.stringify(c.header!.alg)} is not one of ${JWS_ALGS.join(', ')}`) },
  { id: 'jws.b64-absent', code: 'UK.OBIE.Signature.InvalidClaim',
    run: (c) => ('b64' in c.header! ? 'the b64 header parameter is not used since OBIE v3.1.4 (the payload is base64url-encoded as usual)' : null) },
  { id: 'jws.crit', code: 'UK.OBIE.Signature.MissingClaim',
    run: (c) => (sameSet(c.header!.crit, OB_CRIT) ? null : `crit must list exactly ${OB_CRIT.join(', ')} (got ${JSON.stringify(c.header!.crit ?? null)})`) },
  { id: 'jws.claims-present', code: 'UK.OBIE.Signature.MissingClaim',
    run: (c) => {
      const h = c.header!;
      const missing = [typeof h.kid === 'string' ? null : 'kid', typeof h[OB_IAT] === 'number' ? null : OB_IAT, typeof h[OB_ISS] === 'string' ? null : OB_ISS, typeof h[OB_TAN] === 'string' ? null : OB_TAN].filter(Boolean);
      return missing.length ? `missing or mistyped: ${missing.join(', ')}` : null;
    } },
  { id: 'jws.tan', code: 'UK.OBIE.Signature.InvalidClaim',
    run: (c) => (c.header![OB_TAN] === TRUST_ANCHOR ? null : `${OB_TAN} is ${JSON.stringify(c.header![OB_TAN])}, not ${TRUST_ANCHOR}`) },
  { id: 'jws.iat-window', code: 'UK.OBIE.Signature.InvalidClaim',
    run: (c) => {
      const iat = c.header![OB_IAT] as number;
      if (iat > c.now + JWS_FUTURE_SKEW_SECONDS) return `${OB_IAT} ${iat} is ${iat - c.now} s in the future`;
      if (iat < c.now - JWS_MAX_AGE_SECONDS) return `${OB_IAT} ${iat} is ${c.now - iat} s old (at most ${JWS_MAX_AGE_SECONDS} s)`;
      return null;
    } },
  { id: 'jws.kid-known', code: 'UK.OBIE.Signature.Invalid',
    run: (c) => {
      c.key = c.directory.byKid(c.header!.kid as string) ?? undefined;
      return c.key ? null : `kid ${String(c.header!.kid).slice(0, 100)} is not a key of the sandbox directory`;
    } },
  { id: 'jws.kid-of-client', code: 'UK.OBIE.Signature.Invalid',
    run: (c) => (c.key!.clientId === c.clientId ? null : `kid ${c.key!.kid} is the key of ${c.key!.clientId ?? 'the bank'}, not of ${c.clientId}, the client the access token was issued to`) },
  { id: 'jws.iss', code: 'UK.OBIE.Signature.InvalidClaim',
    run: (c) => (c.header![OB_ISS] === c.key!.iss ? null : `${OB_ISS} ${JSON.stringify(c.header![OB_ISS])} is not ${c.key!.iss}, the organisation/software of kid ${c.key!.kid}`) },
  { id: 'jws.signature', code: 'UK.OBIE.Signature.Invalid',
    run: async (c) => {
      const [h, , s] = c.parts!;
      try {
        await compactVerify(`${h}.${c.body.toString('base64url')}.${s}`, c.key!.publicKey, { algorithms: [...JWS_ALGS], crit: Object.fromEntries(OB_CRIT.map((x) => [x, true])) });
        return null;
      } catch {
        return `the signature does not verify over the ${c.body.length} bytes of the body with kid ${c.key!.kid}`;
      }
    } },
];

/** Runs the checks; throws the first failure as a 400 OBIE error (Path x-jws-signature). */
export async function verifyRequestSignature(input: Omit<JwsContext, 'parts' | 'header' | 'key'>): Promise<void> {
  const c: JwsContext = { ...input };
  for (const check of JWS_CHECKS) {
    const failure = await check.run(c);
    if (failure !== null) {
      throw new ObieError(400, 'The request signature is not acceptable.', [{ ErrorCode: check.code, Message: `${check.id}: ${failure}.`, Path: JWS_SIGNATURE_HEADER }]);
    }
  }
}
