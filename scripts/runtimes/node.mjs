// Other Node majors for this checkout, from the npm registry (the official binaries are published there as
// node-<platform>-<arch>, headers included): fetched once into a cache folder, with better-sqlite3 compiled for
// each (node_modules holds the build for the Node that installed it, another ABI). runtimeEnv() runs this
// checkout under one: its bin/ first on PATH, and scripts/runtimes/native-binding.cjs preloaded to load that build.
//   FAPI_RUNTIMES_CACHE  the cache folder (default ~/.cache/fapi-sandbox/runtimes)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PRELOAD = path.join(import.meta.dirname, 'native-binding.cjs');
export const CACHE = process.env.FAPI_RUNTIMES_CACHE ?? path.join(os.homedir(), '.cache', 'fapi-sandbox', 'runtimes');
const PACKAGE = `node-${process.platform}-${process.arch}`;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stderr || r.stdout || String(r.error ?? '')).slice(-3000)}`);
  return r.stdout.trim();
}

const byVersion = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

/** The newest published `major`.x of the Node binary package; offline, the newest one in the cache. */
function resolveVersion(major) {
  try {
    const out = JSON.parse(run('npm', ['view', `${PACKAGE}@${major}`, 'version', '--json']));
    return [out].flat().sort(byVersion).at(-1);
  } catch (err) {
    const cached = existsSync(CACHE) ? readdirSync(CACHE).filter((d) => d.startsWith(`node-${major}.`) && existsSync(path.join(CACHE, d, 'fetched'))) : [];
    if (!cached.length) throw err;
    return cached.map((d) => d.slice(5)).sort(byVersion).at(-1);
  }
}

/** node-gyp as npm bundles it (what `npm install` compiles addons with). */
function nodeGyp() {
  const candidates = [
    process.env.npm_execpath && path.resolve(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(run('npm', ['root', '-g']), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`node-gyp not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Node `major` (e.g. 22) ready to run this checkout: { version, node, binding }. Downloads and compiles on the
 * first call only. `log` reports the slow steps.
 */
export function ensureRuntime(major, log = () => {}) {
  const version = resolveVersion(major);
  const sqliteVersion = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version;
  const dir = path.join(CACHE, `node-${version}`);
  const home = path.join(dir, 'package');
  const addonDir = path.join(dir, `better-sqlite3-${sqliteVersion}`);
  const rt = { version, node: path.join(home, 'bin', 'node'), binding: path.join(addonDir, 'build', 'Release', 'better_sqlite3.node') };
  if (!existsSync(path.join(dir, 'fetched'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    log(`fetching ${PACKAGE}@${version} from the npm registry`);
    const tarball = run('npm', ['pack', `${PACKAGE}@${version}`, '--pack-destination', dir, '--silent']).split('\n').at(-1);
    run('tar', ['xzf', path.join(dir, tarball), '-C', dir]);
    rmSync(path.join(dir, tarball));
    writeFileSync(path.join(dir, 'fetched'), `${version}\n`);
  }
  const loads = () => spawnSync(rt.node, ['-e', `require(${JSON.stringify(rt.binding)})`], { stdio: 'ignore' }).status === 0;
  if (!existsSync(rt.binding) || !loads()) {
    log(`compiling better-sqlite3 ${sqliteVersion} for Node ${version} (a few minutes)`);
    rmSync(addonDir, { recursive: true, force: true });
    cpSync(path.join(ROOT, 'node_modules', 'better-sqlite3'), addonDir, { recursive: true, filter: (src) => !src.includes(`${path.sep}build`) });
    // npm run exports its config (npm_config_nodedir=/usr here), which node-gyp prefers to --nodedir: override it.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(k)));
    run(rt.node, [nodeGyp(), 'rebuild', '--release', `--nodedir=${home}`, `--jobs=${os.availableParallelism()}`], {
      cwd: addonDir, env: { ...env, npm_config_nodedir: home, PATH: `${path.dirname(rt.node)}${path.delimiter}${process.env.PATH}` },
    });
    rmSync(path.join(addonDir, 'build', 'Release', 'obj.target'), { recursive: true, force: true });
    rmSync(path.join(addonDir, 'deps', 'sqlite3'), { recursive: true, force: true });
    if (!loads()) {
      rmSync(addonDir, { recursive: true, force: true });
      throw new Error(`better-sqlite3 compiled for Node ${version} does not load under it (${rt.node} -e "require('${rt.binding}')")`);
    }
  }
  return rt;
}

/** The environment that runs this checkout (and every node it spawns by name) under `rt`. */
export function runtimeEnv(rt, base = process.env) {
  return {
    ...base,
    PATH: `${path.dirname(rt.node)}${path.delimiter}${base.PATH}`,
    NODE_OPTIONS: `${base.NODE_OPTIONS ? `${base.NODE_OPTIONS} ` : ''}--require "${PRELOAD}"`,
    FAPI_BETTER_SQLITE3_BINDING: rt.binding,
  };
}
