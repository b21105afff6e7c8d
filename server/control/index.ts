// The control API under /api on the UI port: health, configuration, recorded decisions and the PKI.
// The web UI and the CLI read the sandbox through it. Routes are a table; handlers are small files.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Stack } from '../stack-types.ts';
import { ClientGone, HttpError, assertSameOrigin, sendError } from './http.ts';
import { health } from './routes/health.ts';
import { configInfo } from './routes/config.ts';
import { latestDecisions, decisionsById } from './routes/decisions.ts';
import { pkiIndex, pkiFile, mintCert } from './routes/pki.ts';
import { playgroundOptions, playgroundToken, playgroundCall } from './routes/playground.ts';
import { listScenarios, getScenario } from './routes/scenarios.ts';
import { startRun, listRuns, getRun, runEvents } from './routes/runs.ts';
import { TARGET_ROUTES } from './routes/targets.ts';
import { openApiDocument } from './routes/openapi.ts';
import { directoryJwks } from './routes/directory.ts';
import { getConformance } from './routes/conformance.ts';

export interface ControlRequest {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  stack: Stack;
}

export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handle(r: ControlRequest): void | Promise<void>;
}

/** Every control API route; openapi/control-api.yaml documents each one (test/openapi/ fails otherwise). */
export const CONTROL_ROUTES: readonly ControlRoute[] = [
  { method: 'GET', path: '/api/health', handle: health },
  { method: 'GET', path: '/api/config', handle: configInfo },
  { method: 'GET', path: '/api/openapi/:file', handle: openApiDocument },
  { method: 'GET', path: '/api/decisions', handle: latestDecisions },
  { method: 'GET', path: '/api/decisions/:interactionId', handle: decisionsById },
  { method: 'GET', path: '/api/pki', handle: pkiIndex },
  { method: 'GET', path: '/api/pki/:name/:file', handle: pkiFile },
  { method: 'POST', path: '/api/pki/mint', handle: mintCert },
  { method: 'GET', path: '/api/playground', handle: playgroundOptions },
  { method: 'POST', path: '/api/playground/token', handle: playgroundToken },
  { method: 'POST', path: '/api/playground/call', handle: playgroundCall },
  { method: 'GET', path: '/api/scenarios', handle: listScenarios },
  { method: 'GET', path: '/api/scenarios/:id', handle: getScenario },
  { method: 'POST', path: '/api/runs', handle: startRun },
  { method: 'GET', path: '/api/runs', handle: listRuns },
  { method: 'GET', path: '/api/runs/:id', handle: getRun },
  { method: 'GET', path: '/api/runs/:id/events', handle: runEvents },
  ...TARGET_ROUTES,
  { method: 'GET', path: '/api/directory/jwks', handle: directoryJwks },
  { method: 'GET', path: '/api/conformance', handle: getConformance },
];

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i]!.startsWith(':')) {
      try {
        params[want[i]!.slice(1)] = decodeURIComponent(got[i]!);
      } catch {
        return null;
      }
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}

export function createControlApi(stack: Stack, extra: readonly ControlRoute[] = []) {
  const routes = [...CONTROL_ROUTES, ...extra];
  // The UI's own origins: every allowed host name on the UI port.
  const { port } = new URL(stack.urls.ui);
  const origins = [stack.urls.ui, ...stack.config.allowedHosts.filter((h) => h !== '*').map((h) => `http://${h}:${port}`)];
  return {
    handles(req: IncomingMessage): boolean {
      return (req.url ?? '').startsWith('/api/') || req.url === '/api';
    },
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const url = URL.parse(req.url ?? '/', 'http://control.invalid');
      if (!url) return sendError(res, 400, 'invalid_request', 'unparseable URL');
      const candidates = routes.map((r) => ({ r, params: match(r.path, url.pathname) })).filter((c) => c.params);
      const hit = candidates.find((c) => c.r.method === req.method);
      if (!hit) {
        if (candidates.length) {
          res.setHeader('allow', candidates.map((c) => c.r.method).join(', '));
          return sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`);
        }
        return sendError(res, 404, 'not_found', `no control API route ${url.pathname}`);
      }
      try {
        if (hit.r.method !== 'GET') assertSameOrigin(req, origins);
        await hit.r.handle({ req, res, params: hit.params!, query: url.searchParams, stack });
      } catch (err) {
        if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message);
        if (err instanceof ClientGone) return void res.destroy();
        console.error('control API:', err);
        if (!res.headersSent) sendError(res, 500, 'server_error', (err as Error).message);
      }
    },
  };
}
