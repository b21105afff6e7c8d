// Builds DPoP proofs (RFC 9449 §4.2) and, on request, breaks them the ways a scenario asks:
// other htm / htu, stale iat, fixed jti, missing or wrong ath, foreign typ / alg, private jwk.
import { KeyObject, constants, createHash, randomBytes, randomUUID, sign } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { DpopSpec } from '../../../lib/scenario/schema.ts';

export interface DpopKey {
  name: string;
  alg: 'ES256' | 'PS256' | 'EdDSA';
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  /** RFC 7638 thumbprint: the value a bound token carries in cnf.jkt. */
  jkt: string;
}

export async function generateDpopKey(name: string): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { name, alg: 'ES256', privateKey, publicJwk, privateJwk: await exportJWK(privateKey), jkt: await calculateJwkThumbprint(publicJwk) };
}

/** A DPoP key from a registered private JWK (ES256, PS256 or EdDSA, as its alg says). */
export async function importDpopKey(name: string, jwk: JWK): Promise<DpopKey> {
  const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'OKP' ? 'EdDSA' : 'PS256');
  const privateKey = (await importJWK(jwk, alg)) as CryptoKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  const { kty, crv, x, y, n, e } = rest;
  const publicJwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined)) as JWK;
  return { name, alg: alg as DpopKey['alg'], privateKey, publicJwk, privateJwk: jwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

export interface ProofRequest {
  method: string;
  url: string;
  accessToken?: string;
  nonce?: string;
  /** Seconds since the epoch on the engine's (possibly shifted) clock. */
  now: number;
  /** Show this key's public jwk in the header while signing with `key` (a forged signature). */
  jwkOf?: DpopKey;
}

export interface BuiltProof {
  jwt: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Human-readable list of what was deliberately broken. */
  mutations: string[];
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The same URL spelt another, equivalent way (RFC 3986 §6.2.2-3), as htuForm asks. */
function respell(url: URL, form: NonNullable<DpopSpec['htuForm']>): string {
  if (form === 'upper-case-origin') return `${url.protocol.toUpperCase()}//${url.host.toUpperCase()}${url.pathname}`;
  if (form === 'explicit-default-port') return url.port ? `${url.origin}${url.pathname}` : `${url.protocol}//${url.hostname}:${url.protocol === 'https:' ? 443 : 80}${url.pathname}`;
  // The first letter of the last path segment, percent-encoded: /aisp/accounts -> /aisp/%61ccounts.
  return `${url.origin}${url.pathname.replace(/\/([A-Za-z])([^/]*)$/, (_, c: string, rest: string) => `/%${c.charCodeAt(0).toString(16)}${rest}`)}`;
}

/** A JWS signature by the key's own algorithm, for headers jose will not sign (no alg, a symmetric jwk). */
function rawSignature(key: DpopKey, input: string): string {
  const k = KeyObject.from(key.privateKey);
  const data = Buffer.from(input);
  const signature = key.alg === 'ES256' ? sign('sha256', data, { key: k, dsaEncoding: 'ieee-p1363' })
    : key.alg === 'PS256' ? sign('sha256', data, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
      : sign(null, data, k);
  return signature.toString('base64url');
}

export async function buildProof(key: DpopKey, req: ProofRequest, spec: Partial<DpopSpec> = {}): Promise<BuiltProof> {
  const mutations: string[] = [];
  const url = new URL(req.url);
  const claims: Record<string, unknown> = {
    jti: spec.jti ?? randomUUID(),
    htm: spec.htm ?? req.method,
    htu: spec.htu ?? `${url.origin}${url.pathname}`,
    iat: Math.floor(req.now) + (spec.iatOffset ?? 0),
  };
  if (spec.htm) mutations.push(`htm ${spec.htm} (request is ${req.method})`);
  if (spec.htu) mutations.push(`htu ${spec.htu}`);
  if (spec.iatOffset) mutations.push(`iat ${spec.iatOffset > 0 ? '+' : ''}${spec.iatOffset} s`);
  if (spec.jti) mutations.push(`fixed jti ${spec.jti}`);
  if (req.accessToken) {
    const ath = createHash('sha256').update(req.accessToken).digest('base64url');
    if (spec.ath === 'omit') mutations.push('ath omitted');
    else if (spec.ath === 'wrong') {
      claims.ath = createHash('sha256').update(`${req.accessToken}-not-this-one`).digest('base64url');
      mutations.push('ath of another token');
    } else claims.ath = ath;
  }
  if (req.nonce) claims.nonce = req.nonce;
  for (const omitted of spec.omitClaims ?? []) {
    delete claims[omitted];
    mutations.push(`${omitted} omitted`);
  }
  const alg = spec.alg ?? key.alg;
  const header: Record<string, unknown> = { typ: spec.typ ?? 'dpop+jwt', alg, jwk: spec.embedPrivateKey ? key.privateJwk : (req.jwkOf?.publicJwk ?? key.publicJwk) };
  if (req.jwkOf) mutations.push(`jwk of key ${req.jwkOf.name}, signed with key ${key.name} (a forged signature)`);
  if (spec.typ) mutations.push(`typ ${spec.typ}`);
  if (spec.embedPrivateKey) mutations.push('private key in the jwk header');
  if (spec.htuForm && !spec.htu) {
    claims.htu = respell(url, spec.htuForm);
    mutations.push(`htu spelt ${spec.htuForm}: ${String(claims.htu)}`);
  }
  if (spec.extraClaims && Object.keys(spec.extraClaims).length) {
    Object.assign(claims, spec.extraClaims);
    mutations.push(`extra claims ${Object.keys(spec.extraClaims).join(', ')}`);
  }
  if (spec.symmetricJwk) {
    header.jwk = { kty: 'oct', k: randomBytes(32).toString('base64url') };
    mutations.push('a symmetric (kty oct) key in the jwk header');
  }
  for (const omitted of spec.omitHeader ?? []) {
    delete header[omitted];
    mutations.push(`${omitted} header omitted`);
  }
  if (spec.symmetricJwk || spec.omitHeader?.length) {
    const input = `${b64(header)}.${b64(claims)}`;
    return { jwt: `${input}.${rawSignature(key, input)}`, header, claims, mutations };
  }
  if (alg === 'none') {
    mutations.push('alg none (unsigned)');
    return { jwt: `${b64(header)}.${b64(claims)}.`, header, claims, mutations };
  }
  if (alg === 'HS256') {
    mutations.push('alg HS256 with a made-up secret');
    const jwt = await new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(new TextEncoder().encode('attacker-chosen-secret-0123456789'));
    return { jwt, header, claims, mutations };
  }
  if (alg !== key.alg) {
    // Algorithm confusion: the header names another algorithm, the signature is still the key's own
    // (ES256, JWS raw r||s). jose refuses to sign that, so the JWS is assembled here.
    mutations.push(`header alg ${alg} over an ${key.alg} signature`);
    const input = `${b64(header)}.${b64(claims)}`;
    const signature = sign('sha256', Buffer.from(input), { key: KeyObject.from(key.privateKey), dsaEncoding: 'ieee-p1363' });
    return { jwt: `${input}.${signature.toString('base64url')}`, header, claims, mutations };
  }
  const jwt = await new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
  return { jwt, header, claims, mutations };
}
