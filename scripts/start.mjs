// `npm start`: builds what is missing or older than its sources (server with tsc, UI with next build),
// then starts the sandbox. Extra arguments pass through (e.g. npm start -- --no-ui).
import { buildIfStale } from './build-if-stale.mjs';

buildIfStale({ ui: !process.argv.includes('--no-ui') });
// Same process (no wrapper between Ctrl-C and the servers).
const { cli } = await import('../dist/server/cli/main.js');
const code = await cli(['start', ...process.argv.slice(2)]);
if (code !== 0) process.exit(code);
