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
  /** The finding in two lines, checked by hand against its fails (docs/COMPATIBILITY.md shows it above them). */
  summary: string;
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
  summary: policy === 'enforced'
    ? 'Refuses every certificate-bound token, its owner\'s included: mod_auth_openidc 2.4.12 reads the certificate thumbprint only from TB_SSL_CLIENT_CERT_FINGERPRINT (mod_token_binding, not in Debian); mod_ssl and Apache expressions cannot compute it. Bad certificates end the handshake with a TLS alert.'
    : 'Lets a stolen certificate-bound token through with another valid certificate or none: with no thumbprint available (see enforced), `required` does not check cnf.x5t#S256. Otherwise as enforced: TLS alerts for bad certificates, bare 401s for claims.',
  missing: missing(`apache-mod-auth-openidc-${policy}`),
  version: () => `${versionOf(apacheBinary()!, ['-v'], /Apache\/(\S+)/) ?? 'unknown'}, mod_auth_openidc ${debVersion('libapache2-mod-auth-openidc') ?? 'unknown'}`,
  start: apache(policy),
});

const caddyBinary = () => findBinary('caddy', BINARIES.caddy);

async function caddy(ctx: ProductContext): Promise<Running> {
  const conf = renderExample('caddy/Caddyfile', [
    [/https:\/\/localhost:9543 \{/, `https://localhost:${ctx.port} {`],
    [/reverse_proxy 127\.0\.0\.1:9080/, `reverse_proxy 127.0.0.1:${ctx.apiPort}`],
    [/change-me-to-your-FAPI_EXTERNAL_GATEWAY_KEY/, ctx.gatewayKey],
    [/(\s)certs\//g, `$1${ctx.certsDir}/`],
  ]);
  const file = path.join(ctx.dir, 'Caddyfile');
  writeFileSync(file, conf);
  // HOME: Caddy's data and config folders (nothing is written there with admin and auto_https off).
  return startProcess({ name: 'caddy', command: caddyBinary()!, args: ['run', '--adapter', 'caddyfile', '--config', file], port: ctx.port, env: { PATH: process.env.PATH, HOME: ctx.dir } });
}

const jwtBearer = (mode: 'default' | 'required' | 'disabled'): Product => ({
  id: `express-oauth2-jwt-bearer-dpop-${mode}`,
  summary: {
    default: 'Enforces cnf.x5t#S256 (getCertificate) and cnf.jkt, but keeps no jti cache (a replayed proof passes) and accepts proofs up to 300 s old (iatOffset); proof errors are 400 invalid_dpop_proof, a missing certificate 400 invalid_request, not 401.',
    required: 'DPoP only: proofs are checked as in default mode, with the same gaps: no replay detection, a 300 s iat window, 400 instead of 401 for bad proofs; a DPoP-bound token sent as Bearer is a 400 without an error code.',
    disabled: 'As documented, a DPoP-bound token sent with the Bearer scheme passes with no proof (cnf.jkt ignored), and legitimate DPoP requests are refused (400). Certificate binding works as in default mode.',
  }[mode],
  product: 'express-oauth2-jwt-bearer',
  mode: mode === 'required' ? 'DPoP required' : `DPoP ${mode}, mTLS via getCertificate`,
  missing: missing(`express-oauth2-jwt-bearer-dpop-${mode}`),
  version: () => pkgVersion('express-oauth2-jwt-bearer'),
  start: nodeServer('express-oauth2-jwt-bearer', () => ({ DPOP_MODE: mode })),
});

export const PRODUCTS: readonly Product[] = [
  {
    id: 'nginx-ssl-verify-only', product: 'nginx', mode: 'ssl_verify_client on only',
    summary: 'Checks that a certificate is valid, not that it is the one the token is bound to: a stolen certificate-bound token works with any other certificate from the CA. Certificate problems are nginx\'s 400 pages, not RFC 6750 401s; scope is left to the application.',
    missing: missing('nginx-ssl-verify-only'), version: nginxVersion, start: nginx('ssl-verify-only'),
  },
  {
    id: 'nginx-cnf-binding', product: 'nginx + njs', mode: 'fapi-binding.js (cnf.x5t#S256)',
    summary: 'Every applicable scenario passes: njs compares cnf.x5t#S256 with the certificate on the connection, error_page 495 496 turns certificate failures into RFC 6750 401s. No DPoP in this configuration.',
    missing: missing('nginx-cnf-binding'),
    version: () => `${nginxVersion()}, njs ${debVersion('libnginx-mod-http-js') ?? 'unknown'}`, start: nginx('cnf-binding'),
  },
  {
    id: 'haproxy-cnf-binding', product: 'HAProxy', mode: 'jwt_verify ES256 + cnf.x5t#S256 = ssl_c_der,sha2(256),ub64enc',
    summary: 'The binding holds, in configuration alone: jwt_verify, jwt_payload_query and ssl_c_der,sha2(256),ub64enc enforce RFC 8705 binding and every certificate scenario passes. Three findings on the edges: its own 401s carry no Date header, a second Authorization header is ignored (the first one wins), and TLS 1.2 CBC suites are accepted (set ssl-default-bind-ciphers to the BCP 195 AES-GCM list). Limits: jwt_verify has no PS256 in 2.6 (the IdP must sign ES256) and verifies only with a key file, so no DPoP.',
    missing: missing('haproxy-cnf-binding'),
    version: () => versionOf(haproxyBinary()!, ['-v'], /HAProxy version (\S+)/) ?? 'unknown',
    accessTokenAlg: 'ES256',
    start: haproxy,
  },
  {
    id: 'caddy-client-auth', product: 'Caddy', mode: 'client_auth require_and_verify only',
    summary: 'Terminates mTLS and forwards the token untouched (its standard modules validate no JWTs): a stolen certificate-bound token works with any other certificate from the CA. Bad certificates end the handshake with a TLS alert; no CRL support.',
    missing: missing('caddy-client-auth'),
    version: () => versionOf(caddyBinary()!, ['version'], /^v?(\S+)/) ?? 'unknown',
    start: caddy,
  },
  apacheRow('enforced'),
  apacheRow('required'),
  jwtBearer('default'),
  jwtBearer('required'),
  jwtBearer('disabled'),
  {
    id: 'jose-bearer', product: 'Express + jose', mode: 'jwtVerify, Bearer only, no client certificates',
    summary: 'The common case: signature, iss, aud, exp and scope are right, and nothing else: any holder of a certificate-bound or DPoP-bound token can use it as a bearer token, and legitimate DPoP requests are refused.',
    missing: missing('jose-bearer'), version: () => `jose ${pkgVersion('jose')}, express ${pkgVersion('express')}`,
    start: nodeServer('jose', (ctx) => ({ REQUEST_CERT: '0', JWKS_URI: `${ctx.issuer}/jwks` })),
  },
  {
    id: 'oauth4webapi-dpop', product: 'oauth4webapi', mode: 'validateJwtAccessToken, DPoP',
    summary: 'Checks DPoP proofs (htm, htu, ath, signature, cnf.jkt) and refuses a DPoP-bound token sent as Bearer, but leaves replay detection to the application and accepts proofs up to 300 s old; certificate-bound tokens are refused outright (no RFC 8705).',
    missing: missing('oauth4webapi-dpop'), version: () => pkgVersion('oauth4webapi'),
    start: nodeServer('oauth4webapi', () => ({ REQUEST_CERT: '0' })),
  },
];
