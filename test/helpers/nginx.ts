// Runs the example nginx configurations (examples/nginx/) as an external gateway in tests: renders
// them with ephemeral ports, the test stack's OB API port and key, absolute paths and the IdP's public
// JWKS into a temporary prefix, starts `nginx -p <tmp> -c <conf> -g 'daemon off;'` as a child process,
// and stops it. Every substitution must match, so a test fails when an example drifts from what it renders.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { freePorts } from './child.ts';

const NJS_MODULES = ['/usr/lib/nginx/modules/ngx_http_js_module.so', '/usr/lib64/nginx/modules/ngx_http_js_module.so', '/usr/local/nginx/modules/ngx_http_js_module.so'];

/** The nginx binary, or null when nginx is not installed. */
export function nginxBinary(): string | null {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

/** The njs dynamic module (libnginx-mod-http-js), or null. */
export function njsModule(): string | null {
  return NJS_MODULES.find((m) => existsSync(m)) ?? null;
}

/** A port that was free a moment ago (nginx cannot listen on port 0 and tell us which it got). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

export interface NginxOptions {
  /** ssl-verify-only or cnf-binding (examples/nginx/<name>.conf). */
  example: 'ssl-verify-only' | 'cnf-binding';
  apiPort: number;
  gatewayKey: string;
  certsDir: string;
  /** For cnf-binding: the issuer and its public JWKS. */
  issuer?: string;
  jwks?: unknown;
  /** The port to listen on (default: a free one). */
  port?: number;
}

export interface RunningNginx {
  port: number;
  url: string;
  conf: string;
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

function replace(text: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.test(text)) throw new Error(`examples/nginx: ${what} not found (pattern ${pattern}); update test/helpers/nginx.ts with the example`);
  return text.replace(pattern, replacement);
}

/** Renders the example into a temporary prefix. */
function renderNginx(opts: NginxOptions, port: number, prefix: string): string {
  let conf = readFileSync(path.join(ROOT_DIR, 'examples', 'nginx', `${opts.example}.conf`), 'utf8');
  conf = replace(conf, /listen 127\.0\.0\.1:9543 ssl;/, `listen 127.0.0.1:${port} ssl;`, 'the listen directive');
  conf = replace(conf, /server 127\.0\.0\.1:9080;/, `server 127.0.0.1:${opts.apiPort};`, 'the upstream server');
  conf = replace(conf, /change-me-to-your-FAPI_EXTERNAL_GATEWAY_KEY/g, opts.gatewayKey, 'the gateway key');
  conf = replace(conf, /(\s)\.\.\/\.\.\/certs\//g, `$1${opts.certsDir}/`, '../../certs/ paths');
  conf = replace(conf, /(\s)data\/nginx\//g, `$1${prefix}/`, 'data/nginx/ paths');
  if (opts.example === 'cnf-binding') {
    const njs = njsModule();
    if (!njs) throw new Error('the njs module (libnginx-mod-http-js) is not installed');
    conf = replace(conf, /load_module \S+;/, `load_module ${njs};`, 'load_module');
    conf = replace(conf, /js_import fapi from fapi-binding\.js;/, `js_import fapi from ${path.join(ROOT_DIR, 'examples', 'nginx', 'fapi-binding.js')};`, 'js_import');
    conf = replace(conf, /js_var \$fapi_issuer\s+\S+;/, `js_var $fapi_issuer ${opts.issuer};`, 'js_var $fapi_issuer');
    writeFileSync(path.join(prefix, 'jwks.json'), JSON.stringify(opts.jwks));
    chmodSync(path.join(prefix, 'jwks.json'), 0o644);
  }
  const file = path.join(prefix, `${opts.example}.conf`);
  writeFileSync(file, conf);
  return file;
}

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function startNginx(opts: NginxOptions): Promise<RunningNginx> {
  const binary = nginxBinary();
  if (!binary) throw new Error('nginx is not installed');
  const prefix = mkdtempSync(path.join(os.tmpdir(), `fapi-nginx-${opts.example}-`));
  // When the master runs as root its workers run as nobody: they read jwks.json from here.
  chmodSync(prefix, 0o755);
  const port = opts.port ?? (await freePort());
  const conf = renderNginx(opts, port, prefix);
  let output = '';
  // -e (nginx >= 1.19.5): the error log before the config is read, else the build's default path.
  const early = /-e filename/.test(spawnSync(binary, ['-h'], { encoding: 'utf8' }).stderr) ? ['-e', 'stderr'] : [];
  const child: ChildProcess = spawn(binary, ['-p', prefix, ...early, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const deadline = Date.now() + 10_000;
  while (!(await connectable(port))) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}) before listening:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen on ${port} within 10 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    url: `https://localhost:${port}`,
    conf,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
