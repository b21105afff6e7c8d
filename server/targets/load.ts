// Loads a target file: parses and validates it (lib/target/parse.ts), then reads every file it names
// (relative to the target file) into memory: CA bundles, client certificates and keys, client signing
// and DPoP keys. Any problem is a TargetError naming the file, line, field and what was expected.
import { readFileSync, realpathSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import path from 'node:path';
import type { JWK } from 'jose';
import { formatScenarioError } from '../../lib/scenario/parse.ts';
import { parseTarget, type TargetFileError } from '../../lib/target/parse.ts';
import type { TargetFile } from '../../lib/target/schema.ts';
import { summarizeCert } from '../pki/x509.ts';
import type { CertMaterial, TargetClient } from '../engine/target.ts';

/** A target file that cannot be used; the CLI prints the errors and exits with 2. */
export class TargetError extends Error {
  constructor(readonly errors: TargetFileError[]) {
    super(errors.map(formatScenarioError).join('\n'));
  }
}

/** A target file with every file it names read and checked. */
export interface LoadedTarget {
  file: TargetFile;
  /** Where it came from (a path, or "ui:<name>"), for messages. */
  source: string;
  /** CA certificates (PEM) trusted for the target's servers. */
  trust: string[];
  certificates: ReadonlyMap<string, CertMaterial>;
  clients: ReadonlyMap<string, TargetClient>;
  /** The CA issuing client certificates, with its key (for mint). */
  certificateAuthority: { cert: string; key: string } | null;
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]+?-----END [A-Z0-9 ]+-----/g;

export interface LoadOptions {
  /** Directory that relative paths start from (the target file's). */
  baseDir: string;
  /** Where ${VAR} references come from; null: none are expanded (targets posted to the control API). */
  env?: Readonly<Record<string, string | undefined>> | null;
  /** Folders its file paths must stay in (targets posted to the control API); absent: any path. */
  allowedDirs?: readonly string[];
}

/** Whether `file` is inside one of `dirs`. */
function inside(file: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => {
    const rel = path.relative(dir, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}

/** The real path of an existing file, or the path itself (a missing file cannot escape through a link). */
function real(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Reads and checks a target file from disk. */
export function loadTargetFile(file: string, env: Readonly<Record<string, string | undefined>> = process.env): LoadedTarget {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TargetError([{ file, line: null, path: '(file)', message: (err as Error).message }]);
  }
  return loadTargetText(text, file, { baseDir: path.dirname(path.resolve(file)), env });
}

/** Parses target YAML (a file, or text pasted in the UI) and reads what it names from baseDir. */
export function loadTargetText(text: string, source: string, opts: LoadOptions): LoadedTarget {
  const parsed = parseTarget(text, source, opts.env === undefined ? {} : opts.env);
  if (!parsed.ok) throw new TargetError(parsed.errors);
  const target = parsed.target;
  const errors: TargetFileError[] = [];
  const fail = (at: PropertyKey[], message: string) => {
    errors.push({ file: source, line: parsed.lineOf(at), path: at.map(String).join('.'), message });
    return null;
  };

  /** Inline text, or the contents of a file relative to baseDir. */
  const read = (value: string, at: PropertyKey[]): string | null => {
    if (value.trimStart().startsWith('-----BEGIN') || value.trimStart().startsWith('{')) return value;
    const full = path.resolve(opts.baseDir, value);
    // The same answer whether an outside file exists or not, and nothing read from it.
    if (opts.allowedDirs && !(inside(full, opts.allowedDirs) && inside(real(full), opts.allowedDirs))) {
      return fail(at, `${value} is outside the folders target files may name here (the certificates folder and FAPI_TARGET_FILE_DIRS)`);
    }
    try {
      return readFileSync(full, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail(at, code === 'ENOENT' ? `no such file ${full}` : `cannot read ${full}: ${(err as Error).message}`);
    }
  };
  const pemBlocks = (value: string, at: PropertyKey[], what: string): string[] => {
    const text = read(value, at);
    if (text === null) return [];
    const blocks = text.match(PEM) ?? [];
    if (!blocks.length) fail(at, `expected PEM (${what}), found none`);
    return blocks;
  };
  const jwkFile = (value: string, at: PropertyKey[]): JWK | null => {
    const text = read(value, at);
    if (text === null) return null;
    let jwk: JWK;
    try {
      jwk = JSON.parse(text) as JWK;
    } catch {
      // JSON.parse's message quotes the text: never echo a file's bytes.
      return fail(at, 'not JSON (expected a JWK: a JSON object with kty)');
    }
    if (typeof jwk !== 'object' || !jwk || typeof jwk.kty !== 'string') return fail(at, 'expected a JWK (a JSON object with kty)');
    if (!('d' in jwk)) return fail(at, 'expected a private JWK (it has no "d")');
    return jwk;
  };

  /** A private_key_jwt key: a private JWK file, or a PKCS#8 PEM with keyAlg; the result carries its alg. */
  const signingKey = (value: string, alg: string | undefined, at: PropertyKey[]): JWK | null => {
    const text = read(value, at);
    if (text === null) return null;
    let jwk: JWK | null;
    if (text.trimStart().startsWith('{')) jwk = jwkFile(value, at);
    else {
      try {
        jwk = createPrivateKey(text).export({ format: 'jwk' }) as JWK;
      } catch (err) {
        return fail(at, `expected a private JWK (JSON) or a PKCS#8 PEM key: ${(err as Error).message}`);
      }
    }
    if (!jwk) return null;
    const withAlg = alg ? { ...jwk, alg } : jwk;
    return withAlg.alg ? withAlg : fail(at, 'the key has no alg: add "alg" to the JWK, or set keyAlg');
  };

  const trust = (target.trust === undefined ? [] : Array.isArray(target.trust) ? target.trust : [target.trust]).flatMap((t, i) =>
    pemBlocks(t, Array.isArray(target.trust) ? ['trust', i] : ['trust'], 'CA certificates'),
  );

  const certificates = new Map<string, CertMaterial>();
  for (const [name, spec] of Object.entries(target.certificates)) {
    const chain = pemBlocks(spec.cert, ['certificates', name, 'cert'], 'a certificate chain');
    const key = read(spec.key, ['certificates', name, 'key']);
    if (!chain.length || key === null) continue;
    try {
      const leaf = new X509Certificate(chain[0]!);
      if (!leaf.checkPrivateKey(createPrivateKey(key))) {
        fail(['certificates', name, 'key'], `this key does not belong to the certificate ${leaf.subject.replace(/\n/g, ', ')}`);
        continue;
      }
      certificates.set(name, { name, chain: `${chain.join('\n')}\n`, key, summary: summarizeCert(leaf) });
    } catch (err) {
      fail(['certificates', name], `not a usable certificate and key: ${(err as Error).message}`);
    }
  }

  const clients = new Map<string, TargetClient>();
  for (const [name, spec] of Object.entries(target.clients)) {
    if (spec.certificate && !target.certificates[spec.certificate]) fail(['clients', name, 'certificate'], `no certificate "${spec.certificate}" under certificates:`);
    const client: TargetClient = { clientId: spec.clientId, ...(spec.auth ? { auth: spec.auth } : {}), ...(spec.certificate ? { certificate: spec.certificate } : {}), key: null, dpopKey: null };
    if (spec.key) client.key = signingKey(spec.key, spec.keyAlg, ['clients', name, 'key']);
    if (spec.dpopKey) client.dpopKey = jwkFile(spec.dpopKey, ['clients', name, 'dpopKey']);
    clients.set(name, client);
  }

  let certificateAuthority: LoadedTarget['certificateAuthority'] = null;
  if (target.certificateAuthority) {
    const [cert] = pemBlocks(target.certificateAuthority.cert, ['certificateAuthority', 'cert'], 'the CA certificate');
    const key = read(target.certificateAuthority.key, ['certificateAuthority', 'key']);
    if (cert && key !== null) {
      try {
        const ca = new X509Certificate(cert);
        const k = createPrivateKey(key);
        if (!ca.ca) fail(['certificateAuthority', 'cert'], 'this certificate is not a CA (basicConstraints cA is false)');
        else if (!ca.checkPrivateKey(k)) fail(['certificateAuthority', 'key'], 'this key does not belong to the CA certificate');
        else if (k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1') fail(['certificateAuthority', 'key'], 'expected an EC P-256 key (the sandbox mints with ECDSA P-256)');
        else certificateAuthority = { cert, key: k.export({ format: 'pem', type: 'pkcs8' }).toString() };
      } catch (err) {
        fail(['certificateAuthority'], `not a usable CA: ${(err as Error).message}`);
      }
    }
  }

  if (errors.length) throw new TargetError(errors);
  return { file: target, source, trust, certificates, clients, certificateAuthority };
}
