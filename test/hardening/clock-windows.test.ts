// Clock-skew windows at their edges, with the gateway's clock pinned: access token exp / nbf / iat
// (RFC 7519 §4.1.4-6 with FAPI_CLOCK_TOLERANCE_SECONDS), DPoP proof iat (RFC 9449 §11.1 with
// FAPI_DPOP_IAT_WINDOW_SECONDS) and client certificate validity (RFC 5280 §4.1.2.5 with
// FAPI_CERT_CLOCK_TOLERANCE_SECONDS): exactly at the edge passes, one second beyond fails.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack, idpToken, callGateway, failedCheck, decisionOf, thumbprint, type TestStack } from '../helpers/stack.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';

const LEEWAY = 7;
const WINDOW = 20;
const CERT_LEEWAY = 3;
let t: TestStack;
let key: DpopKey;
let T: number;

before(async () => {
  t = await startTestStack('clock', { gateway: { clockToleranceSeconds: LEEWAY, dpopIatWindowSeconds: WINDOW, certClockToleranceSeconds: CERT_LEEWAY } });
  key = await generateDpopKey('clock');
  T = Math.floor(Date.now() / 1000);
});
after(() => t.stop());

/** Pins the gateway's clock at `now` for one call. */
async function at<X>(now: number, call: () => Promise<X>): Promise<X> {
  const real = t.stack.gateway.deps.clock;
  t.stack.gateway.deps.clock = () => now;
  try {
    return await call();
  } finally {
    t.stack.gateway.deps.clock = real;
  }
}

const MTLS = '/mtls/open-banking/v3.1/aisp/accounts';
const DPOP = '/dpop/open-banking/v3.1/aisp/accounts';

async function mtlsCall(now: number, claims: Record<string, unknown>, cert = 'tpp-alpha') {
  const token = await idpToken(t.stack, { iat: now, exp: now + 300, ...claims, cnf: { 'x5t#S256': thumbprint(t.stack, cert) } });
  return at(now, () => callGateway(t.stack, MTLS, { cert, token }));
}

function verdict(ex: Awaited<ReturnType<typeof callGateway>>): string {
  return ex.response?.status === 200 ? 'accepted' : `${ex.response?.status} ${failedCheck(t.stack, ex)}`;
}

test('the configured windows are the ones in force', () => {
  const d = t.stack.gateway.deps;
  assert.deepEqual([d.clockToleranceSeconds, d.dpopIatWindowSeconds, d.certClockToleranceSeconds], [LEEWAY, WINDOW, CERT_LEEWAY]);
});

test(`token exp: valid until exp + ${LEEWAY} s inclusive, refused one second later`, async () => {
  assert.equal(verdict(await mtlsCall(T, { iat: T - 600, exp: T - LEEWAY })), 'accepted');
  const late = await mtlsCall(T, { iat: T - 600, exp: T - LEEWAY - 1 });
  assert.equal(verdict(late), '401 token.claims');
  assert.match(decisionOf(t.stack, late).checks.find((c) => c.id === 'token.claims')!.reason, /expired 8 s ago .*leeway 7 s/);
});

test(`token nbf: accepted from nbf - ${LEEWAY} s, refused one second earlier`, async () => {
  assert.equal(verdict(await mtlsCall(T, { nbf: T + LEEWAY })), 'accepted');
  assert.equal(verdict(await mtlsCall(T, { nbf: T + LEEWAY + 1 })), '401 token.claims');
});

test(`token iat: up to ${LEEWAY} s in the future accepted, one second more refused`, async () => {
  assert.equal(verdict(await mtlsCall(T, { iat: T + LEEWAY })), 'accepted');
  const future = await mtlsCall(T, { iat: T + LEEWAY + 1 });
  assert.equal(verdict(future), '401 token.claims');
  assert.match(decisionOf(t.stack, future).checks.find((c) => c.id === 'token.claims')!.reason, /issued 8 s in the future/);
});

test('token exp / nbf / iat that are not NumericDates are refused', async () => {
  for (const claims of [{ exp: String(T + 300) }, { nbf: 'yesterday' }, { iat: null }, { exp: 1e300 }]) {
    assert.equal(verdict(await mtlsCall(T, claims)), '401 token.claims', JSON.stringify(claims));
  }
});

async function dpopCall(now: number, iatOffset: number) {
  const token = await idpToken(t.stack, { client_id: 'tpp-dpop', iat: now, exp: now + 300, cnf: { jkt: key.jkt } });
  const url = t.stack.urls.gateway + DPOP;
  const proof = await buildProof(key, { method: 'GET', url, accessToken: token, now }, { iatOffset });
  return at(now, () => callGateway(t.stack, DPOP, { token, scheme: 'DPoP', headers: { dpop: proof.jwt } }));
}

test(`DPoP iat: exactly ${WINDOW} s old or ahead accepted, one second beyond refused`, async () => {
  assert.equal(verdict(await dpopCall(T, -WINDOW)), 'accepted');
  assert.equal(verdict(await dpopCall(T, WINDOW)), 'accepted');
  assert.equal(verdict(await dpopCall(T, -WINDOW - 1)), '401 dpop.iat-window');
  assert.equal(verdict(await dpopCall(T, WINDOW + 1)), '401 dpop.iat-window');
});

test(`client certificate validity: usable until notAfter + ${CERT_LEEWAY} s and from notBefore - ${CERT_LEEWAY} s, not a second beyond`, async () => {
  const entry = t.stack.pki.cert('tpp-alpha').entry;
  const notAfter = Date.parse(entry.notAfter) / 1000;
  const notBefore = Date.parse(entry.notBefore) / 1000;
  assert.ok(Number.isInteger(notAfter) && Number.isInteger(notBefore));
  assert.equal(verdict(await mtlsCall(notAfter + CERT_LEEWAY, {})), 'accepted');
  assert.equal(verdict(await mtlsCall(notAfter + CERT_LEEWAY + 1, {})), '401 tls.client-cert-validity');
  assert.equal(verdict(await mtlsCall(notBefore - CERT_LEEWAY, {})), 'accepted');
  assert.equal(verdict(await mtlsCall(notBefore - CERT_LEEWAY - 1, {})), '401 tls.client-cert-validity');
});
