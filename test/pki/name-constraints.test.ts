// The sandbox root CA is name-constrained (RFC 5280 §4.2.1.10): trusting it trusts certificates for
// localhost, 127.0.0.1, ::1 and the reserved .example names the sandbox's clients use, never for a real
// domain. Checked with the openssl command line; a root without constraints is reported at start.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadPki, regeneratePki, nameConstraintsWarning, type Pki } from '../../server/pki/load.ts';
import { mintCertificate } from '../../server/pki/mint.ts';
import { tempDataDir } from '../helpers/paths.ts';

const tmp = tempDataDir('pki-nc');
let pki: Pki;
const file = (rel: string) => path.join(tmp.dir, rel);
const openssl = (args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });

before(async () => {
  await regeneratePki(tmp.dir);
  pki = await loadPki(tmp.dir);
});
after(() => tmp.remove());

test('openssl x509 -text shows critical name constraints on the root CA: localhost, .localhost, example, 127.0.0.1/32, ::1/128', () => {
  const text = openssl(['x509', '-noout', '-text', '-in', file('ca/root-ca.pem')]).stdout;
  assert.match(text, /X509v3 Name Constraints: critical\s+Permitted:/);
  for (const name of ['DNS:localhost', 'DNS:.localhost', 'DNS:example', 'IP:127.0.0.1/255.255.255.255', 'IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF']) {
    assert.ok(text.includes(name), `${name} in\n${text}`);
  }
});

test('openssl verify: the server and the trusted client certificates still chain; a certificate for a real domain does not', async () => {
  const verify = (pem: string, purpose: string) => {
    const leaf = file(`verify-${Math.random().toString(36).slice(2)}.pem`);
    writeFileSync(leaf, pem);
    return openssl(['verify', '-CAfile', file('ca/root-ca.pem'), '-untrusted', file('ca/issuing-ca.pem'), '-purpose', purpose, leaf]);
  };
  assert.equal(verify(pki.cert('server').cert, 'sslserver').status, 0);
  for (const name of ['tpp-alpha', 'tpp-beta', 'mallory', 'fapi-gateway']) {
    const r = verify(pki.cert(name).cert, 'sslclient');
    assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
  }
  const google = await mintCertificate(pki, { name: 'google', subject: 'CN=www.google.com', flaw: 'none', dnsNames: ['www.google.com'] });
  const refused = verify(google.chain.split(/(?<=-----END CERTIFICATE-----)/)[0]!, 'sslclient');
  assert.notEqual(refused.status, 0);
  assert.match(refused.stdout + refused.stderr, /permitted subtree violation/);
});

test('a root CA without name constraints gets a one-line warning; a constrained one none', () => {
  assert.equal(nameConstraintsWarning(pki.rootCa, 'certs'), null);
  const warning = nameConstraintsWarning(pki.rogueCa.cert, 'certs');
  assert.ok(warning);
  assert.doesNotMatch(warning, /\n/);
  assert.match(warning, /no name constraints.*npm run certs/);
});
