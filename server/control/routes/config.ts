// GET /api/config — what the sandbox is running: URLs, IdP endpoints, gateway routes, clock windows and
// server limits.
import type { ControlRequest } from '../index.ts';
import { sendJson } from '../http.ts';

export function configInfo({ res, stack }: ControlRequest): void {
  sendJson(res, 200, {
    urls: stack.urls,
    idp: { issuer: stack.idp.issuer, endpoints: stack.idp.endpoints, resources: stack.idp.resources },
    gateway: {
      routes: stack.gateway.routes,
      dpopAlgs: stack.gateway.deps.dpopAlgs,
      accessTokenAlgs: stack.gateway.deps.accessTokenAlgs,
      clockToleranceSeconds: stack.gateway.deps.clockToleranceSeconds,
      dpopIatWindowSeconds: stack.gateway.deps.dpopIatWindowSeconds,
      certClockToleranceSeconds: stack.gateway.deps.certClockToleranceSeconds,
      disabledChecks: stack.config.gateway.disabledChecks,
    },
    limits: stack.config.limits,
    runs: stack.config.runs,
    retention: stack.config.retention,
  });
}
