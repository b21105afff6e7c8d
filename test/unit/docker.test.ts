// The container files without a Docker engine: docker-compose.yml validates with `docker-compose config`
// (both profiles; an invalid file does not), and the Dockerfile, docker-compose.yml and the sandbox agree:
// the default ports published 1:1 (the OB API never), the volumes, a non-root user, the health check
// on a control API route, the nginx profile's config where nginx-config.mjs writes it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_PORTS, ROOT_DIR } from '../../server/config.ts';
import { CONTROL_ROUTES } from '../../server/control/index.ts';
import { tempDataDir } from '../helpers/paths.ts';

const read = (f: string) => readFileSync(path.join(ROOT_DIR, f), 'utf8');
const dockerfile = read('Dockerfile');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, any>; volumes: Record<string, unknown> };
const haproxyBinary = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p)) ?? null;
const composeBinary = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' }).stdout.trim() || null;
if (!composeBinary && process.env.CI) throw new Error('docker-compose is not installed: apt-get install docker-compose (.ci/run does)');

describe('docker-compose config', { skip: composeBinary ? false : 'docker-compose is not installed' }, () => {
  const config = (args: string[], cwd = ROOT_DIR) => spawnSync(composeBinary!, args, { cwd, encoding: 'utf8', env: { ...process.env, COMPOSE_PROJECT_NAME: 'fapi-sandbox-test' } });

  test('docker-compose.yml is valid, with and without the nginx and postgres profiles', () => {
    for (const args of [['config', '-q'], ['--profile', 'nginx', 'config', '-q'], ['--profile', 'postgres', 'config', '-q']]) {
      const r = config(args);
      assert.equal(r.status, 0, `docker-compose ${args.join(' ')}: ${r.stderr}`);
    }
    const services = config(['--profile', 'nginx', 'config', '--services']).stdout.trim().split('\n').sort();
    // docker-compose 1.29 lists every service here, whatever the profile.
    assert.deepEqual(services, ['haproxy', 'nginx', 'nginx-config', 'postgres', 'sandbox', 'sandbox-a', 'sandbox-b']);
  });

  test('an invalid compose file is refused', () => {
    const tmp = tempDataDir('compose-bad');
    try {
      writeFileSync(path.join(tmp.dir, 'docker-compose.yml'), read('docker-compose.yml').replace('network_mode: service:sandbox', 'network_mode: [service, sandbox]'));
      const r = config(['config', '-q'], tmp.dir);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /network_mode/);
    } finally {
      tmp.remove();
    }
  });
});

describe('Dockerfile and docker-compose.yml agree with the sandbox', () => {
  const env: Record<string, string> = { FAPI_UI_PORT: 'ui', FAPI_IDP_PORT: 'idp', FAPI_IDP_MTLS_PORT: 'idpMtls', FAPI_GATEWAY_PORT: 'gateway', FAPI_GATEWAY_STRICT_PORT: 'gatewayStrict' };

  test('every public listener is exposed and published 1:1 on its default port; the OB API is not', () => {
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)![1]!.split(/\s+/).map(Number).sort();
    assert.deepEqual(exposed, Object.values(env).map((k) => DEFAULT_PORTS[k as keyof typeof DEFAULT_PORTS]).sort());
    const published = (compose.services.sandbox.ports as string[]).map((p) => p.replace(/^\$\{FAPI_PUBLISH_ADDRESS:-127\.0\.0\.1\}:/, ''));
    for (const [name, key] of Object.entries(env)) {
      const port = DEFAULT_PORTS[key as keyof typeof DEFAULT_PORTS];
      assert.ok(published.includes(`\${${name}:-${port}}:\${${name}:-${port}}`), `${name} published 1:1 (default ${port})`);
      assert.equal(compose.services.sandbox.environment[name], `\${${name}:-${port}}`);
    }
    assert.ok(!published.some((p) => p.includes('FAPI_API_PORT')), 'the mock OB API stays on loopback');
  });

  test('non-root, bound to every interface in the container, certs/ and data/ as volumes, a health check on /api/health', () => {
    assert.match(dockerfile, /^FROM node:22-bookworm-slim AS build$/m);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /FAPI_BIND=0\.0\.0\.0/);
    assert.match(dockerfile, /^VOLUME \["\/app\/certs", "\/app\/data"\]$/m);
    assert.deepEqual(compose.services.sandbox.volumes, ['certs:/app/certs', 'data:/app/data']);
    assert.deepEqual(Object.keys(compose.volumes).sort(), ['certs', 'cluster-data', 'data', 'postgres']);
    const health = /^HEALTHCHECK .*\n\s+CMD .*\/api\/health/m.exec(dockerfile);
    assert.ok(health, 'HEALTHCHECK calls /api/health');
    assert.ok(CONTROL_ROUTES.some((r) => r.method === 'GET' && r.path === '/api/health'));
    const ignore = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'certs/*', 'data', '.git', '.next', 'dist']) assert.ok(ignore.includes(entry), `.dockerignore has ${entry}`);
  });

  test('the nginx profile runs the config nginx-config.mjs writes, in the sandbox\'s network namespace', () => {
    const nginx = compose.services.nginx;
    assert.equal(nginx.network_mode, 'service:sandbox');
    assert.deepEqual(nginx.command.slice(0, 5), ['nginx', '-p', '/fapi', '-c', '/fapi/data/nginx/gateway.conf']);
    assert.deepEqual(nginx.volumes, ['certs:/fapi/certs:ro', 'data:/fapi/data']);
    assert.match(read('examples/docker/nginx-config.mjs'), /path\.join\(out, 'gateway\.conf'\)/);
    assert.deepEqual(compose.services['nginx-config'].entrypoint, ['node', 'examples/docker/nginx-config.mjs']);
  });

  test('the postgres profile: two instances on one database and one certs volume, their public URLs the balancer\'s, HAProxy in TCP mode on the same ports', () => {
    const [a, b] = [compose.services['sandbox-a'], compose.services['sandbox-b']];
    assert.deepEqual(b, a, 'sandbox-b is sandbox-a (a YAML alias)');
    assert.match(a.environment.FAPI_DATABASE_URL, /^postgresql:\/\/fapi:.*@postgres:5432\/fapi$/);
    assert.equal(a.environment.FAPI_SHARED_DATABASE, '1');
    assert.deepEqual(a.volumes, ['certs:/app/certs', 'cluster-data:/app/data']);
    for (const [name, key] of Object.entries(env)) {
      const port = DEFAULT_PORTS[key as keyof typeof DEFAULT_PORTS];
      const publicName = `FAPI_PUBLIC_${name.slice('FAPI_'.length, -'_PORT'.length)}_URL`;
      assert.equal(a.environment[publicName], `${key === 'ui' ? 'http' : 'https'}://\${FAPI_PUBLIC_HOST:-localhost}:\${${name}:-${port}}`, publicName);
      assert.ok((compose.services.haproxy.ports as string[]).some((p) => p.endsWith(`\${${name}:-${port}}:\${${name}:-${port}}`)), `HAProxy publishes ${name}`);
    }
    const cfg = read('examples/docker/haproxy.cfg');
    assert.match(cfg, /^\s+mode tcp$/m);
    assert.doesNotMatch(cfg, /mode http|ssl crt/, 'TLS passes through: the instances see the client certificate');
    assert.deepEqual(compose.services.haproxy.volumes, ['./examples/docker/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro']);
  });

  test('examples/docker/haproxy.cfg is valid for Debian\'s HAProxy (haproxy -c)', { skip: haproxyBinary ? false : 'haproxy is not installed' }, () => {
    const portsEnv = Object.fromEntries(Object.entries(env).map(([name, key]) => [name, String(DEFAULT_PORTS[key as keyof typeof DEFAULT_PORTS])]));
    const r = spawnSync(haproxyBinary!, ['-c', '-f', path.join(ROOT_DIR, 'examples/docker/haproxy.cfg')], { encoding: 'utf8', env: { ...process.env, ...portsEnv } });
    assert.equal(r.status, 0, r.stderr);
    const broken = spawnSync(haproxyBinary!, ['-c', '-f', path.join(ROOT_DIR, 'examples/docker/haproxy.cfg')], { encoding: 'utf8', env: { ...process.env, ...portsEnv, FAPI_IDP_PORT: 'not-a-port' } });
    assert.notEqual(broken.status, 0, 'a bad port is refused');
  });
});
