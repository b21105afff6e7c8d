#!/usr/bin/env node
// The fapi-sandbox command. Runs the compiled CLI (dist/, built by `npm ci` / `npm run build:server`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/server/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('fapi-sandbox: not built yet. Run `npm run build:server` (npm ci and npm start do it for you).');
  process.exit(2);
}
const { cli } = await import(entry.href);
process.exitCode = await cli(process.argv.slice(2));
