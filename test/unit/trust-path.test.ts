// Client certificate path validation beyond the leaf (RFC 5280 §6.1): intermediate CAs' validity,
// pathLenConstraint (§4.2.1.9), intermediates' revocation, CRL freshness (nextUpdate, §5.1.2.5), and the
// revocation modes a route chooses: ignore, crl (unknown status soft-fails) and strict (unknown refused).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { loadPki, type Pki } from '../../server/pki/load.ts';
import { TrustAnchors } from '../../server/gateway/trust.ts';
import { clientCertValidity } from '../../server/gateway/checks/tls/client-cert-validity.ts';
import { clientCertRevocation } from '../../server/gateway/checks/tls/client-cert-revocation.ts';
import type { GatewayContext } from '../../server/gateway/context.ts';
import type { ConnectionFacts } from '../../server/gateway/connection.ts';
import { summarizeCert } from '../../server/pki/x509.ts';
import { OddCerts, dn, type OddCert } from '../helpers/odd-certs.ts';
import { certsDir } from '../helpers/paths.ts';
import { x509 } from '../../server/pki/x509.ts';
import { buildRoutes } from '../../server/gateway/routes.ts';
import { loadConfig } from '../../server/config.ts';

const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / 1000);
let pki: Pki;
let odd: OddCerts;
before(async () => {
  pki = await loadPki(certsDir());
  odd = await OddCerts.create(pki);
});

const certs = (o: OddCert) => (o.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
const CA_USAGE = { ca: true, keyUsage: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, extKeyUsage: null } as const;

/** A leaf under an intermediate CA issued by the rogue root (which allows one intermediate); the rogue root is the only anchor. */
async function underIntermediate(intermediate: Parameters<OddCerts['issue']>[0] = {}) {
  const mid = await odd.issue({ ...CA_USAGE, issuer: 'rogue', subject: dn([{ CN: ['Client Intermediate CA'] }]), ...intermediate });
  const leaf = await odd.issue({ issuer: await odd.signerFrom(mid) });
  const [midCert] = certs(mid);
  const [leafCert] = certs(leaf);
  return { mid: midCert!, leaf: leafCert! };
}

const rogue = () => new X509Certificate(pki.rogueCa.cert);

function ctx(trust: TrustAnchors, leaf: X509Certificate, presented: X509Certificate[], revocation: 'ignore' | 'crl' | 'strict' = 'crl'): GatewayContext {
  const chain = trust.verifyChain(leaf, presented);
  const conn = { tls: { peerCertificate: summarizeCert(leaf) }, peer: leaf, chain } as unknown as ConnectionFacts;
  return { conn, now: NOW, route: { certificates: 'chain', revocation }, deps: { trust, certClockToleranceSeconds: 0 } } as unknown as GatewayContext;
}

test('a path through a client-sent intermediate chains; pathLenConstraint of a CA above it is enforced', async () => {
  const trust = new TrustAnchors([rogue()], [{ issuer: rogue(), revoked: [] }]);
  const { mid, leaf } = await underIntermediate();
  const ok = trust.verifyChain(leaf, [mid]);
  assert.equal(ok.ok, true, ok.reason);
  assert.equal(ok.path.length, 3);

  // The sandbox issuing CA says pathLenConstraint 0: no CA may sit between it and a leaf.
  const sandbox = new TrustAnchors(pki.trustAnchors, []);
  const below = await odd.issue({ ...CA_USAGE, subject: dn([{ CN: ['Sneaky Sub CA'] }]) });
  const leafBelow = await odd.issue({ issuer: await odd.signerFrom(below) });
  const refused = sandbox.verifyChain(certs(leafBelow)[0]!, [certs(below)[0]!]);
  assert.equal(refused.ok, false);
  assert.match(refused.reason, /pathLenConstraint/);

  const zero = await underIntermediate({ pathLength: 0 });
  assert.equal(trust.verifyChain(zero.leaf, [zero.mid]).ok, true, 'pathLength 0 still allows a leaf below');
});

test('tls.client-cert-validity also refuses an expired or not-yet-valid intermediate', async () => {
  const trust = new TrustAnchors([rogue()], [{ issuer: rogue(), revoked: [] }]);
  const expired = await underIntermediate({ notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
  const v = await clientCertValidity.run(ctx(trust, expired.leaf, [expired.mid]));
  assert.equal(v.outcome, 'fail');
  assert.match(v.reason, /Client Intermediate CA.*expired/);
  const early = await underIntermediate({ notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 10 * DAY) });
  assert.equal((await clientCertValidity.run(ctx(trust, early.leaf, [early.mid]))).outcome, 'fail');
  const fine = await underIntermediate();
  assert.equal((await clientCertValidity.run(ctx(trust, fine.leaf, [fine.mid]))).outcome, 'pass');
});

test('tls.client-cert-revocation: a revoked intermediate is refused; unknown status soft-fails in crl mode and is refused in strict mode', async () => {
  const { mid, leaf } = await underIntermediate();
  const revokedMid = new TrustAnchors([rogue()], [{ issuer: rogue(), revoked: [mid.serialNumber] }, { issuer: mid, revoked: [] }]);
  const r = await clientCertRevocation.run(ctx(revokedMid, leaf, [mid]));
  assert.equal(r.outcome, 'fail');
  assert.match(r.reason, /Client Intermediate CA/);

  // The intermediate publishes no CRL: the leaf's status is unknown.
  const noLeafCrl = new TrustAnchors([rogue()], [{ issuer: rogue(), revoked: [] }]);
  const soft = await clientCertRevocation.run(ctx(noLeafCrl, leaf, [mid], 'crl'));
  assert.equal(soft.outcome, 'skip');
  assert.match(soft.reason, /unknown/);
  const strict = await clientCertRevocation.run(ctx(noLeafCrl, leaf, [mid], 'strict'));
  assert.equal(strict.outcome, 'fail');
  assert.match(strict.reason, /strict/);
  const ignored = await clientCertRevocation.run(ctx(revokedMid, leaf, [mid], 'ignore'));
  assert.equal(ignored.outcome, 'skip');

  const known = new TrustAnchors([rogue()], [{ issuer: rogue(), revoked: [] }, { issuer: mid, revoked: [] }]);
  assert.equal((await clientCertRevocation.run(ctx(known, leaf, [mid], 'strict'))).outcome, 'pass');
});

test('a CRL past its nextUpdate gives unknown status (refused in strict mode), though what it lists stays revoked', async () => {
  const [root, issuing] = pki.trustAnchors;
  const alpha = new X509Certificate(pki.cert('tpp-alpha').cert);
  const revoked = new X509Certificate(pki.cert('alpha-revoked').cert);
  const stale = new TrustAnchors(pki.trustAnchors, [{ issuer: root!, revoked: [] }, { issuer: issuing!, revoked: pki.revokedSerials, nextUpdate: NOW - 60 }]);
  const s = await clientCertRevocation.run(ctx(stale, alpha, [], 'strict'));
  assert.equal(s.outcome, 'fail');
  assert.match(s.reason, /nextUpdate/);
  assert.equal((await clientCertRevocation.run(ctx(stale, alpha, [], 'crl'))).outcome, 'skip');
  assert.equal((await clientCertRevocation.run(ctx(stale, revoked, [], 'crl'))).outcome, 'fail');
  const fresh = new TrustAnchors(pki.trustAnchors, [{ issuer: root!, revoked: [] }, { issuer: issuing!, revoked: pki.revokedSerials, nextUpdate: NOW + 3600 }]);
  assert.equal((await clientCertRevocation.run(ctx(fresh, alpha, [], 'strict'))).outcome, 'pass');
});

test('FAPI_GATEWAY_REVOCATION sets the chain-checking routes\' mode (default crl); the self-signed route ignores revocation', () => {
  const modes = (env: Record<string, string>) => Object.fromEntries(buildRoutes(loadConfig({}, env)).map((r) => [r.id, r.revocation]));
  assert.equal(modes({})['ob-api-mtls'], 'crl');
  assert.equal(modes({ FAPI_GATEWAY_REVOCATION: 'strict' })['ob-api'], 'strict');
  assert.equal(modes({ FAPI_GATEWAY_REVOCATION: 'strict' })['ob-api-mtls-self-signed'], 'ignore');
  assert.throws(() => loadConfig({}, { FAPI_GATEWAY_REVOCATION: 'sometimes' }), /FAPI_GATEWAY_REVOCATION must be one of ignore, crl, strict/);
});
