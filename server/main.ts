// `npm start` / `fapi-sandbox start`: starts the bundled stack with the web UI, prints the banner,
// and stops cleanly on Ctrl-C (SIGINT) or SIGTERM. With FAPI_READY_FILE set, it also writes the
// listeners' URLs there as JSON once every one is up (for tests and scripts that use free ports).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { startStack } from './stack.ts';
import { banner } from './banner.ts';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const ui = !argv.includes('--no-ui');
  const readyFile = process.env.FAPI_READY_FILE;
  if (readyFile) rmSync(readyFile, { force: true }); // a stale one from an earlier run is not "ready"
  let stack;
  try {
    stack = await startStack({ ui });
  } catch (err) {
    console.error(`fapi-sandbox: ${(err as Error).message}`);
    process.exit(1);
  }
  console.log(banner(stack));
  if (readyFile) {
    // Written whole, then renamed: a watcher never reads a half-written file.
    writeFileSync(`${readyFile}.${process.pid}.tmp`, JSON.stringify({ pid: process.pid, urls: stack.urls, startupMs: stack.startupMs, certsDir: stack.pki.dir }));
    renameSync(`${readyFile}.${process.pid}.tmp`, readyFile);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    stack.stop().then(() => process.exit(0), (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
