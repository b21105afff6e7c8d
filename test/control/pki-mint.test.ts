// Control API POST /api/pki/mint and the minted certificates' downloads, over the real UI listener:
// every flaw produces what it says, files are usable PEM, and bad input is a 400 naming the field.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('ctl-mint');
});
after(() => t.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${t.stack.urls.ui}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function mint(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await post('/api/pki/mint', body);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('an expired certificate with a copied subject: 201, listed, and its PEM files are a matching cert, chain and key', async () => {
  const { status, json } = await mint({ name: 'mint-expired', subjectOf: 'tpp-alpha', flaw: 'expired' });
  assert.equal(status, 201);
  const cert = json.certificate as { subject: string; notAfter: string; thumbprint: string; trusted: boolean; minted: { flaw: string } };
  assert.equal(cert.subject, t.stack.pki.cert('tpp-alpha').entry.subject);
  assert.ok(Date.parse(cert.notAfter) < Date.now(), 'notAfter is in the past');
  assert.equal(cert.minted.flaw, 'expired');
  assert.equal(cert.trusted, true);

  const index = (await (await fetch(`${t.stack.urls.ui}/api/pki`)).json()) as { minted: { name: string }[]; certificates: { name: string }[] };
  assert.ok(index.minted.some((m) => m.name === 'mint-expired'));
  assert.ok(!index.certificates.some((m) => m.name === 'mint-expired'), 'never added to the generated PKI index');

  const file = async (f: string) => {
    const res = await fetch(`${t.stack.urls.ui}/api/pki/mint-expired/${f}`);
    assert.equal(res.status, 200, f);
    assert.equal(res.headers.get('content-type'), 'application/x-pem-file');
    return res.text();
  };
  const leaf = new X509Certificate(await file('cert.pem'));
  assert.equal(leaf.raw.toString('base64url').length > 0, true);
  const { createHash } = await import('node:crypto');
  assert.equal(createHash('sha256').update(leaf.raw).digest('base64url'), cert.thumbprint);
  assert.equal((await file('chain.pem')).match(/BEGIN CERTIFICATE/g)?.length, 2);
  assert.ok(leaf.checkPrivateKey(createPrivateKey(await file('key.pem'))), 'key.pem is the certificate\'s key');
});

test('self-signed and untrusted-ca flaws, and a typed subject', async () => {
  const self = await mint({ name: 'mint-self', subject: 'CN=selfie,O=Nobody Ltd,C=GB', flaw: 'self-signed' });
  assert.equal(self.status, 201);
  const s = self.json.certificate as { subject: string; issuer: string; selfSigned: boolean; trusted: boolean };
  assert.equal(s.subject, 'CN=selfie,O=Nobody Ltd,C=GB');
  assert.equal(s.issuer, s.subject);
  assert.equal(s.selfSigned, true);
  assert.equal(s.trusted, false);

  const rogue = await mint({ name: 'mint-rogue', subjectOf: 'tpp-alpha', flaw: 'untrusted-ca' });
  assert.equal(rogue.status, 201);
  assert.equal((rogue.json.certificate as { issuer: string }).issuer, new X509Certificate(t.stack.pki.rogueCa.cert).subject.split('\n').reverse().join(','));
});

test('bad mint input is a 400 (or 409 / 415 / 403) naming the problem, never a 5xx', async () => {
  const cases: [unknown, number, RegExp][] = [
    [{ subjectOf: 'tpp-alpha' }, 400, /^name: /],
    [{ name: '1bad', subjectOf: 'tpp-alpha' }, 400, /^name: a name/],
    [{ name: 'ok', subjectOf: 'tpp-alpha', flaw: 'revoked' }, 400, /^flaw: /],
    [{ name: 'ok' }, 400, /subject: give exactly one of subject or subjectOf/],
    [{ name: 'ok', subject: 'CN=a,C=GB', subjectOf: 'tpp-alpha' }, 400, /give exactly one/],
    [{ name: 'ok', subjectOf: 'nobody' }, 400, /subjectOf: no certificate named "nobody"/],
    [{ name: 'ok', subject: 'no equals sign' }, 400, /^subject: "no equals sign" is not TYPE=value/],
    [{ name: 'ok', subject: 'CN=x,XX=y' }, 400, /^subject: attribute type "XX" is not supported/],
    [{ name: 'ok', subject: 'CN=x,C=Britain' }, 400, /two-letter country code/],
    [{ name: 'ok', subjectOf: 'tpp-alpha', extra: 1 }, 400, /Unrecognized key/],
    [{ name: 'tpp-alpha', subjectOf: 'mallory' }, 409, /certificate of the generated PKI/],
    ['{not json', 400, /not JSON/],
  ];
  for (const [body, status, message] of cases) {
    const res = await post('/api/pki/mint', body);
    const json = (await res.json()) as { error: string; error_description: string };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.match(json.error_description, message, JSON.stringify(body));
  }
  const form = await fetch(`${t.stack.urls.ui}/api/pki/mint`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x' });
  assert.equal(form.status, 403, 'a form body is what a cross-site page can post without a preflight');
  assert.equal(((await form.json()) as { error: string }).error, 'cross_site_request');
  const crossSite = await post('/api/pki/mint', { name: 'x', subjectOf: 'tpp-alpha' }, { origin: 'https://evil.example' });
  assert.equal(crossSite.status, 403);
  assert.equal((await fetch(`${t.stack.urls.ui}/api/pki/nobody/cert.pem`)).status, 404);
  assert.equal((await fetch(`${t.stack.urls.ui}/api/pki/mint-expired/other.pem`)).status, 404);
});
