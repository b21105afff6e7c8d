// Loads certs/ into memory, generating it when missing or when a certificate no longer has the
// property its role promises (a "valid" one about to expire, a "not yet valid" one that became valid).
import { existsSync, mkdirSync, readFileSync, rmSync, openSync, closeSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import { generatePki } from './generate.ts';
import { x509 } from './x509.ts';
import { CLIENT_CERTS, SIGNING_CERTS } from './plan.ts';
import type { IndexedCert, PkiIndex } from './types.ts';

export interface ClientMaterial {
  entry: IndexedCert;
  /** Leaf certificate PEM. */
  cert: string;
  /** Leaf + issuer PEM: what a TLS client presents. */
  chain: string;
  key: string;
}

export interface Pki {
  dir: string;
  index: PkiIndex;
  /** Root + issuing CA (PEM): what servers trust for client certificates and clients trust for servers. */
  caBundle: string;
  rootCa: string;
  /** CRLs of the root and the issuing CA, one PEM each (Node's `crl` option reads one CRL per entry). */
  crls: string[];
  server: { chain: string; key: string };
  trustAnchors: X509Certificate[];
  revokedSerials: ReadonlySet<string>;
  idpJwks: { keys: JWK[] };
  secrets: { cookieKeys: string[]; idpDpopNonceSecret: string; gatewayDpopNonceSecret: string };
  cert(name: string): ClientMaterial;
  clientKey(clientId: string): JWK;
  /** Issuing CA certificate and key (PEM) for run-time minting. */
  issuingCa: { cert: string; key: string };
  rogueCa: { cert: string; key: string };
}

const WEEK = 7 * 86_400_000;

function stale(index: PkiIndex, dir: string, now: number): string | null {
  const names = new Set(index.certificates.map((c) => c.name));
  const missing = [...CLIENT_CERTS, ...SIGNING_CERTS].find((p) => !names.has(p.name));
  if (missing) return `${missing.name} (certificate plan) is not in index.json`;
  for (const c of index.certificates) {
    if (!existsSync(path.join(dir, c.files.cert)) || !existsSync(path.join(dir, c.files.key))) return `${c.files.cert} is missing`;
    const from = Date.parse(c.notBefore);
    const to = Date.parse(c.notAfter);
    if (c.role === 'expired' ? to > now : c.role === 'not-yet-valid' ? from < now + WEEK : to < now + WEEK) {
      return `${c.name} no longer fits its role (${c.role}: ${c.notBefore} .. ${c.notAfter})`;
    }
  }
  if (index.trust.crlNextUpdate && Date.parse(index.trust.crlNextUpdate) < now + WEEK) return 'the CRL is about to expire';
  return null;
}

function readIndex(dir: string): PkiIndex | null {
  const file = path.join(dir, 'index.json');
  if (!existsSync(file)) return null;
  try {
    const index = JSON.parse(readFileSync(file, 'utf8')) as PkiIndex;
    return index.version === 1 && index.secrets ? index : null;
  } catch {
    return null;
  }
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.lock');
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      // Another process is generating; a lock older than 60 s is abandoned.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { force: true });
      if (i > 600) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function clearGenerated(dir: string): void {
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    if (entry !== 'README.md' && entry !== '.lock') rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

/** Removes generated files (keeps README.md) and generates a new PKI. */
export async function regeneratePki(dir: string): Promise<PkiIndex> {
  return withLock(dir, async () => {
    clearGenerated(dir);
    return generatePki(dir);
  });
}

/** One line when the root CA has no name constraints (a PKI generated before they were added), else null. */
export function nameConstraintsWarning(rootPem: string, dir: string): string | null {
  const root = new x509.X509Certificate(rootPem);
  if (root.getExtension('2.5.29.30')) return null;
  return `warning: the root CA in ${dir} has no name constraints, so whoever trusts it trusts certificates minted with its key for any domain; run \`npm run certs\` to regenerate a constrained one`;
}

/** Ensures certs/ holds a usable PKI and loads it. `log` hears about (re)generation and a root CA without name constraints. */
export async function loadPki(dir: string, log: (msg: string) => void = () => {}): Promise<Pki> {
  const now = Date.now();
  let index = readIndex(dir);
  const why = index ? stale(index, dir, now) : 'no certs/index.json';
  if (why) {
    index = await withLock(dir, async () => {
      const again = readIndex(dir);
      if (again && !stale(again, dir, now)) return again; // another process just generated it
      log(`generating the sandbox PKI in ${dir} (${why})`);
      clearGenerated(dir);
      return generatePki(dir, now);
    });
  }
  const pki = materialize(dir, index!);
  const warning = nameConstraintsWarning(pki.rootCa, dir);
  if (warning) log(warning);
  return pki;
}

function materialize(dir: string, index: PkiIndex): Pki {
  const read = (rel: string) => readFileSync(path.join(dir, rel), 'utf8');
  const byName = new Map(index.certificates.map((c) => [c.name, c]));
  const entry = (name: string): IndexedCert => {
    const found = byName.get(name);
    if (!found) throw new Error(`no certificate named "${name}" in ${path.join(dir, 'index.json')}`);
    return found;
  };
  const clientKeys = new Map(index.keys.map((k) => [k.clientId, JSON.parse(read(k.file)) as JWK]));
  const root = entry('root-ca');
  const issuing = entry('issuing-ca');
  const rogue = entry('rogue-ca');
  const server = entry('server');
  const cache = new Map<string, ClientMaterial>();
  return {
    dir,
    index,
    caBundle: read(index.trust.caBundle),
    rootCa: read(root.files.cert),
    crls: read(index.trust.crl).match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----\n?/g) ?? [],
    server: { chain: read(server.files.chain ?? server.files.cert), key: read(server.files.key) },
    trustAnchors: [new X509Certificate(read(root.files.cert)), new X509Certificate(read(issuing.files.cert))],
    revokedSerials: new Set(index.trust.revokedSerials.map((s) => s.toUpperCase())),
    idpJwks: JSON.parse(read(index.idpJwks)) as { keys: JWK[] },
    secrets: JSON.parse(read(index.secrets)) as Pki['secrets'],
    issuingCa: { cert: read(issuing.files.cert), key: read(issuing.files.key) },
    rogueCa: { cert: read(rogue.files.cert), key: read(rogue.files.key) },
    cert(name) {
      let m = cache.get(name);
      if (!m) {
        const e = entry(name);
        m = { entry: e, cert: read(e.files.cert), chain: read(e.files.chain ?? e.files.cert), key: read(e.files.key) };
        cache.set(name, m);
      }
      return m;
    },
    clientKey(clientId) {
      const key = clientKeys.get(clientId);
      if (!key) throw new Error(`no private_key_jwt key for client "${clientId}" in ${path.join(dir, 'index.json')}`);
      return key;
    },
  };
}
