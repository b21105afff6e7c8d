// The engine's HTTPS client (server/engine/http-client.ts) over real TLS: with its TLS contexts and
// certificate summaries cached, every request still does its own full handshake (never a resumed
// session, RFC 8446 §2.2), presents the certificate of the party it acts for, and traces the
// certificate of the server it actually reached.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { loadPki, type Pki } from '../../server/pki/load.ts';
import { thumbprintOf, x509 } from '../../server/pki/x509.ts';
import { send } from '../../server/engine/http-client.ts';
import type { CertMaterial } from '../../server/engine/target.ts';
import { OddCerts, dn } from '../helpers/odd-certs.ts';
import { certsDir } from '../helpers/paths.ts';

interface Seen { client: string | null; resumed: boolean }

let pki: Pki;
const servers: { url: string; thumbprint: string; server: https.Server }[] = [];

/** A TLS 1.3 server that asks for a client certificate and answers with what it saw of the handshake. */
async function listen(chain: string, key: string): Promise<void> {
  const server = https.createServer({ cert: chain, key, ca: pki.caBundle, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, (req, res) => {
    const socket = req.socket as tls.TLSSocket;
    const peer = socket.getPeerCertificate();
    const seen: Seen = { client: peer.raw ? thumbprintOf(peer.raw) : null, resumed: socket.isSessionReused() };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(seen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const leaf = new x509.X509Certificate(chain.slice(0, chain.indexOf('-----END CERTIFICATE-----') + 25));
  servers.push({ url: `https://localhost:${(server.address() as AddressInfo).port}/`, thumbprint: thumbprintOf(Buffer.from(leaf.rawData)), server });
}

before(async () => {
  pki = await loadPki(certsDir());
  await listen(pki.server.chain, pki.server.key);
  // A second server under the same CA: a cached context must not mix up whose certificate is traced.
  const other = await (await OddCerts.create(pki)).issue({
    subject: dn([{ CN: ['second-server'] }]), dnsNames: ['localhost'], extKeyUsage: [x509.ExtendedKeyUsage.serverAuth],
  });
  await listen(other.chain, other.key);
});
after(async () => {
  for (const s of servers) s.server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.server.close(resolve))));
});

const material = (name: string): CertMaterial => {
  const m = pki.cert(name);
  return { name, chain: m.chain, key: m.key, summary: m.entry };
};

test('every request does its own full handshake with the right certificates, on cached contexts', async () => {
  const plan: [server: 0 | 1, cert: string | null][] = [[0, 'tpp-alpha'], [0, 'tpp-alpha'], [1, 'tpp-beta'], [0, 'tpp-beta'], [1, null], [1, 'tpp-alpha'], [0, null], [0, 'tpp-alpha']];
  assert.notEqual(servers[0]!.thumbprint, servers[1]!.thumbprint);
  for (const [i, [index, name]] of plan.entries()) {
    const target = servers[index]!;
    const cert = name ? material(name) : null;
    const x = await send({ method: 'GET', url: target.url, headers: {}, ca: pki.caBundle, cert });
    const where = `request ${i} (server ${index}, ${name ?? 'no certificate'})`;
    assert.equal(x.error, null, where);
    assert.equal(x.response?.status, 200, where);
    const seen = JSON.parse(x.response!.body!) as Seen;
    assert.equal(seen.client, cert ? cert.summary.thumbprint : null, `${where}: the server saw the acting party's certificate`);
    assert.equal(seen.resumed, false, `${where}: the server did a full handshake`);
    assert.equal(x.tls?.sessionReused, false, `${where}: traced as a full handshake`);
    assert.equal(x.tls?.protocol, 'TLSv1.3', where);
    assert.equal(x.tls?.serverChain[0]?.thumbprint, target.thumbprint, `${where}: the trace shows the certificate of the server reached`);
    assert.equal(x.tls?.clientCertificate?.thumbprint ?? null, cert?.summary.thumbprint ?? null, where);
    assert.ok(Object.isFrozen(x.tls!.serverChain[0]), `${where}: the cached summary is shared, so it is frozen`);
  }
});

test('control: the same servers resume a session when a client offers one (so "never resumed" above means something)', async () => {
  const m = material('tpp-alpha');
  const agent = new https.Agent({ keepAlive: false, ca: pki.caBundle, cert: m.chain, key: m.key });
  const get = () => new Promise<Seen>((resolve, reject) => {
    https.get(servers[0]!.url, { agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body) as Seen));
    }).on('error', reject);
  });
  try {
    assert.equal((await get()).resumed, false);
    assert.equal((await get()).resumed, true, 'an agent that keeps the ticket resumes');
  } finally {
    agent.destroy();
  }
});
