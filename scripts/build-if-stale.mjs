// Builds what is missing or older than its sources: the server (tsc -> dist/) and, unless
// `--no-ui`, the web UI (next build -> .next/). Used by `npm start` and the end-to-end tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newest(dirs, exts) {
  let max = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (exts.some((e) => d.name.endsWith(e))) max = Math.max(max, statSync(p).mtimeMs);
    }
  };
  dirs.forEach(walk);
  return max;
}
const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
const run = (args) => {
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

/** Builds the server and (with `ui`) the web UI when their sources are newer than the build. */
export function buildIfStale({ ui }) {
  if (mtime('dist/server/cli/main.js') < newest(['server', 'lib', 'generated'], ['.ts'])) {
    console.log('[fapi-sandbox] building the server (tsc)…');
    run(['run', '--silent', 'build:server']);
  }
  if (ui && mtime('.next/BUILD_ID') < Math.max(newest(['app', 'lib'], ['.ts', '.tsx', '.css']), mtime('next.config.ts'))) {
    console.log('[fapi-sandbox] building the web UI (next build, about a minute the first time)…');
    run(['run', '--silent', 'build:ui']);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) buildIfStale({ ui: !process.argv.includes('--no-ui') });
