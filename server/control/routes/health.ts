// GET /api/health — 200 when every listener is up (503 otherwise), with the URLs, start-up time and database kind.
import type { ControlRequest } from '../index.ts';
import { sendJson } from '../http.ts';

export function health({ res, stack }: ControlRequest): void {
  const listeners = stack.listening();
  const up = Object.values(listeners).every(Boolean);
  sendJson(res, up ? 200 : 503, { status: up ? 'ok' : 'degraded', listeners, urls: stack.urls, startupMs: stack.startupMs, uptimeSeconds: Math.round(process.uptime()),
    // Which store this instance uses, and whether it shares it with others (never the URL: it may name a password).
    database: { provider: stack.db.provider, shared: stack.config.sharedDatabase },
    // A mutant gateway (FAPI_GATEWAY_DISABLE_CHECK): the UI shows a banner.
    ...(stack.config.gateway.disabledChecks.length ? { disabledChecks: stack.config.gateway.disabledChecks } : {}) });
}
