// `npm start`: builds what is missing or older than its sources (server with tsc, UI with next build),
// then starts the sandbox. Extra arguments pass through (e.g. npm start -- --no-ui).
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

const noUi = process.argv.includes('--no-ui');
if (mtime('dist/server/cli/main.js') < newest(['server', 'lib', 'generated'], ['.ts'])) {
  console.log('[fapi-sandbox] building the server (tsc)…');
  run(['run', '--silent', 'build:server']);
}
if (!noUi && mtime('.next/BUILD_ID') < newest(['app', 'lib'], ['.ts', '.tsx', '.css'])) {
  console.log('[fapi-sandbox] building the web UI (next build, about a minute the first time)…');
  run(['run', '--silent', 'build:ui']);
}
// Same process (no wrapper between Ctrl-C and the servers).
const { cli } = await import('../dist/server/cli/main.js');
const code = await cli(['start', ...process.argv.slice(2)]);
if (code !== 0) process.exit(code);
