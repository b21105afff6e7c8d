// Fuzzing the gateway and, through it, the mock OB API, over real TLS with a seeded PRNG: broken and
// mutated access tokens, alg confusion and bad claims, Authorization oddities, DPoP proofs mutated in
// every header and claim, duplicated / oversized headers, raw malformed HTTP, odd encodings and paths,
// bodies. Every input: no 5xx, no hang, the stack keeps answering, and no refused-by-rule input gets 2xx.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign as cryptoSign, webcrypto } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { startTestStack, idpToken, thumbprint, type TestStack } from '../helpers/stack.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { FUZZ_LIMITS, Fuzzer, Rng, mutate, b64json, latin1, type FuzzInput, type Oracle } from './harness.ts';

const SEED = 0x5eed_0007;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
const ROUTES = ['', '/mtls', '/dpop', '/dpop-nonce', '/phantom', '/bearer'];

let t: TestStack;
let fuzz: Fuzzer;
let rng: Rng;
let alphaToken: string;
let dpopKey: DpopKey;
let otherKey: DpopKey;
let dpopToken: string;
/** Other customers' account ids and identifications: they must never appear in an answer. */
let foreign: string[];

before(async () => {
  t = await startTestStack('fuzz-gateway', { limits: FUZZ_LIMITS });
  rng = new Rng(SEED);
  fuzz = new Fuzzer(t.stack, 12);
  alphaToken = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } }, {});
  dpopKey = await generateDpopKey('fuzz');
  otherKey = await generateDpopKey('fuzz-other');
  dpopToken = await idpToken(t.stack, { client_id: 'tpp-dpop', cnf: { jkt: dpopKey.jkt } });
  const accounts = await t.stack.db.prisma.account.findMany({ where: { customerId: { not: 'psu-demo' } } });
  foreign = accounts.flatMap((a) => [a.id, a.identification]);
  assert.ok(foreign.length >= 4);
  fuzz.captureErrors();
});
after(async () => {
  fuzz.close();
  await t.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const parts = (jwt: string) => jwt.split('.') as [string, string, string];

/** A genuine mTLS call must still succeed: the stack is alive and unharmed. */
async function probe(): Promise<boolean> {
  const o = await fuzz.send({ cls: 'probe', label: 'probe', oracle: 'accept', path: ACCOUNTS, headers: bearer(alphaToken) });
  return o.status === 200;
}

function gw(cls: string, label: string, oracle: Oracle, headers: FuzzInput['headers'], extra: Partial<FuzzInput> = {}): FuzzInput {
  return { cls, label, oracle, path: ACCOUNTS, headers, ...extra };
}

// ---- access tokens: structure ---------------------------------------------------------------------

function jwtStructure(): FuzzInput[] {
  const cls = 'token: broken / truncated JWT';
  const [h, p, s] = parts(alphaToken);
  const out: FuzzInput[] = [];
  for (let i = 0; i < 500; i++) {
    const cut = 1 + rng.int(alphaToken.length - 1);
    out.push(gw(cls, `truncated at ${cut}`, 'refuse', bearer(alphaToken.slice(0, cut))));
  }
  const shapes: [string, string][] = [
    ['two segments', `${h}.${p}`], ['four segments', `${h}.${p}.${s}.${s}`], ['five segments (JWE-like)', `${h}.${p}.${s}.${s}.${s}`],
    ['empty signature', `${h}.${p}.`], ['empty payload', `${h}..${s}`], ['empty header', `.${p}.${s}`], ['only dots', '..'],
    ['swapped header and payload', `${p}.${h}.${s}`], ['payload twice', `${h}.${p}.${p}`], ['reversed', [...alphaToken].reverse().join('')],
    ['padding on the signature', `${h}.${p}.${s}==`], ['non-canonical last signature character', `${h}.${p}.${s.slice(0, -1)}${B64URL[B64URL.indexOf(s.at(-1)!) ^ 1]}`], ['padding on the header', `${h}=.${p}.${s}`],
    ['standard base64 alphabet', alphaToken.replace(/-/g, '+').replace(/_/g, '/')], ['signature doubled', `${h}.${p}.${s}${s}`],
    ['leading dot', `.${alphaToken}`], ['trailing dot', `${alphaToken}.`],
  ];
  const junk: [string, unknown][] = [
    ['array header', []], ['null header', 'null'], ['string header', '"PS256"'], ['number header', '1'], ['not JSON', '{alg:PS256'],
    ['deeply nested', `${'['.repeat(5000)}${']'.repeat(5000)}`], ['__proto__ pollution', '{"__proto__":{"alg":"PS256"},"alg":"none"}'],
    ['big header', { alg: 'PS256', typ: 'at+jwt', pad: 'x'.repeat(9000) }], ['BOM then JSON', '\ufeff{"alg":"PS256"}'],
    ['duplicate alg keys', '{"alg":"none","alg":"PS256","typ":"at+jwt"}'], ['UTF-16 JSON', Buffer.from('{"alg":"PS256"}', 'utf16le').toString('latin1')],
  ];
  for (const route of ROUTES) {
    for (const [label, token] of shapes) out.push(gw(cls, `${label} on ${route || '/'}`, 'refuse', bearer(token), { path: route + ACCOUNTS }));
    for (const [label, header] of junk) {
      out.push(gw(cls, `${label} as header on ${route || '/'}`, 'refuse', bearer(`${b64json(header)}.${p}.${s}`), { path: route + ACCOUNTS }));
      out.push(gw(cls, `${label} as payload on ${route || '/'}`, 'refuse', bearer(`${h}.${b64json(header)}.${s}`), { path: route + ACCOUNTS }));
    }
  }
  for (let i = 0; i < 200; i++) {
    const segs = Array.from({ length: 1 + rng.int(4) }, () => rng.bytes(rng.int(64)).toString('base64url'));
    out.push(gw(cls, `random segments ${i}`, 'refuse', bearer(segs.join('.') || 'x')));
  }
  return out;
}

// ---- access tokens: random edits ------------------------------------------------------------------

function jwtMutations(): FuzzInput[] {
  const cls = 'token: mutated JWT bytes';
  const out: FuzzInput[] = [];
  for (let i = 0; i < 2000; i++) {
    const m = mutate(rng, alphaToken);
    if (m === alphaToken) continue;
    out.push(gw(cls, `edit ${i}: ${m.length} chars`, 'refuse', { authorization: `Bearer ${latin1(m)}` }, { path: rng.pick(['', '/mtls', '/bearer']) + ACCOUNTS }));
  }
  return out;
}

// ---- access tokens: algorithms, keys and claims ---------------------------------------------------

async function jwtAlgAndClaims(): Promise<FuzzInput[]> {
  const cls = 'token: alg confusion / keys / claims';
  const [h, p] = parts(alphaToken);
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const idpJwk = t.stack.idp.publicJwks.keys.find((k) => k.kid === header.kid)!;
  const idpPublic = createPublicKey({ key: idpJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const secrets: [string, Uint8Array][] = [
    ['SPKI PEM', new TextEncoder().encode(idpPublic.export({ type: 'spki', format: 'pem' }) as string)],
    ['PKCS#1 PEM', new TextEncoder().encode(idpPublic.export({ type: 'pkcs1', format: 'pem' }) as string)],
    ['SPKI DER', new Uint8Array(idpPublic.export({ type: 'spki', format: 'der' }))],
    ['JWK JSON', new TextEncoder().encode(JSON.stringify(idpJwk))],
    ['modulus', new Uint8Array(Buffer.from(String(idpJwk.n), 'base64url'))],
  ];
  const out: FuzzInput[] = [];
  const add = (label: string, token: string, oracle: Oracle = 'refuse') => {
    for (const route of ['', '/mtls', '/bearer', '/phantom']) out.push(gw(cls, `${label} on ${route || '/'}`, oracle, bearer(token), { path: route + ACCOUNTS }));
  };
  // alg none in every spelling, with and without a signature.
  for (const alg of ['none', 'None', 'NONE', 'nOnE', 'none ', '']) {
    for (const sig of ['', parts(alphaToken)[2], 'e30']) add(`alg "${alg}" sig ${sig.length}`, `${b64json({ ...header, alg })}.${p}.${sig}`);
  }
  // HMAC keyed with the IdP's public key in every encoding.
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    for (const [what, secret] of secrets) add(`${alg} keyed with the ${what}`, await new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(secret));
  }
  // Algorithm mix-ups: RS256 header over the PS256 signature, other RSA / EC / EdDSA keys under the IdP kid.
  const attackerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const { privateKey: attackerEc, publicKey: attackerEcPub } = await generateKeyPair('ES256');
  const { privateKey: attackerEd } = await generateKeyPair('EdDSA');
  add('RS256 header over the PS256 signature', `${b64json({ ...header, alg: 'RS256' })}.${p}.${parts(alphaToken)[2]}`);
  add('PS384 header over the PS256 signature', `${b64json({ ...header, alg: 'PS384' })}.${p}.${parts(alphaToken)[2]}`);
  add('ES256 header over the PS256 signature', `${b64json({ ...header, alg: 'ES256' })}.${p}.${parts(alphaToken)[2]}`);
  for (const alg of ['RS256', 'PS256', 'PS512']) add(`${alg} by an attacker RSA key under the IdP kid`, await new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(attackerRsa));
  add('ES256 by an attacker key under the IdP kid', await new SignJWT(claims).setProtectedHeader({ ...header, alg: 'ES256' }).sign(attackerEc));
  add('EdDSA by an attacker key', await new SignJWT(claims).setProtectedHeader({ ...header, alg: 'EdDSA' }).sign(attackerEd));
  const attackerJwk = await exportJWK(attackerEcPub);
  add('attacker key embedded as jwk', await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk: attackerJwk }).sign(attackerEc));
  add('attacker key embedded as jwk with the IdP kid', await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid as string, jwk: attackerJwk }).sign(attackerEc));
  add('jku to an attacker JWKS', await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jku: 'https://evil.example/jwks' }).sign(attackerEc));
  add('x5u to an attacker certificate', await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', x5u: 'https://evil.example/cert.pem' }).sign(attackerEc));
  for (const alg of [123, null, ['PS256'], { alg: 'PS256' }, true, 'ps256', 'PS256\u0000']) add(`alg ${JSON.stringify(alg)}`, `${b64json({ ...header, alg })}.${p}.${parts(alphaToken)[2]}`);
  add('no alg', `${b64json({ typ: 'at+jwt', kid: header.kid })}.${p}.${parts(alphaToken)[2]}`);
  // Genuinely signed by the IdP, but with a header that must not pass.
  const signed = async (c: Record<string, unknown>, hdr: Record<string, unknown> = {}) => idpToken(t.stack, c, hdr);
  for (const kid of ['unknown', '', '../../../../etc/passwd', "' OR 1=1 --", 'x'.repeat(4000), '\u0000']) add(`kid ${JSON.stringify(kid).slice(0, 40)}`, await signed({ cnf: claims.cnf }, { kid }));
  for (const typ of ['JWT', 'id_token', 'dpop+jwt', 'at+jwt+extra', '']) add(`typ ${typ}`, await signed({ cnf: claims.cnf }, { typ }));
  add('typ AT+JWT (case-insensitive media type)', await signed({ cnf: claims.cnf }, { typ: 'AT+JWT' }), 'either');
  // Headers jose will not sign: sign the exact bytes with the IdP's key (RSASSA-PSS, SHA-256).
  const idpPrivate = createPrivateKey({ key: t.stack.pki.idpJwks.keys.find((k) => k.kid === header.kid) as import('node:crypto').JsonWebKey, format: 'jwk' });
  const rawSigned = (hdr: Record<string, unknown>, payload: string) => {
    const input = `${b64json(hdr)}.${payload}`;
    return `${input}.${cryptoSign('sha256', Buffer.from(input), { key: idpPrivate, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('base64url')}`;
  };
  add('the genuine token re-signed raw (control)', rawSigned(header, p), 'either');
  add('crit with an unknown parameter', rawSigned({ ...header, crit: ['urn:example:unknown'], 'urn:example:unknown': true }, p));
  add('crit empty', rawSigned({ ...header, crit: [] }, p));
  add('b64 false', rawSigned({ ...header, crit: ['b64'], b64: false }, Buffer.from(p, 'base64url').toString('latin1')));
  // Genuinely signed claims that must be refused.
  const now = Math.floor(Date.now() / 1000);
  const badClaims: [string, Record<string, unknown>][] = [
    ['another issuer', { iss: 'https://evil.example' }], ['issuer with a trailing slash', { iss: `${t.stack.idp.issuer}/` }], ['issuer array', { iss: [t.stack.idp.issuer] }],
    ['no issuer', { iss: undefined }], ['another audience', { aud: 'urn:other' }], ['audience array without us', { aud: ['urn:a', 'urn:b'] }], ['numeric audience', { aud: 1 }],
    ['no audience', { aud: undefined }], ['expired', { exp: now - 3600 }], ['exp as string', { exp: String(now + 300) }], ['no exp', { exp: undefined }],
    ['negative exp', { exp: -1 }], ['exp 1e400 (Infinity)', { exp: '__INF__' }], ['not before tomorrow', { nbf: now + 86_400 }], ['issued tomorrow', { iat: now + 86_400 }],
    ['nbf as string', { nbf: 'now' }], ['no scope', { scope: undefined }], ['scope array', { scope: ['accounts'] }], ['scope prefix', { scope: 'accountsx' }],
    ['scope upper case', { scope: 'ACCOUNTS' }], ['scope with a comma', { scope: 'openid,accounts' }], ['no cnf (plain bearer)', { cnf: undefined }],
    ['cnf null', { cnf: null }], ['cnf string', { cnf: 'x5t' }], ['cnf array', { cnf: [claims.cnf] }], ['cnf bound both ways', { cnf: { ...(claims.cnf as object), jkt: dpopKey.jkt } }],
    ["cnf of Mallory's certificate", { cnf: { 'x5t#S256': thumbprint(t.stack, 'mallory') } }], ['cnf thumbprint upper-cased', { cnf: { 'x5t#S256': String((claims.cnf as Record<string, string>)['x5t#S256']).toUpperCase() } }],
    ['cnf thumbprint as number', { cnf: { 'x5t#S256': 12345 } }], ['cnf jkt on an mTLS call', { cnf: { jkt: dpopKey.jkt } }],
    ['cnf thumbprint with padding', { cnf: { 'x5t#S256': `${String((claims.cnf as Record<string, string>)['x5t#S256'])}=` } }],
  ];
  for (const [label, c] of badClaims) {
    const payload: Record<string, unknown> = { ...claims, ...c };
    for (const [k, v] of Object.entries(c)) if (v === undefined) delete payload[k];
    const final = rawSigned(header, b64json(JSON.stringify(payload).replace('"__INF__"', '1e400')));
    for (const route of ['', '/mtls']) out.push(gw(cls, `${label} on ${route || '/'}`, 'refuse', bearer(final), { path: route + ACCOUNTS }));
    if (!label.startsWith('cnf') && label !== 'no cnf (plain bearer)') out.push(gw(cls, `${label} on /bearer`, 'refuse', bearer(final), { path: `/bearer${ACCOUNTS}` }));
  }
  // The same certificate-bound token presented by others.
  for (const cert of ['mallory', 'tpp-beta', 'rogue-alpha', 'tpp-selfsigned', 'alpha-expired', 'alpha-revoked', null]) {
    for (const route of ['', '/mtls']) out.push(gw(cls, `stolen token with ${cert ?? 'no certificate'} on ${route || '/'}`, 'refuse', bearer(alphaToken), { path: route + ACCOUNTS, cert }));
  }
  return out;
}

// ---- the Authorization header ---------------------------------------------------------------------

function authorization(): FuzzInput[] {
  const cls = 'authorization header / token placement';
  const tok = alphaToken;
  const cases: [string, FuzzInput['headers'], Oracle, Partial<FuzzInput>?][] = [
    ['Basic', { authorization: `Basic ${Buffer.from(`tpp-alpha:${tok}`).toString('base64')}` }, 'refuse'],
    ['Digest', { authorization: `Digest username="a", response="${tok}"` }, 'refuse'],
    ['Token scheme', { authorization: `Token ${tok}` }, 'refuse'], ['JWT scheme', { authorization: `JWT ${tok}` }, 'refuse'],
    ['Bearer: with a colon', { authorization: `Bearer: ${tok}` }, 'refuse'], ['scheme only', { authorization: 'Bearer' }, 'refuse'],
    ['scheme and a space', { authorization: 'Bearer ' }, 'refuse'], ['empty', { authorization: '' }, 'refuse'], ['token without scheme', { authorization: tok }, 'refuse'],
    ['a tab as separator', { authorization: `Bearer\t${tok}` }, 'refuse'], ['two tokens', { authorization: `Bearer ${tok} ${tok}` }, 'refuse'],
    ['a comma list', { authorization: `Bearer ${tok}, Bearer ${tok}` }, 'refuse'], ['token then junk', { authorization: `Bearer ${tok} x` }, 'refuse'],
    ['two Authorization headers, same token', { authorization: [`Bearer ${tok}`, `Bearer ${tok}`] }, 'refuse'],
    ['two Authorization headers, one junk', { authorization: [`Bearer ${tok}`, 'Bearer junk'] }, 'refuse'],
    ['a quoted token', { authorization: `Bearer "${tok}"` }, 'refuse'], ['a non-token68 character', { authorization: `Bearer ${tok};` }, 'refuse'],
    ['a non-ASCII character', { authorization: latin1(`Bearer ${tok}\u00e9`) }, 'refuse'], ['an emoji', { authorization: latin1(`Bearer ${tok}\u{1f600}`) }, 'refuse'],
    ['DPoP scheme for a certificate-bound token', { authorization: `DPoP ${tok}` }, 'refuse'],
    ['lower-case scheme', { authorization: `bearer ${tok}` }, 'either'], ['upper-case scheme', { authorization: `BEARER ${tok}` }, 'either'],
    ['two spaces', { authorization: `Bearer  ${tok}` }, 'either'], ['trailing space', { authorization: `Bearer ${tok} ` }, 'either'],
    ['huge token under the header limit', { authorization: `Bearer ${tok}${'A'.repeat(12_000)}` }, 'refuse'],
    ['huge token over the header limit', { authorization: `Bearer ${'A'.repeat(20_000)}` }, 'refuse'],
    ['token in the query, no header', {}, 'refuse', { path: `${ACCOUNTS}?access_token=${tok}` }],
    ['token in the query and the header', bearer(tok), 'refuse', { path: `${ACCOUNTS}?access_token=${tok}` }],
    ['token in the query, upper-case name', {}, 'refuse', { path: `${ACCOUNTS}?ACCESS_TOKEN=${tok}` }],
    ['token in the query, encoded name', bearer(tok), 'refuse', { path: `${ACCOUNTS}?%61ccess_token=${tok}` }],
    ['token in a form body', { 'content-type': 'application/x-www-form-urlencoded' }, 'refuse', { method: 'POST', body: `access_token=${tok}` }],
    ['token in a cookie', { cookie: `access_token=${tok}` }, 'refuse'], ['token in X-Access-Token', { 'x-access-token': tok }, 'refuse'],
    ['Proxy-Authorization instead', { 'proxy-authorization': `Bearer ${tok}` }, 'refuse'],
  ];
  const out: FuzzInput[] = [];
  for (let round = 0; round < 7; round++) {
    for (const route of ['', '/mtls', '/dpop', '/bearer']) {
      for (const [label, headers, oracle, extra] of cases) {
        // The /bearer route is the insecure baseline: it checks the token, not how it is presented.
        const effective = route === '/dpop' && oracle === 'either' ? 'refuse' : route === '/bearer' && label.startsWith('DPoP scheme') ? 'either' : oracle;
        out.push(gw(cls, `${label} on ${route || '/'}`, effective, headers, { ...extra, path: route + (extra?.path ?? ACCOUNTS) }));
      }
    }
  }
  return out;
}

// ---- DPoP proofs ----------------------------------------------------------------------------------

interface ProofParts { header: Record<string, unknown>; claims: Record<string, unknown> }
type ProofMutation = [label: string, oracle: Oracle, apply: (p: ProofParts) => void | 'sign-other' | 'hs256' | 'unsigned'];

const DPOP_MUTATIONS: ProofMutation[] = [
  ['no typ', 'refuse', (p) => void delete p.header.typ], ['typ JWT', 'refuse', (p) => void (p.header.typ = 'JWT')], ['typ at+jwt', 'refuse', (p) => void (p.header.typ = 'at+jwt')],
  ['typ upper case', 'either', (p) => void (p.header.typ = 'DPOP+JWT')], ['alg none', 'refuse', () => 'unsigned'], ['alg HS256', 'refuse', () => 'hs256'],
  ['alg ES384 header', 'refuse', (p) => void (p.header.alg = 'ES384')], ['alg RS256 header', 'refuse', (p) => void (p.header.alg = 'RS256')],
  ['alg as number', 'refuse', (p) => void (p.header.alg = 256)], ['no alg', 'refuse', (p) => void delete p.header.alg],
  ['no jwk', 'refuse', (p) => void delete p.header.jwk], ['private jwk', 'refuse', (p) => void (p.header.jwk = { ...dpopKey.privateJwk })],
  ['jwk of another key', 'refuse', (p) => void (p.header.jwk = otherKey.publicJwk)], ['jwk as string', 'refuse', (p) => void (p.header.jwk = JSON.stringify(dpopKey.publicJwk))],
  ['jwk kty oct', 'refuse', (p) => void (p.header.jwk = { kty: 'oct', k: 'c2VjcmV0' })], ['jwk crv P-384', 'refuse', (p) => void (p.header.jwk = { ...dpopKey.publicJwk, crv: 'P-384' })],
  ['jwk x truncated', 'refuse', (p) => void (p.header.jwk = { ...dpopKey.publicJwk, x: String(dpopKey.publicJwk.x).slice(0, 20) })],
  ['jwk with extra members', 'either', (p) => void (p.header.jwk = { ...dpopKey.publicJwk, use: 'sig', kid: 'k1' })],
  ['signed by another key with its own jwk (jkt mismatch)', 'refuse', () => 'sign-other'],
  ['no jti', 'refuse', (p) => void delete p.claims.jti], ['empty jti', 'refuse', (p) => void (p.claims.jti = '')], ['numeric jti', 'refuse', (p) => void (p.claims.jti = 42)],
  ['huge jti', 'either', (p) => void (p.claims.jti = 'j'.repeat(4000))], ['no htm', 'refuse', (p) => void delete p.claims.htm],
  ['htm lower case', 'refuse', (p) => void (p.claims.htm = 'get')], ['htm POST', 'refuse', (p) => void (p.claims.htm = 'POST')], ['htm array', 'refuse', (p) => void (p.claims.htm = ['GET'])],
  ['no htu', 'refuse', (p) => void delete p.claims.htu], ['htu another path', 'refuse', (p) => void (p.claims.htu = String(p.claims.htu).replace('/accounts', '/balances'))],
  ['htu another host', 'refuse', (p) => void (p.claims.htu = String(p.claims.htu).replace('localhost', 'evil.example'))],
  ['htu http scheme', 'refuse', (p) => void (p.claims.htu = String(p.claims.htu).replace('https:', 'http:'))],
  ['htu another port', 'refuse', (p) => void (p.claims.htu = String(p.claims.htu).replace(/:(\d+)\//, ':1/'))],
  ['htu trailing slash', 'refuse', (p) => void (p.claims.htu = `${String(p.claims.htu)}/`)],
  ['htu with userinfo', 'refuse', (p) => void (p.claims.htu = String(p.claims.htu).replace('https://', 'https://attacker@'))],
  ['htu relative', 'refuse', (p) => void (p.claims.htu = new URL(String(p.claims.htu)).pathname)], ['htu javascript:', 'refuse', (p) => void (p.claims.htu = 'javascript:alert(1)')],
  ['htu with a query', 'either', (p) => void (p.claims.htu = `${String(p.claims.htu)}?a=1`)], ['htu with a fragment', 'either', (p) => void (p.claims.htu = `${String(p.claims.htu)}#f`)],
  ['htu upper-case host', 'either', (p) => void (p.claims.htu = String(p.claims.htu).replace('localhost', 'LOCALHOST'))],
  ['htu with dot segments', 'either', (p) => void (p.claims.htu = String(p.claims.htu).replace('/accounts', '/x/../accounts'))],
  ['htu percent-encoded path', 'either', (p) => void (p.claims.htu = String(p.claims.htu).replace('/accounts', '/%61ccounts'))],
  ['no iat', 'refuse', (p) => void delete p.claims.iat], ['iat string', 'refuse', (p) => void (p.claims.iat = String(p.claims.iat))],
  ['iat an hour ago', 'refuse', (p) => void (p.claims.iat = Number(p.claims.iat) - 3600)], ['iat an hour ahead', 'refuse', (p) => void (p.claims.iat = Number(p.claims.iat) + 3600)],
  ['iat 1e20', 'refuse', (p) => void (p.claims.iat = 1e20)], ['iat negative', 'refuse', (p) => void (p.claims.iat = -1)], ['iat fractional', 'either', (p) => void (p.claims.iat = Number(p.claims.iat) + 0.5)],
  ['no ath', 'refuse', (p) => void delete p.claims.ath], ['ath of another token', 'refuse', (p) => void (p.claims.ath = createHash('sha256').update(alphaToken).digest('base64url'))],
  ['ath with padding', 'refuse', (p) => void (p.claims.ath = `${String(p.claims.ath)}=`)], ['ath hex', 'refuse', (p) => void (p.claims.ath = createHash('sha256').update(dpopToken).digest('hex'))],
  ['nonce on a route without nonces', 'either', (p) => void (p.claims.nonce = 'whatever')], ['extra claims', 'either', (p) => void (p.claims.admin = true)],
];

/** Signs exactly this header and these claims (whatever the header claims its alg is) with ES256. */
async function signProof(p: ProofParts, how: ReturnType<ProofMutation[2]>): Promise<string> {
  if (how === 'unsigned') return `${b64json({ ...p.header, alg: 'none' })}.${b64json(p.claims)}.`;
  if (how === 'hs256') {
    const input = `${b64json({ ...p.header, alg: 'HS256' })}.${b64json(p.claims)}`;
    return `${input}.${createHmac('sha256', 'attacker-chosen-secret-0123456789').update(input).digest('base64url')}`;
  }
  const key = how === 'sign-other' ? otherKey : dpopKey;
  const header = how === 'sign-other' ? { ...p.header, jwk: otherKey.publicJwk } : p.header;
  const input = `${b64json(header)}.${b64json(p.claims)}`;
  const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, Buffer.from(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

async function dpopProofs(): Promise<FuzzInput[]> {
  const cls = 'DPoP proof mutations';
  const out: FuzzInput[] = [];
  const now = () => Math.floor(Date.now() / 1000);
  for (let round = 0; round < 22; round++) {
    for (const [label, oracle, apply] of DPOP_MUTATIONS) {
      const route = rng.pick(['', '/dpop']);
      const url = t.stack.urls.gateway + route + ACCOUNTS;
      const built = await buildProof(dpopKey, { method: 'GET', url, accessToken: dpopToken, now: now() });
      const p: ProofParts = { header: { ...built.header }, claims: { ...built.claims } };
      const how = apply(p);
      const proof = await signProof(p, how);
      out.push(gw(cls, `${label} on ${route || '/'}`, oracle, { authorization: `DPoP ${dpopToken}`, dpop: proof }, { path: route + ACCOUNTS }));
    }
  }
  // Random edits and truncations of a genuine proof, and presentation mistakes.
  for (let i = 0; i < 500; i++) {
    const route = rng.pick(['', '/dpop']);
    const url = t.stack.urls.gateway + route + ACCOUNTS;
    const proof = (await buildProof(dpopKey, { method: 'GET', url, accessToken: dpopToken, now: now() })).jwt;
    const broken = i % 5 === 0 ? proof.slice(0, 1 + rng.int(proof.length - 1)) : mutate(rng, proof);
    if (broken === proof) continue;
    out.push(gw(cls, `edited proof ${i}`, 'refuse', { authorization: `DPoP ${dpopToken}`, dpop: latin1(broken) }, { path: route + ACCOUNTS }));
  }
  for (let i = 0; i < 8; i++) {
    const url = t.stack.urls.gateway + ACCOUNTS;
    const proof = (await buildProof(dpopKey, { method: 'GET', url, accessToken: dpopToken, now: now() })).jwt;
    const nonceUrl = `${t.stack.urls.gateway}/dpop-nonce${ACCOUNTS}`;
    const noNonce = (await buildProof(dpopKey, { method: 'GET', url: nonceUrl, accessToken: dpopToken, now: now() })).jwt;
    const badNonce = (await buildProof(dpopKey, { method: 'GET', url: nonceUrl, accessToken: dpopToken, now: now(), nonce: randomUUID() })).jwt;
    const cases: [string, FuzzInput['headers'], Oracle, string?][] = [
      ['two DPoP headers', { authorization: `DPoP ${dpopToken}`, dpop: [proof, proof] }, 'refuse'],
      ['empty DPoP header', { authorization: `DPoP ${dpopToken}`, dpop: '' }, 'refuse'],
      ['no DPoP header', { authorization: `DPoP ${dpopToken}` }, 'refuse'],
      ['DPoP-bound token as Bearer with a proof', { authorization: `Bearer ${dpopToken}`, dpop: proof }, 'refuse'],
      ['DPoP-bound token as Bearer, no proof', { authorization: `Bearer ${dpopToken}` }, 'refuse'],
      ['certificate-bound token with a DPoP proof and scheme', { authorization: `DPoP ${alphaToken}`, dpop: proof }, 'refuse'],
      ['proof without a nonce on the nonce route', { authorization: `DPoP ${dpopToken}`, dpop: noNonce }, 'refuse', `/dpop-nonce${ACCOUNTS}`],
      ['a nonce the gateway never issued', { authorization: `DPoP ${dpopToken}`, dpop: badNonce }, 'refuse', `/dpop-nonce${ACCOUNTS}`],
      ['the access token as the proof', { authorization: `DPoP ${dpopToken}`, dpop: dpopToken }, 'refuse'],
      ['a huge proof', { authorization: `DPoP ${dpopToken}`, dpop: `${proof}${'A'.repeat(10_000)}` }, 'refuse'],
    ];
    for (const [label, headers, oracle, path] of cases) out.push(gw(cls, label, oracle, headers, path ? { path } : {}));
  }
  return out;
}

/** Every accepted proof, sent again, must be refused (jti replay), however fast it comes back. */
async function dpopReplays(): Promise<FuzzInput[]> {
  const cls = 'DPoP proof replays';
  const out: FuzzInput[] = [];
  for (let i = 0; i < 150; i++) {
    const proof = (await buildProof(dpopKey, { method: 'GET', url: t.stack.urls.gateway + ACCOUNTS, accessToken: dpopToken, now: Date.now() / 1000 })).jwt;
    const headers = { authorization: `DPoP ${dpopToken}`, dpop: proof };
    const first = await fuzz.send(gw(cls, 'first use', 'accept', headers));
    assert.equal(first.status, 200, `a genuine proof was refused: ${first.body}`);
    out.push(gw(cls, `replay ${i}`, 'refuse', headers), gw(cls, `replay ${i} again`, 'refuse', headers));
  }
  return out;
}

// ---- headers, raw HTTP, encodings ---------------------------------------------------------------

function rawRequest(lines: string[], body = ''): string {
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function headersAndRaw(): FuzzInput[] {
  const cls = 'headers: duplicated / oversized / raw HTTP';
  const auth = `Authorization: Bearer ${alphaToken}`;
  const out: FuzzInput[] = [];
  const node: [string, FuzzInput['headers'], Oracle][] = [
    ['two interaction ids', { ...bearer(alphaToken), 'x-fapi-interaction-id': [randomUUID(), randomUUID()] }, 'refuse'],
    ['interaction id not a UUID', { ...bearer(alphaToken), 'x-fapi-interaction-id': 'not-a-uuid' }, 'refuse'],
    ['interaction id 8 KB', { ...bearer(alphaToken), 'x-fapi-interaction-id': 'a'.repeat(8000) }, 'refuse'],
    ['interaction id with UTF-8', { ...bearer(alphaToken), 'x-fapi-interaction-id': latin1(`${randomUUID()}\u00e9`) }, 'refuse'],
    ['200 header fields', { ...bearer(alphaToken), ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-f${i}`, String(i)])) }, 'refuse'],
    ['one header over the size limit', { ...bearer(alphaToken), 'x-big': 'b'.repeat(17_000) }, 'refuse'],
    ['90 header fields', { ...bearer(alphaToken), ...Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`x-f${i}`, String(i)])) }, 'either'],
    ['an Accept of 10 KB', { ...bearer(alphaToken), accept: 'application/json,'.repeat(600) }, 'either'],
    ['a 2 KB header name', { ...bearer(alphaToken), [`x-${'n'.repeat(2000)}`]: '1' }, 'either'],
    ['Expect: 100-continue without a body', { ...bearer(alphaToken), expect: '100-continue' }, 'either'],
    ['Expect: something else', { ...bearer(alphaToken), expect: 'teapot' }, 'refuse'],
  ];
  const raw: [string, string | Buffer, Oracle][] = [
    ['two Host headers', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', 'Host: evil.example', auth, 'Connection: close']), 'refuse'],
    ['no Host header', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, auth, 'Connection: close']), 'refuse'],
    ['Content-Length and Transfer-Encoding', rawRequest([`POST ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth, 'Content-Length: 4', 'Transfer-Encoding: chunked', 'Connection: close'], '0\r\n\r\n'), 'refuse'],
    ['two different Content-Lengths', rawRequest([`POST ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth, 'Content-Length: 1', 'Content-Length: 2', 'Connection: close'], 'ab'), 'refuse'],
    ['Transfer-Encoding: xchunked', rawRequest([`POST ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth, 'Transfer-Encoding: xchunked', 'Connection: close'], '0\r\n\r\n'), 'refuse'],
    ['bad chunk size', rawRequest([`POST ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth, 'Transfer-Encoding: chunked', 'Connection: close'], 'zz\r\nabc\r\n0\r\n\r\n'), 'refuse'],
    ['obs-fold continuation line', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth, 'X-Folded: a', ' b', 'Connection: close']), 'refuse'],
    ['a space before the colon', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', `Authorization : Bearer ${alphaToken}`, 'Connection: close']), 'refuse'],
    ['NUL in a header value', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', `${auth}\u0000x`, 'Connection: close']), 'refuse'],
    ['CR in a header value', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', `X-A: a\rAuthorization: Bearer x`, auth, 'Connection: close']), 'refuse'],
    ['LF-only line ends', `GET ${ACCOUNTS} HTTP/1.1\nHost: localhost\n${auth}\nConnection: close\n\n`, 'either'],
    ['CRLF in the request target', rawRequest([`GET ${ACCOUNTS}\r\nX-Injected: 1 HTTP/1.1`, 'Host: localhost', auth, 'Connection: close']), 'refuse'],
    ['a space in the request target', rawRequest([`GET ${ACCOUNTS} x HTTP/1.1`, 'Host: localhost', auth, 'Connection: close']), 'refuse'],
    ['raw UTF-8 in the request target', Buffer.from(rawRequest([`GET ${ACCOUNTS}/\u00e9\u{1f600} HTTP/1.1`, 'Host: localhost', auth, 'Connection: close']), 'utf8'), 'refuse'],
    ['HTTP/0.9 style', `GET ${ACCOUNTS}\r\n`, 'refuse'], ['HTTP/2 preface over HTTP/1.1', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'refuse'],
    ['HTTP/1.0', rawRequest([`GET ${ACCOUNTS} HTTP/1.0`, 'Host: localhost', auth]), 'either'],
    ['HTTP/1.2', rawRequest([`GET ${ACCOUNTS} HTTP/1.2`, 'Host: localhost', auth, 'Connection: close']), 'either'],
    ['HTTP/3.0', rawRequest([`GET ${ACCOUNTS} HTTP/3.0`, 'Host: localhost', auth, 'Connection: close']), 'refuse'],
    ['absolute-form target for another host', rawRequest([`GET https://evil.example${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth, 'Connection: close']), 'either'],
    ['asterisk target', rawRequest(['OPTIONS * HTTP/1.1', 'Host: localhost', auth, 'Connection: close']), 'refuse'],
    ['CONNECT', rawRequest(['CONNECT evil.example:443 HTTP/1.1', 'Host: evil.example:443', auth, 'Connection: close']), 'refuse'],
    ['a lower-case method', rawRequest([`get ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth, 'Connection: close']), 'refuse'],
    ['an unknown method', rawRequest([`FROBNICATE ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth, 'Connection: close']), 'refuse'],
    ['header name with a slash', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', 'X/Y: 1', auth, 'Connection: close']), 'refuse'],
    ['an empty header name', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', ': 1', auth, 'Connection: close']), 'refuse'],
    ['random bytes', Buffer.from('\u0016\u0003\u0001garbage\r\n\r\n'), 'refuse'],
    ['two requests pipelined', rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', auth]) + rawRequest([`GET ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', 'Connection: close']), 'either'],
    ['a smuggled second request in the body', rawRequest([`POST ${ACCOUNTS} HTTP/1.1`, 'Host: localhost', 'Content-Length: 0', 'Transfer-Encoding: chunked', 'Connection: close'], `0\r\n\r\nGET ${ACCOUNTS} HTTP/1.1\r\nHost: localhost\r\n${auth}\r\n\r\n`), 'refuse'],
  ];
  for (let round = 0; round < 12; round++) {
    for (const [label, headers, oracle] of node) out.push(gw(cls, label, oracle, headers));
    // An incomplete head waits headersTimeout for a 408: two rounds of those are enough.
    for (const [label, bytes, oracle] of raw) if (round < 2 || !label.startsWith('HTTP/0.9')) out.push(gw(cls, label, oracle, {}, { raw: bytes }));
  }
  return out;
}

function encodings(): FuzzInput[] {
  const cls = 'paths and encodings';
  const base = ACCOUNTS;
  const paths: [string, Oracle][] = [
    [`${base}/../../../../etc/passwd`, 'refuse'], [`${base}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`, 'refuse'], [`${base}/..%2f..%2f..%2fetc%2fpasswd`, 'refuse'],
    [`${base}/%252e%252e%252f`, 'refuse'], [`${base}/..\\..\\..\\windows`, 'refuse'], [`${base}/%c0%ae%c0%ae/%c0%ae%c0%ae`, 'refuse'],
    [`${base}/%00`, 'refuse'], [`${base}%00`, 'refuse'], [`${base}/%zz`, 'refuse'], [`${base}/%`, 'refuse'], [`${base}/%ed%a0%80`, 'refuse'],
    [`${base}/%F0%9F%98%80`, 'refuse'], [`${base};jsessionid=1`, 'refuse'], [`${base}/.`, 'either'], [`${base}/`, 'either'], [`${base}//`, 'either'],
    [`/open-banking/v3.1/aisp/../../bearer${base}`, 'either'], [`/OPEN-BANKING/V3.1/AISP/ACCOUNTS`, 'refuse'], [`//open-banking//v3.1//aisp//accounts`, 'either'],
    [`/open-banking/v3.1/aisp/%61ccounts`, 'either'], [`/mtls/../bearer${base}`, 'either'], [`/bearer/../mtls${base}`, 'either'],
    [`${base}?${'a='.repeat(3000)}`, 'either'], [`${base}?%00=%00`, 'either'], [`${base}?a=%zz`, 'either'], [`${base}#fragment`, 'either'],
    [`${base}/${'x'.repeat(6000)}`, 'refuse'], ['/', 'refuse'], ['/favicon.ico', 'refuse'], ['/open-banking', 'refuse'], ['*', 'refuse'],
    [`${base}/acc-demo-current/../../../../accounts`, 'either'], [`/open-banking/v3.1/aisp/accounts/acc-demo-current/%2e%2e`, 'either'],
  ];
  const out: FuzzInput[] = [];
  for (let round = 0; round < 8; round++) {
    for (const [path, oracle] of paths) {
      for (const method of ['GET', rng.pick(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'])]) {
        out.push(gw(cls, `${method} ${path.slice(0, 60)}`, method === 'GET' ? oracle : 'either', bearer(alphaToken), { path, method }));
      }
    }
  }
  return out;
}

function bodies(): FuzzInput[] {
  const cls = 'request bodies';
  const out: FuzzInput[] = [];
  const types = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', latin1('application/json; charset=\u00e9')];
  for (let i = 0; i < 150; i++) {
    const size = rng.pick([0, 1, 100, 10_000, 200_000, 900_000]);
    const method = rng.pick(['POST', 'PUT', 'PATCH', 'DELETE', 'GET']);
    out.push(gw(cls, `${method} ${size} bytes`, method === 'GET' ? 'either' : 'refuse', { ...bearer(alphaToken), 'content-type': rng.pick(types) }, { method, body: rng.bytes(size) }));
  }
  for (let i = 0; i < 20; i++) {
    out.push(gw(cls, 'declared 10 GB', 'refuse', { ...bearer(alphaToken), 'content-length': '10737418240' }, { method: 'POST' }));
    out.push(gw(cls, 'declared over the limit, unauthenticated', 'refuse', { 'content-length': String(2 * 1024 * 1024) }, { method: 'POST' }));
    out.push(gw(cls, 'chunked 2 MB', 'refuse', { ...bearer(alphaToken), 'content-type': 'application/json' }, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024, 0x7b) }));
  }
  return out;
}

// ---- the OB API through the gateway --------------------------------------------------------------

function obApi(): FuzzInput[] {
  const cls = 'OB API via gateway: paths, ids, filters';
  // The data of a 2xx must be the demo customer's only (Links echo the request URL, so look at Data).
  const leaks = (status: number, body: string) => {
    let data: string;
    try {
      data = JSON.stringify((JSON.parse(body) as { Data?: unknown }).Data ?? null);
    } catch {
      return `a ${status} that is not JSON`;
    }
    const hit = foreign.find((id) => data.includes(id));
    return hit ? `another customer's ${hit} in a ${status}` : null;
  };
  const foreignIds = foreign.filter((f) => f.startsWith('acc-'));
  const spell = (id: string): string[] => [
    id, id.toUpperCase(), encodeURIComponent(id), [...id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''), `${id}/`, `${id}%2F`, `${id};x`,
    `%2e%2e%2f${id}`, `acc-demo-current%2F..%2F${id}`, `${id}%00`, `%20${id}`, `${id}%20`, encodeURIComponent(encodeURIComponent(id)),
  ];
  const subs = ['', '/balances', '/transactions'];
  const dates = ['2024-01-01', '2024-01-01T00:00:00Z', '2024-02-30', '2024-13-01', '9999-12-31T23:59:59.999999999Z', '0000-01-01', '-2024-01-01', '2024-01-01T25:00',
    '2024-01-01T00:00:00+99:99', '2024-01-01T00:00:00+0530', 'yesterday', '', '%00', '1e309', '2024-01-01T00:00:00Z%0d%0aX: y', '\u00e9', 'x'.repeat(5000), '2024-W01', '20240101'];
  const out: FuzzInput[] = [];
  for (const id of foreignIds) {
    for (const s of spell(id)) for (const sub of subs) out.push(gw(cls, `foreign account ${s}${sub}`, 'refuse', bearer(alphaToken), { path: `${ACCOUNTS}/${s}${sub}`, inspect: leaks }));
  }
  for (let i = 0; i < 900; i++) {
    const which = rng.pick(['/accounts/acc-demo-current/transactions', '/transactions', '/accounts/acc-demo-savings/transactions', '/balances', '/accounts', '/accounts/acc-demo-current']);
    const q = new URLSearchParams();
    for (let k = 0; k < rng.int(4); k++) {
      const name = rng.pick(['fromBookingDateTime', 'toBookingDateTime', 'page', 'page', 'fromBookingDateTime', 'unknown', 'accountId', 'AccountId', '__proto__', 'constructor']);
      q.append(name, name === 'page' ? rng.pick(['0', '1', '2', '-1', '1e3', '999999999', '9999999999', 'abc', '', '1.5', '0x10', ' 1']) : rng.pick(dates));
    }
    if (rng.next() < 0.1) q.append('accountId', rng.pick(foreignIds));
    const query = q.toString();
    out.push(gw(cls, `GET ${which}?${query.slice(0, 80)}`, 'either', bearer(alphaToken), { path: `/open-banking/v3.1/aisp${which}${query ? `?${query}` : ''}`, inspect: leaks }));
  }
  return out;
}

// ---- the run ----------------------------------------------------------------------------------------

test('gateway and OB API fuzzing: no 5xx, no crash or hang, nothing wrongly accepted', async () => {
  const classes = [jwtStructure, jwtMutations, jwtAlgAndClaims, authorization, dpopProofs, dpopReplays, headersAndRaw, encodings, bodies, obApi];
  const { totals, problems } = await fuzz.runClasses('gateway fuzzing', SEED, classes, probe);
  assert.deepEqual(problems, []);
  assert.deepEqual({ serverErrors: totals.serverErrors, hangs: totals.hangs, wronglyAccepted: totals.wronglyAccepted }, { serverErrors: 0, hangs: 0, wronglyAccepted: 0 });
  // With the token endpoint and TLS file (at least 1,500), at least 10,000 inputs per run.
  assert.ok(totals.inputs >= 8_500, `${totals.inputs} inputs`);
  assert.deepEqual(Object.values(t.stack.listening()), Array(6).fill(true));
});
