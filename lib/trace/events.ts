// The trace: one typed event stream per run. The engine emits it, SQLite stores it, and the UI
// timeline, the CLI reporters and JUnit XML are views of the same events (DESIGN.md convention 9).
import type { CertSummary, Decision } from './decision.ts';

export type StepKind = 'token' | 'call' | 'authorize' | 'register' | 'mint' | 'clock' | 'wait' | 'revoke' | 'request';
export type StepStatus = 'passed' | 'failed' | 'error' | 'skipped';
export type ScenarioStatus = 'passed' | 'failed' | 'error' | 'skipped';
export type RunStatus = 'running' | 'passed' | 'failed' | 'error' | 'interrupted';

/** The client side of one TLS connection, as the engine saw it. */
export interface ClientTlsView {
  host: string;
  port: number;
  servername: string;
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  /** The chain the server sent, leaf first. */
  serverChain: CertSummary[];
  /** The certificate this client presented (null: none). */
  clientCertificate: CertSummary | null;
  clientCertificateName: string | null;
  sessionReused: boolean;
  /** Set when the handshake failed (a TLS alert, an untrusted server, a reset). */
  error: { code: string; message: string } | null;
}

export interface HttpMessage {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: string;
}

export interface HttpResponseView {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface ExpectationResult {
  /** What was expected, as a path: "status", "error", "www-authenticate", "check mtls.cnf-thumbprint-match". */
  path: string;
  expected: unknown;
  actual: unknown;
  pass: boolean;
  /** The target does not expose this (a gateway-internal check of an external gateway). */
  unobservable?: boolean;
  /** For a failed check expectation: the check's own reason. */
  detail?: string;
}

/** A form on a page the engine's browser loaded (what a person would see and could submit). */
export interface BrowserForm {
  action: string;
  method: string;
  fields: { name: string; type: string; value: string; checked?: boolean; label?: string }[];
  buttons: { name: string; value: string; text: string }[];
}

/** One block of text a person reads on a page (its main content, in order). */
export interface PageText {
  tag: 'h1' | 'h2' | 'h3' | 'p' | 'li' | 'dt' | 'dd';
  text: string;
}

/**
 * Who sent an HTTP request: the client application (back channel, with its certificate or key) or
 * the customer's browser (front channel: the authorization endpoint and the bank's pages).
 */
export type HttpSender = 'client' | 'browser';

export type TraceEventBody =
  | { type: 'run.started'; target: string; scenarios: { id: string; title: string; scenarioRunId: string }[] }
  | { type: 'run.finished'; status: RunStatus; durationMs: number; counts: Record<ScenarioStatus, number> }
  | { type: 'scenario.started'; scenarioId: string; title: string }
  | { type: 'scenario.finished'; scenarioId: string; status: ScenarioStatus; durationMs: number; reason?: string; /** For a failure: what went wrong, for a gateway engineer (server/engine/explain.ts). */ explanation?: string }
  | { type: 'step.started'; index: number; name: string; kind: StepKind; actor?: string }
  | { type: 'step.finished'; index: number; status: StepStatus; durationMs: number; reason?: string }
  | { type: 'tls.handshake'; tls: ClientTlsView }
  | { type: 'http.exchange'; interactionId: string | null; request: HttpMessage; response: HttpResponseView | null; error: string | null; durationMs: number; /** Absent in runs recorded before it existed (then: the client). */ sender?: HttpSender }
  | { type: 'token.decoded'; label: string; role: 'access_token' | 'refresh_token' | 'id_token' | 'client_assertion' | 'request_object'; format: 'jwt' | 'opaque'; token: DecodedJwt | null; tokenType?: string }
  | { type: 'dpop.proof'; label: string; proof: DecodedJwt; jkt: string; mutations: string[] }
  // An OBIE detached JWS the client put in x-jws-signature: its protected header, the signing key, and
  // the bytes signed against the bytes sent (SHA-256, base64url; they differ when the body changed after signing).
  | { type: 'jws.signature'; label: string; header: Record<string, unknown>; key: string; signedSha256: string; sentSha256: string; signedBytes: number; mutations: string[] }
  | { type: 'authorization.request'; label: string; endpoint: string; parameters: Record<string, string>; pkce: { method: string; challenge: string | null; verifier: string | null } }
  | { type: 'browser.page'; label: string; url: string; status: number; title: string; forms: BrowserForm[]; alert: string | null; /** What the page says (absent in older runs). */ content?: PageText[] }
  | { type: 'browser.submit'; label: string; url: string; fields: Record<string, string | string[]> }
  // The code_verifier a token request sends (RFC 7636 §4.5) against the challenge its authorization request pushed:
  // `computed` is BASE64URL(SHA-256(verifier)) for S256 (the verifier itself for plain), what the server compares (§4.6).
  | { type: 'pkce.verifier'; label: string; method: string; challenge: string | null; verifier: string; computed: string }
  | { type: 'authorization.response'; label: string; redirectUri: string; code: string | null; state: string | null; stateMatches: boolean; iss: string | null; issMatches: boolean | null; error: string | null; errorDescription: string | null; /** JARM: the signed response the parameters were read from, once it verified (absent: a plain query). */ jarm?: DecodedJwt }
  | { type: 'server.decision'; decision: Decision }
  | { type: 'server.decision.unobservable'; interactionId: string | null; reason: string }
  | { type: 'expectation.result'; result: ExpectationResult }
  | { type: 'variable.captured'; name: string; preview: string }
  | { type: 'certificate.minted'; name: string; certificate: CertSummary; flaw: string }
  | { type: 'clock.shifted'; offsetSeconds: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export type TraceEventType = TraceEventBody['type'];

export interface TraceEnvelope {
  runId: string;
  /** Position in the run's stream, from 0. */
  seq: number;
  at: string;
  scenarioRunId: string | null;
  stepId: string | null;
}

export type TraceEvent = TraceEnvelope & TraceEventBody;

export type TraceEventOf<T extends TraceEventType> = TraceEnvelope & Extract<TraceEventBody, { type: T }>;
