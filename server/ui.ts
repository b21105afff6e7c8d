// The Next.js web UI, served by our own HTTP server (a Next custom server): App Router pages only;
// the control API and every protocol listener live outside Next (DESIGN.md, NOTES.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SandboxConfig } from './config.ts';

/** The part of Next's custom-server API we use. */
type NextFactory = (options: { dev: boolean; dir: string; quiet?: boolean; customServer?: boolean }) => {
  prepare(): Promise<void>;
  getRequestHandler(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  close(): Promise<void>;
};

export interface Ui {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

/**
 * Starts Next in this process. `controlOrigin` is where the pages' server components reach the
 * control API over HTTP (this very listener, on loopback): app/ never imports server/ code.
 */
export async function startUi(config: SandboxConfig, controlOrigin: string): Promise<Ui> {
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  process.env.FAPI_CONTROL_ORIGIN = controlOrigin;
  if (!config.dev && !existsSync(path.join(config.rootDir, '.next', 'BUILD_ID'))) {
    throw new Error('the web UI is not built: run `npm run build` (npm start does it for you), or start with --no-ui');
  }
  // next is CommonJS: under Node's ESM interop its createServer is module.exports.default.
  const mod = (await import('next')) as unknown as { default: NextFactory | { default: NextFactory } };
  const next = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const app = next({ dev: config.dev, dir: config.rootDir, quiet: !config.dev, customServer: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  return {
    handle(req, res) {
      handle(req, res).catch((err: unknown) => {
        console.error('web UI:', err);
        if (!res.headersSent) res.writeHead(500).end('web UI error');
      });
    },
    close: () => app.close(),
  };
}
