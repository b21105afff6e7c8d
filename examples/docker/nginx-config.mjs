// The `nginx-config` step of docker-compose.yml's `nginx` profile (run in the fapi-sandbox image, once the
// sandbox is healthy): writes an nginx gateway for the bundled mock OB API into <data>/nginx/ from an
// example of examples/nginx/ (FAPI_NGINX_CONFIG: cnf-binding, the default, or ssl-verify-only), with
// the gateway key, listen address and ports of this deployment, and the IdP's public JWKS for njs.
// nginx then runs in the sandbox's network namespace: -p <prefix> -c <prefix>/data/nginx/gateway.conf
// with certs/ and data/ mounted side by side under <prefix>, as they are here.
//   node examples/docker/nginx-config.mjs      (environment: FAPI_EXTERNAL_GATEWAY_KEY, FAPI_NGINX_CONFIG,
//                                              FAPI_NGINX_PORT, FAPI_API_PORT, FAPI_IDP_PORT, FAPI_PUBLIC_HOST)
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const fail = (message) => {
  console.error(`nginx-config: ${message}`);
  process.exit(2);
};

const example = env.FAPI_NGINX_CONFIG || 'cnf-binding';
if (!['cnf-binding', 'ssl-verify-only'].includes(example)) fail(`FAPI_NGINX_CONFIG must be cnf-binding or ssl-verify-only, got "${example}"`);
const key = env.FAPI_EXTERNAL_GATEWAY_KEY ?? '';
if (key.length < 16) fail('set FAPI_EXTERNAL_GATEWAY_KEY (at least 16 characters, e.g. $(openssl rand -hex 24)) for both the sandbox and nginx');
if (!/^[A-Za-z0-9._~+\/=-]+$/.test(key)) fail('FAPI_EXTERNAL_GATEWAY_KEY: use letters, digits and ._~+/=- only (it is written into nginx.conf)');
const port = (name, fallback) => {
  const value = env[name] || String(fallback);
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) fail(`${name} must be a port number, got "${value}"`);
  return value;
};
const nginxPort = port('FAPI_NGINX_PORT', 9543);
const apiPort = port('FAPI_API_PORT', 9080);
const issuer = `https://${env.FAPI_PUBLIC_HOST || 'localhost'}:${port('FAPI_IDP_PORT', 8443)}`;
const dataDir = path.resolve(env.FAPI_DATA_DIR || path.join(root, 'data'));
const certsDir = path.resolve(env.FAPI_CERTS_DIR || path.join(root, 'certs'));
if (path.dirname(dataDir) !== path.dirname(certsDir)) fail(`certs/ and data/ must be side by side (nginx.conf says ../../certs/): ${certsDir}, ${dataDir}`);

let conf = readFileSync(path.join(root, 'examples', 'nginx', `${example}.conf`), 'utf8');
const replace = (pattern, value, what) => {
  if (!pattern.test(conf)) fail(`examples/nginx/${example}.conf: ${what} not found (${pattern})`);
  conf = conf.replace(pattern, value);
};
// Every interface of the (shared) network namespace: the port is published from the sandbox service.
replace(/listen 127\.0\.0\.1:9543 ssl;/, `listen ${nginxPort} ssl;`, 'the listen directive');
replace(/server 127\.0\.0\.1:9080;/, `server 127.0.0.1:${apiPort};`, 'the upstream server');
replace(/change-me-to-your-FAPI_EXTERNAL_GATEWAY_KEY/g, key, 'the gateway key');
replace(/pid data\/nginx\/[\w-]+\.pid;/, 'pid data/nginx/gateway.pid;', 'the pid file');

const out = path.join(dataDir, 'nginx');
mkdirSync(out, { recursive: true });
if (example === 'cnf-binding') {
  replace(/js_var \$fapi_issuer\s+\S+;/, `js_var $fapi_issuer    ${issuer};`, 'js_var $fapi_issuer');
  copyFileSync(path.join(root, 'examples', 'nginx', 'fapi-binding.js'), path.join(out, 'fapi-binding.js'));
  // The bundled IdP's public keys (what njs verifies access tokens with), from the same certs/.
  const jwks = spawnSync(process.execPath, [path.join(root, 'bin', 'fapi-sandbox.js'), 'jwks'], { encoding: 'utf8', env: { ...env, FAPI_CERTS_DIR: certsDir } });
  if (jwks.status !== 0) fail(`fapi-sandbox jwks failed: ${jwks.stderr}`);
  writeFileSync(path.join(out, 'jwks.json'), jwks.stdout);
  chmodSync(path.join(out, 'jwks.json'), 0o644); // read by nginx's worker processes
}
writeFileSync(path.join(out, 'gateway.conf'), conf);
console.log(`nginx-config: ${path.join(out, 'gateway.conf')} from examples/nginx/${example}.conf (listen ${nginxPort}, upstream 127.0.0.1:${apiPort}${example === 'cnf-binding' ? `, issuer ${issuer}` : ''})`);
