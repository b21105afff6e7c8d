// The Targets page's calls to the control API (server/control/routes/targets.ts) and the shapes it
// answers with. Same-origin JSON; the API's error_description (and per-line errors) surface as is.

export interface TargetFieldError {
  line: number | null;
  path: string;
  message: string;
}

export interface TargetCheckItem {
  id: string;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

export interface TargetCheck {
  ok: boolean;
  at: string;
  checks: TargetCheckItem[];
  capabilities: string[];
  plan: { id: string; title: string; missing: string[] }[];
}

export interface TargetSummary {
  id: string;
  name: string;
  description: string | null;
  authorizationServer: string | null;
  resourceServer: string | null;
  senderConstraint: 'mtls' | 'dpop' | 'both' | null;
  capabilities: string[];
  errors: TargetFieldError[];
  lastCheck: TargetCheck | null;
  yaml?: string;
}

export interface RunStatus {
  id: string;
  status: string;
  target: string;
  scenarios: { scenarioId: string; title: string; status: string }[];
}

export class TargetApiError extends Error {
  constructor(readonly status: number, message: string, readonly errors: TargetFieldError[] = []) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const json = method !== 'GET';
  const res = await fetch(path, {
    method,
    cache: 'no-store',
    headers: { accept: 'application/json', ...(json ? { 'content-type': 'application/json' } : {}) },
    ...(json ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as (T & { error_description?: string; errors?: TargetFieldError[] }) | null;
  if (!res.ok) throw new TargetApiError(res.status, data?.error_description ?? `HTTP ${res.status}`, data?.errors ?? []);
  return data as T;
}

export const listTargets = () => call<{ targets: TargetSummary[]; externalGatewayKey: boolean }>('GET', '/api/targets');
export const getTarget = (id: string) => call<TargetSummary>('GET', `/api/targets/${encodeURIComponent(id)}`);
export const createTarget = (yaml: string) => call<TargetSummary>('POST', '/api/targets', { yaml });
export const updateTarget = (id: string, yaml: string) => call<TargetSummary>('PUT', `/api/targets/${encodeURIComponent(id)}`, { yaml });
export const deleteTarget = (id: string) => call<void>('DELETE', `/api/targets/${encodeURIComponent(id)}`);
export const checkTarget = (id: string) => call<TargetCheck>('POST', `/api/targets/${encodeURIComponent(id)}/check`);
export const startTargetRun = (target: string, scenarios: string[]) => call<{ runId: string; scenarios: string[] }>('POST', '/api/runs', { scenarios, target });
export const getRun = (id: string) => call<RunStatus>('GET', `/api/runs/${encodeURIComponent(id)}`);
