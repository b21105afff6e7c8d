// The control API's response shapes as the pages use them (see server/control/routes/).
import type { Scenario } from '../../lib/scenario/schema.ts';
import type { CertSummary, Binding } from '../../lib/trace/decision.ts';
import type { RunStatus, ScenarioStatus } from '../../lib/trace/events.ts';

export type ScenarioDto = Scenario & { file: string };

export interface ScenarioList {
  scenarios: ScenarioDto[];
  errors: { file: string; line: number | null; path: string; message: string; text: string }[];
}

export interface RunListItem {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  status: RunStatus;
  trigger: string;
  target: string;
  selection: string[];
  summary: Record<ScenarioStatus, number> | null;
  scenarios: { scenarioId: string; title: string; status: ScenarioStatus | 'pending' | 'running'; durationMs: number | null }[];
}

export interface RunDetail extends Omit<RunListItem, 'scenarios'> {
  scenarios: (RunListItem['scenarios'][number] & { id: string; failure: unknown })[];
}

export interface PkiCertDto extends CertSummary {
  name: string;
  role: string;
  description: string;
  clientId: string | null;
  trusted: boolean;
  revoked: boolean;
  files: { cert: string; key: string; chain: string | null };
  /** Issued at run time from the PKI page (kept in memory until the sandbox stops). */
  minted?: { flaw: string; at: string };
}

export interface PkiIndexDto {
  generatedAt: string;
  certificates: PkiCertDto[];
  minted: PkiCertDto[];
  trust: { caBundle: string; crl: string; crlNextUpdate: string | null; revokedSerials: string[] };
}

export interface RouteDto {
  id: string;
  prefix: string;
  binding: Binding;
  token: 'jwt' | 'introspection';
  dpopNonce: boolean;
  summary: string;
}

export interface ConfigDto {
  urls: { ui: string; idp: string; idpMtls: string; gateway: string; gatewayStrict: string; api: string };
  idp: { issuer: string; endpoints: Record<string, string> };
  gateway: { routes: RouteDto[]; dpopAlgs: string[]; accessTokenAlgs: string[]; clockToleranceSeconds: number; dpopIatWindowSeconds: number };
}

export interface PlaygroundClient {
  clientId: string;
  name: string;
  auth: string;
  binding: 'mtls' | 'dpop' | 'none';
  certificate: string | null;
}

export interface PlaygroundOptions {
  clients: PlaygroundClient[];
  certificates: { name: string; subject: string; role: string; minted: boolean }[];
  keys: { name: string; jkt: string; description: string }[];
  routes: RouteDto[];
  resources: string[];
}
