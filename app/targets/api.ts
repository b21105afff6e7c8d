// The Targets page's calls to the control API (server/control/routes/targets.ts) and the shapes it
// answers with, through the UI's one control API client (errors carry error_description and per-line errors).
import { callJson as call, getJson, type ApiFieldError } from '../_lib/client-api.ts';

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
  errors: ApiFieldError[];
  lastCheck: TargetCheck | null;
  yaml?: string;
}

export interface RunStatus {
  id: string;
  status: string;
  target: string;
  scenarios: { scenarioId: string; title: string; status: string }[];
}

export interface ExampleTarget {
  id: string;
  product: string;
  missing: string | null;
  yaml: string;
}

export const listExamples = () => call<{ examples: ExampleTarget[] }>('GET', '/api/target-examples');
export const listTargets = () => call<{ targets: TargetSummary[]; externalGatewayKey: boolean }>('GET', '/api/targets');
export const getTarget = (id: string) => call<TargetSummary>('GET', `/api/targets/${encodeURIComponent(id)}`);
export const createTarget = (yaml: string) => call<TargetSummary>('POST', '/api/targets', { yaml });
export const updateTarget = (id: string, yaml: string) => call<TargetSummary>('PUT', `/api/targets/${encodeURIComponent(id)}`, { yaml });
export const deleteTarget = (id: string) => call<void>('DELETE', `/api/targets/${encodeURIComponent(id)}`);
export const checkTarget = (id: string) => call<TargetCheck>('POST', `/api/targets/${encodeURIComponent(id)}/check`);
export const getRun = (id: string) => getJson<RunStatus>(`/api/runs/${encodeURIComponent(id)}`);
