// `npm start` / `fapi-sandbox start`: starts the bundled stack with the web UI, prints the banner,
// and stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
import { startStack } from './stack.ts';
import { banner } from './banner.ts';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const ui = !argv.includes('--no-ui');
  let stack;
  try {
    stack = await startStack({ ui });
  } catch (err) {
    console.error(`fapi-sandbox: ${(err as Error).message}`);
    process.exit(1);
  }
  console.log(banner(stack));
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
