// µs of CPU per call of what parses keys and certificates (OpenSSL's decoders) and of an ES256 signature, with
// this checkout's certs/: compares runtimes (Node 20 bundles OpenSSL 3.0, 22 and 24 OpenSSL 3.5).
//   node scripts/runtimes.mjs exec 24 -- scripts/bench/tls-setup.mjs
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';

const CERTS = path.resolve(import.meta.dirname, '../../certs');
const read = (f) => readFileSync(path.join(CERTS, f));
const key = read('clients/mallory.key.pem');
const cert = read('clients/mallory.chain.pem');
const ca = read('ca/trust.pem');
const leaf = read('clients/mallory.pem');
const signingKey = crypto.createPrivateKey(key);

function cpuUs(n, fn) {
  for (let i = 0; i < 20; i++) fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const c = process.cpuUsage(c0);
  return Math.round((c.user + c.system) / n);
}
console.log(JSON.stringify({
  node: process.versions.node, openssl: process.versions.openssl,
  createSecureContext: cpuUs(300, () => tls.createSecureContext({ key, cert, ca })),
  createPrivateKey: cpuUs(1000, () => crypto.createPrivateKey(key)),
  X509Certificate: cpuUs(1000, () => new crypto.X509Certificate(leaf)),
  signES256: cpuUs(1000, () => crypto.sign('sha256', Buffer.from('x'), signingKey)),
}));
