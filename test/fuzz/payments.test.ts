// Fuzzing the Payment Initiation API's message signatures and idempotency keys through the gateway,
// over real TLS with a seeded PRNG: detached JWS values mutated, re-shaped and re-signed with broken
// headers (alg, kid, crit, OB claims of every type), bodies changed after signing; idempotency keys of
// every length and alphabet, reused with other bodies. No 5xx, no hang, and nothing refused-by-rule accepted.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, sign as cryptoSign } from 'node:crypto';
import { startTestStack, idpToken, thumbprint, type TestStack } from '../helpers/stack.ts';
import { FUZZ_LIMITS, Fuzzer, Rng, mutate, b64json, latin1, type FuzzInput } from './harness.ts';
import { OB_IAT, OB_ISS, OB_TAN, obHeader, signDetached } from '../../server/directory/jws.ts';
import type { Signer } from '../../server/directory/index.ts';

const SEED = 0x5eed_0020;
const CONSENTS = '/open-banking/v3.1/pisp/domestic-payment-consents';

let t: TestStack;
let fuzz: Fuzzer;
let rng: Rng;
let token: string;
let alpha: Signer;
let mallory: Signer;

before(async () => {
  t = await startTestStack('fuzz-payments', { limits: FUZZ_LIMITS });
  rng = new Rng(SEED);
  fuzz = new Fuzzer(t.stack, 8);
  token = await idpToken(t.stack, { scope: 'payments', cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
  alpha = t.stack.directory.signer('tpp-alpha-signing');
  mallory = t.stack.directory.signer('mallory-signing');
  fuzz.captureErrors();
});
after(async () => {
  fuzz.close();
  await t.stop();
});

const body = (n: number) => JSON.stringify({
  Data: { Initiation: {
    InstructionIdentification: `FUZZ-${n}`, EndToEndIdentification: `FUZZ-E2E-${n}`, InstructedAmount: { Amount: '1.00', Currency: 'GBP' },
    CreditorAccount: { SchemeName: 'UK.OBIE.SortCodeAccountNumber', Identification: '40400411111111', Name: 'Bob Jones' },
  } },
  Risk: {},
});

function post(cls: string, label: string, oracle: FuzzInput['oracle'], sent: string, signature: string | string[] | null, key: string | string[] | null = randomUUID()): FuzzInput {
  const headers: Record<string, string | string[]> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (signature !== null) headers['x-jws-signature'] = signature;
  if (key !== null) headers['x-idempotency-key'] = key;
  return { cls, label, oracle, method: 'POST', path: CONSENTS, headers, body: sent };
}

/** A genuine signed request must still be accepted. */
async function probe(): Promise<boolean> {
  const sent = body(0);
  const o = await fuzz.send(post('probe', 'probe', 'accept', sent, await signDetached(sent, alpha)));
  return o.status === 201;
}

/** A detached JWS with any header, ES256-signed by hand over `signed`. */
function handmade(header: unknown, signed: string, key = alpha.privateKey): string {
  const h = b64json(header);
  const sig = cryptoSign('sha256', Buffer.from(`${h}.${Buffer.from(signed).toString('base64url')}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${h}..${sig}`;
}

async function signatures(): Promise<FuzzInput[]> {
  const cls = 'x-jws-signature: mutated, re-shaped, bad headers';
  const out: FuzzInput[] = [];
  for (let i = 1; i <= 40; i++) {
    const sent = body(i);
    out.push(post(cls, `control ${i}`, 'accept', sent, await signDetached(sent, alpha)));
  }
  for (let i = 0; i < 300; i++) {
    const sent = body(1000 + i);
    const good = await signDetached(sent, alpha);
    const bad = mutate(rng, good);
    if (bad !== good) out.push(post(cls, `mutated signature ${i}`, 'refuse', sent, latin1(bad)));
    const changed = mutate(rng, sent);
    if (changed !== sent) out.push(post(cls, `body changed after signing ${i}`, 'refuse', changed, good));
  }
  const sent = body(5000);
  const [h, , s] = (await signDetached(sent, alpha)).split('.') as [string, string, string];
  const shapes: [string, string | string[]][] = [
    ['attached payload', `${h}.${Buffer.from(sent).toString('base64url')}.${s}`], ['no dots', `${h}${s}`], ['one dot', `${h}.${s}`], ['three dots', `${h}...${s}`],
    ['empty', ''], ['only dots', '..'], ['padded header', `${h}=..${s}`], ['standard base64', `${h}..${Buffer.from(s, 'base64').toString('base64')}`],
    ['signature doubled', `${h}..${s}${s}`], ['header only', `${h}..`], ['two headers', [`${h}..${s}`, `${h}..${s}`]], ['huge', `${h}..${'A'.repeat(6000)}`],
    ['a JWT instead', token],
  ];
  for (const [label, value] of shapes) out.push(post(cls, label, 'refuse', sent, value));
  const base = obHeader(alpha);
  const variants: [string, unknown][] = [
    ['alg none', { ...base, alg: 'none' }], ['alg HS256', { ...base, alg: 'HS256' }], ['alg RS256', { ...base, alg: 'RS256' }], ['alg missing', { ...base, alg: undefined }],
    ['alg array', { ...base, alg: ['ES256'] }], ['b64 false', { ...base, b64: false }], ['b64 true', { ...base, b64: true }],
    ['crit empty', { ...base, crit: [] }], ['crit partial', { ...base, crit: [OB_IAT, OB_ISS] }], ['crit with extra', { ...base, crit: [OB_IAT, OB_ISS, OB_TAN, 'x'] }],
    ['crit a string', { ...base, crit: OB_IAT }], ['crit with b64', { ...base, crit: [OB_IAT, OB_ISS, OB_TAN, 'b64'] }],
    ['iat string', { ...base, [OB_IAT]: String(base[OB_IAT]) }], ['iat float', { ...base, [OB_IAT]: Number(base[OB_IAT]) + 0.5 - 1000 }], ['iat huge', { ...base, [OB_IAT]: 1e300 }],
    ['iat negative', { ...base, [OB_IAT]: -1 }], ['iat missing', { ...base, [OB_IAT]: undefined }], ['iss other', { ...base, [OB_ISS]: 'someone/else' }],
    ['iss number', { ...base, [OB_ISS]: 7 }], ['tan other', { ...base, [OB_TAN]: 'example.com' }], ['tan missing', { ...base, [OB_TAN]: undefined }],
    ['kid missing', { ...base, kid: undefined }], ['kid object', { ...base, kid: { kid: alpha.kid } }], ['kid huge', { ...base, kid: 'k'.repeat(5000) }],
    ['kid of the bank', { ...base, kid: t.stack.directory.signer('bank-signing').kid }], ['kid with NUL', { ...base, kid: `${alpha.kid}\u0000` }],
    ['__proto__ header', JSON.parse(`{"__proto__":{"alg":"ES256"},"kid":"${alpha.kid}"}`)], ['array header', [base]], ['null header', null], ['string header', 'ES256'],
  ];
  for (const [label, header] of variants) out.push(post(cls, label, 'refuse', sent, handmade(header, sent)));
  out.push(post(cls, "Mallory's key, Alpha's kid", 'refuse', sent, await signDetached(sent, { ...mallory, kid: alpha.kid, iss: alpha.iss })));
  out.push(post(cls, "Mallory's key and kid", 'refuse', sent, await signDetached(sent, mallory)));
  out.push(post(cls, 'no signature', 'refuse', sent, null));
  return out;
}

async function idempotency(): Promise<FuzzInput[]> {
  const cls = 'x-idempotency-key: odd keys, reuse with other bodies';
  const out: FuzzInput[] = [];
  const alphabet = ['a', 'Z', '0', '-', ' ', '\t', '\u00e9', '"', ',', '%', '\\', '\u2028', '😀'];
  for (let i = 0; i < 200; i++) {
    const sent = body(10_000 + i);
    const len = rng.int(60);
    const key = Array.from({ length: len }, () => rng.pick(alphabet)).join('');
    // The HTTP parser trims spaces and tabs around a header value (RFC 9110 §5.5); a comma is refused.
    const valid = /^(?!\s)[\x20-\x2b\x2d-\x7e]{0,39}[\x21-\x2b\x2d-\x7e]$/.test(key.replace(/^[ \t]+|[ \t]+$/g, ''));
    // Node's client refuses some bytes in header values: those keys go out as latin1 text.
    out.push(post(cls, `key of ${len} characters`, valid ? 'either' : 'refuse', sent, await signDetached(sent, alpha), latin1(key)));
  }
  for (let i = 0; i < 60; i++) {
    const key = `reuse-${i}`;
    const first = body(20_000 + i);
    out.push(post(cls, `first use of ${key}`, 'accept', first, await signDetached(first, alpha), key));
  }
  for (let i = 0; i < 60; i++) {
    const key = `reuse-${i}`;
    const other = body(30_000 + i);
    out.push(post(cls, `${key} with another body`, 'refuse', other, await signDetached(other, alpha), key));
    const same = body(20_000 + i);
    out.push(post(cls, `${key} with the same body`, 'either', same, await signDetached(same, alpha), key));
  }
  const sent = body(40_000);
  out.push(post(cls, 'no key', 'refuse', sent, await signDetached(sent, alpha), null));
  out.push(post(cls, 'two keys', 'refuse', sent, await signDetached(sent, alpha), ['a', 'b']));
  out.push(post(cls, 'empty key', 'refuse', sent, await signDetached(sent, alpha), ''));
  return out;
}

test('payment signatures and idempotency keys: no 5xx, no crash or hang, nothing wrongly accepted', async () => {
  const { totals, problems } = await fuzz.runClasses('payments fuzzing', SEED, [signatures, idempotency], probe);
  assert.deepEqual(problems, []);
  assert.deepEqual({ serverErrors: totals.serverErrors, hangs: totals.hangs, wronglyAccepted: totals.wronglyAccepted }, { serverErrors: 0, hangs: 0, wronglyAccepted: 0 });
  assert.ok(totals.inputs >= 1_000, `${totals.inputs} inputs`);
  // A reused key with another body created nothing; with the same body, nothing new either.
  assert.equal(await t.stack.db.prisma.paymentConsent.count({ where: { initiation: { contains: '"FUZZ-300' } } }), 0);
  assert.equal(await t.stack.db.prisma.paymentConsent.count({ where: { initiation: { contains: '"FUZZ-200' } } }), 60);
});
