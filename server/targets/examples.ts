// The example targets of the compatibility matrix (examples/targets/, docs/COMPATIBILITY.md): which
// product each one runs against, whether that product is installed here (a Debian package's binary or
// module, or an npm package), and its YAML made ready to store in the running sandbox (the Targets page
// loads one with a click): certificate paths made absolute, the CLI-only `bundled:` block dropped.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The first of `candidates` that exists, else `command -v name`, else null. */
export function findBinary(name: string, candidates: readonly string[]): string | null {
  for (const c of candidates) if (existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

export const BINARIES = {
  nginx: ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'],
  haproxy: ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'],
  apache2: ['/usr/sbin/apache2', '/usr/sbin/httpd'],
  caddy: ['/usr/bin/caddy', '/usr/local/bin/caddy'],
} as const;

export const NJS_MODULES = ['/usr/lib/nginx/modules/ngx_http_js_module.so', '/usr/lib64/nginx/modules/ngx_http_js_module.so', '/usr/local/nginx/modules/ngx_http_js_module.so'];
export const OPENIDC_MODULE = '/usr/lib/apache2/modules/mod_auth_openidc.so';

type Need = { binary: keyof typeof BINARIES; apt: string } | { file: readonly string[]; apt: string } | { npm: string };

function unmetNeed(need: Need, rootDir: string): string | null {
  if ('binary' in need) return findBinary(need.binary, BINARIES[need.binary]) ? null : `${need.binary} is not installed (apt-get install ${need.apt})`;
  if ('file' in need) return need.file.some((f) => existsSync(f)) ? null : `${path.basename(need.file[0]!)} is not installed (apt-get install ${need.apt})`;
  return existsSync(path.join(rootDir, 'node_modules', need.npm, 'package.json')) ? null : `${need.npm} is not installed (npm install -D ${need.npm})`;
}

const NGINX: Need = { binary: 'nginx', apt: 'nginx' };
const NJS: Need = { file: NJS_MODULES, apt: 'libnginx-mod-http-js' };
const APACHE: Need[] = [{ binary: 'apache2', apt: 'apache2' }, { file: [OPENIDC_MODULE], apt: 'libapache2-mod-auth-openidc' }];
const JWT_BEARER: Need[] = [{ npm: 'express' }, { npm: 'express-oauth2-jwt-bearer' }];

/** Example target (examples/targets/<id>.yaml) -> the product it runs against and what that needs installed. */
export const EXAMPLE_TARGETS: Record<string, { product: string; needs: Need[] }> = {
  'nginx-ssl-verify-only': { product: 'nginx', needs: [NGINX] },
  'nginx-cnf-binding': { product: 'nginx + njs', needs: [NGINX, NJS] },
  'haproxy-cnf-binding': { product: 'HAProxy', needs: [{ binary: 'haproxy', apt: 'haproxy' }] },
  'caddy-client-auth': { product: 'Caddy', needs: [{ binary: 'caddy', apt: 'caddy' }] },
  'apache-mod-auth-openidc-enforced': { product: 'Apache + mod_auth_openidc', needs: APACHE },
  'apache-mod-auth-openidc-required': { product: 'Apache + mod_auth_openidc', needs: APACHE },
  'express-oauth2-jwt-bearer-dpop-default': { product: 'express-oauth2-jwt-bearer', needs: JWT_BEARER },
  'express-oauth2-jwt-bearer-dpop-required': { product: 'express-oauth2-jwt-bearer', needs: JWT_BEARER },
  'express-oauth2-jwt-bearer-dpop-disabled': { product: 'express-oauth2-jwt-bearer', needs: JWT_BEARER },
  'jose-bearer': { product: 'Express + jose', needs: [{ npm: 'express' }, { npm: 'jose' }] },
  'oauth4webapi-dpop': { product: 'oauth4webapi', needs: [{ npm: 'express' }, { npm: 'oauth4webapi' }] },
};

/** Why the example's product cannot run here (the first thing missing), or null when it is installed. */
export function exampleMissing(id: string, rootDir: string): string | null {
  const example = EXAMPLE_TARGETS[id];
  if (!example) throw new Error(`no example target "${id}"`);
  for (const need of example.needs) {
    const unmet = unmetNeed(need, rootDir);
    if (unmet) return unmet;
  }
  return null;
}

export interface ExampleTarget {
  id: string;
  product: string;
  /** Why it cannot run here, or null. */
  missing: string | null;
  /** The target YAML to store in the running sandbox. */
  yaml: string;
}

/**
 * The examples, their YAML ready for the running sandbox: `../../certs/` (relative to examples/targets/)
 * becomes the sandbox's certificate directory, and `bundled:` (ports and key for the CLI's own stack)
 * goes: a stored target runs against the running stack.
 */
export function exampleTargets(rootDir: string, certsDir: string): ExampleTarget[] {
  return Object.entries(EXAMPLE_TARGETS).map(([id, { product }]) => {
    const text = readFileSync(path.join(rootDir, 'examples', 'targets', `${id}.yaml`), 'utf8');
    const yaml = text.replace(/\.\.\/\.\.\/certs\//g, `${certsDir}/`).replace(/\nbundled:\n(?: .*\n?)*$/, '\n');
    return { id, product, missing: exampleMissing(id, rootDir), yaml };
  });
}
