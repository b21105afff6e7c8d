// The products of the compatibility matrix (docs/COMPATIBILITY.md), one row each: how to tell whether it
// is installed and which version, and how to start it on a free loopback port in front of the sandbox's
// mock OB API, trusting the sandbox's IdP. Each row runs with its target file examples/targets/<id>.yaml
// (what it claims to enforce); examples/compat/README.md says how each is configured.
import { createPublicKey, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { RESOURCES } from '../../server/resources.ts';
import { nginxBinary, startNginx } from '../helpers/nginx.ts';
import { BINARIES, exampleMissing, findBinary } from '../../server/targets/examples.ts';
import { debVersion, startProcess, versionOf, type Running } from './processes.ts';

/** What a product is started with. */
export interface ProductContext {
  /** The free port the product listens on (HTTPS). */
  port: number;
  /** The mock OB API (plain HTTP on loopback): the product's upstream. */
  apiPort: number;
  issuer: string;
  /** The key the product sends in x-sandbox-gateway-key. */
  gatewayKey: string;
  certsDir: string;
  /** The IdP's public JWKS. */
  jwks: { keys: Record<string, unknown>[] };
  /** A temporary directory of its own (removed after the run). */
  dir: string;
}

export interface Product {
  /** Row id: also the target file examples/targets/<id>.yaml. */
  id: string;
  /** Product name and mode as the matrix shows them. */
  product: string;
  mode: string;
  /** Why it cannot run here (not installed), or null. */
  missing(): string | null;
  /** The installed version. */
  version(): string;
  /** The access-token algorithm it needs from the IdP (HAProxy 2.6 verifies no PS256). */
  accessTokenAlg?: 'ES256';
  start(ctx: ProductContext): Promise<Running>;
}

const pkgVersion = (name: string) => (JSON.parse(readFileSync(path.join(ROOT_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
/** What the row's product lacks here (server/targets/examples.ts, which the Targets page shares). */
const missing = (id: string) => () => exampleMissing(id, ROOT_DIR);

/** A Node resource server of examples/<dir>/server.mjs as a child process, with the shared settings. */
function nodeServer(dir: string, env: (ctx: ProductContext) => Record<string, string>) {
  return (ctx: ProductContext) =>
    startProcess({
      name: `examples/${dir}/server.mjs`,
      command: process.execPath,
      args: [path.join(ROOT_DIR, 'examples', dir, 'server.mjs')],
      port: ctx.port,
      env: {
        PATH: process.env.PATH,
        NODE_EXTRA_CA_CERTS: path.join(ctx.certsDir, 'ca', 'root-ca.pem'),
        PORT: String(ctx.port),
        TLS_CERT: path.join(ctx.certsDir, 'server', 'server.chain.pem'),
        TLS_KEY: path.join(ctx.certsDir, 'server', 'server.key.pem'),
        CLIENT_CA: path.join(ctx.certsDir, 'ca', 'trust.pem'),
        CLIENT_CRL: path.join(ctx.certsDir, 'ca', 'crl.pem'),
        UPSTREAM: `http://127.0.0.1:${ctx.apiPort}`,
        GATEWAY_KEY: ctx.gatewayKey,
        ISSUER: ctx.issuer,
        AUDIENCE: RESOURCES.obApi,
        SCOPE: 'accounts',
        ...env(ctx),
      },
    });
}

const nginxVersion = () => versionOf(nginxBinary()!, ['-v'], /nginx\/(\S+)/) ?? 'unknown';

function nginx(example: 'ssl-verify-only' | 'cnf-binding') {
  return async (ctx: ProductContext): Promise<Running> => {
    const nginx = await startNginx({ example, apiPort: ctx.apiPort, gatewayKey: ctx.gatewayKey, certsDir: ctx.certsDir, issuer: ctx.issuer, jwks: ctx.jwks, port: ctx.port });
    return { ...nginx, alive: nginx.alive };
  };
}

/** An example config with this run's ports, key, issuer and paths; every substitution must match the example. */
export function renderExample(file: string, substitutions: [RegExp, string][]): string {
  let text = readFileSync(path.join(ROOT_DIR, 'examples', file), 'utf8');
  for (const [pattern, value] of substitutions) {
    if (!pattern.test(text)) throw new Error(`examples/${file}: ${pattern} not found; update test/compat/products.ts with the example`);
    text = text.replace(pattern, value);
  }
  return text;
}

/** The IdP's ES256 public key as SPKI PEM (what HAProxy's jwt_verify reads). */
function es256Pem(ctx: ProductContext): string {
  const jwk = ctx.jwks.keys.find((k) => k.alg === 'ES256');
  if (!jwk) throw new Error('the IdP JWKS has no ES256 key');
  return createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

const haproxyBinary = () => findBinary('haproxy', BINARIES.haproxy);

async function haproxy(ctx: ProductContext): Promise<Running> {
  const dir = `${ctx.dir}/`;
  writeFileSync(path.join(ctx.dir, 'server.pem'), readFileSync(path.join(ctx.certsDir, 'server', 'server.chain.pem'), 'utf8') + readFileSync(path.join(ctx.certsDir, 'server', 'server.key.pem'), 'utf8'));
  writeFileSync(path.join(ctx.dir, 'idp-es256.pem'), es256Pem(ctx));
  const cfg = renderExample('haproxy/fapi.cfg', [
    [/bind 127\.0\.0\.1:9543 /, `bind 127.0.0.1:${ctx.port} `],
    [/server ob_api 127\.0\.0\.1:9080/, `server ob_api 127.0.0.1:${ctx.apiPort}`],
    [/change-me-to-your-FAPI_EXTERNAL_GATEWAY_KEY/, ctx.gatewayKey],
    [/str\(https:\/\/localhost:8443\)/, `str(${ctx.issuer})`],
    [/data\/haproxy\//g, dir],
    [/certs\/ca\//g, `${ctx.certsDir}/ca/`],
  ]);
  const file = path.join(ctx.dir, 'fapi.cfg');
  writeFileSync(file, cfg);
  return startProcess({ name: 'haproxy', command: haproxyBinary()!, args: ['-f', file, '-db'], port: ctx.port });
}

const apacheBinary = () => findBinary('apache2', BINARIES.apache2);

const apache = (policy: 'enforced' | 'required') => async (ctx: ProductContext): Promise<Running> => {
  // Its workers run as nobody: the prefix must be readable.
  chmodSync(ctx.dir, 0o755);
  const conf = renderExample('apache/fapi.conf', [
    [/Listen 127\.0\.0\.1:9543/, `Listen 127.0.0.1:${ctx.port}`],
    [/<VirtualHost 127\.0\.0\.1:9543>/, `<VirtualHost 127.0.0.1:${ctx.port}>`],
    [/https:\/\/localhost:8443\/jwks/, `${ctx.issuer}/jwks`],
    [/claim iss:https:\/\/localhost:8443/, `claim iss:${ctx.issuer}`],
    [/http:\/\/127\.0\.0\.1:9080\//, `http://127.0.0.1:${ctx.apiPort}/`],
    [/change-me-to-your-FAPI_EXTERNAL_GATEWAY_KEY/, ctx.gatewayKey],
    [/change-me-any-long-random-string/, randomBytes(24).toString('hex')],
    [/data\/apache\//g, `${ctx.dir}/`],
    [/DefaultRuntimeDir data\/apache/, `DefaultRuntimeDir ${ctx.dir}`],
    [/(\s)certs\//g, `$1${ctx.certsDir}/`],
    // Node's child pipes are sockets, which Apache cannot open as /dev/stderr.
    [/ErrorLog \/dev\/stderr/, `ErrorLog ${ctx.dir}/error.log`],
    [/OIDCOAuthAccessTokenBindingPolicy enforced/, `OIDCOAuthAccessTokenBindingPolicy ${policy}`],
  ]);
  const file = path.join(ctx.dir, 'fapi.conf');
  writeFileSync(file, conf);
  return startProcess({ name: 'apache2', command: apacheBinary()!, args: ['-X', '-d', ctx.dir, '-f', file], port: ctx.port, logFile: path.join(ctx.dir, 'error.log') });
};

const apacheRow = (policy: 'enforced' | 'required'): Product => ({
  id: `apache-mod-auth-openidc-${policy}`, product: 'Apache + mod_auth_openidc', mode: `AuthType oauth20, OIDCOAuthAccessTokenBindingPolicy ${policy}`,
  missing: missing(`apache-mod-auth-openidc-${policy}`),
  version: () => `${versionOf(apacheBinary()!, ['-v'], /Apache\/(\S+)/) ?? 'unknown'}, mod_auth_openidc ${debVersion('libapache2-mod-auth-openidc') ?? 'unknown'}`,
  start: apache(policy),
});

const jwtBearer = (mode: 'default' | 'required' | 'disabled'): Product => ({
  id: `express-oauth2-jwt-bearer-dpop-${mode}`,
  product: 'express-oauth2-jwt-bearer',
  mode: mode === 'required' ? 'DPoP required' : `DPoP ${mode}, mTLS via getCertificate`,
  missing: missing(`express-oauth2-jwt-bearer-dpop-${mode}`),
  version: () => pkgVersion('express-oauth2-jwt-bearer'),
  start: nodeServer('express-oauth2-jwt-bearer', () => ({ DPOP_MODE: mode })),
});

export const PRODUCTS: readonly Product[] = [
  {
    id: 'nginx-ssl-verify-only', product: 'nginx', mode: 'ssl_verify_client on only',
    missing: missing('nginx-ssl-verify-only'), version: nginxVersion, start: nginx('ssl-verify-only'),
  },
  {
    id: 'nginx-cnf-binding', product: 'nginx + njs', mode: 'fapi-binding.js (cnf.x5t#S256)',
    missing: missing('nginx-cnf-binding'),
    version: () => `${nginxVersion()}, njs ${debVersion('libnginx-mod-http-js') ?? 'unknown'}`, start: nginx('cnf-binding'),
  },
  {
    id: 'haproxy-cnf-binding', product: 'HAProxy', mode: 'jwt_verify ES256 + cnf.x5t#S256 = ssl_c_der,sha2(256),ub64enc',
    missing: missing('haproxy-cnf-binding'),
    version: () => versionOf(haproxyBinary()!, ['-v'], /HAProxy version (\S+)/) ?? 'unknown',
    accessTokenAlg: 'ES256',
    start: haproxy,
  },
  apacheRow('enforced'),
  apacheRow('required'),
  jwtBearer('default'),
  jwtBearer('required'),
  jwtBearer('disabled'),
  {
    id: 'jose-bearer', product: 'Express + jose', mode: 'jwtVerify, Bearer only, no client certificates',
    missing: missing('jose-bearer'), version: () => `jose ${pkgVersion('jose')}, express ${pkgVersion('express')}`,
    start: nodeServer('jose', (ctx) => ({ REQUEST_CERT: '0', JWKS_URI: `${ctx.issuer}/jwks` })),
  },
  {
    id: 'oauth4webapi-dpop', product: 'oauth4webapi', mode: 'validateJwtAccessToken, DPoP',
    missing: missing('oauth4webapi-dpop'), version: () => pkgVersion('oauth4webapi'),
    start: nodeServer('oauth4webapi', () => ({ REQUEST_CERT: '0' })),
  },
];
