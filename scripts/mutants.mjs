// `npm run mutants [id ...] [--jobs N]`: builds the server when stale, then runs the catalogue against
// every gateway mutant judged from outside (server/mutants/main.ts).
import { spawnSync } from 'node:child_process';
import { buildIfStale } from './build-if-stale.mjs';

buildIfStale({ ui: false });
const r = spawnSync(process.execPath, ['dist/server/mutants/main.js', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
process.exit(r.status ?? 1);
