// The state one gateway request carries through its pipeline, and the Check contract:
// each check reads what earlier checks established and returns pass / fail / skip with a reason.
import type { IncomingMessage } from 'node:http';
import type { CheckId } from '../../lib/checks/catalogue.ts';
import type { Binding } from '../../lib/trace/decision.ts';
import type { ConnectionFacts } from './connection.ts';
import type { Route } from './routes.ts';
import type { GatewayDeps } from './deps.ts';

/** An OAuth protected-resource error (RFC 6750 §3.1, RFC 9449 §7.1 / §9). */
export interface ProtocolError {
  status: 400 | 401 | 403;
  /** Absent when the request carried no credentials at all (RFC 6750 §3.1). */
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof' | 'use_dpop_nonce';
  /** Challenge scheme; defaults from the route and the token. */
  scheme?: 'Bearer' | 'DPoP';
}

export type Verdict =
  | { outcome: 'pass' | 'skip'; reason: string; inputs?: Record<string, unknown> }
  | { outcome: 'fail'; reason: string; inputs?: Record<string, unknown>; error: ProtocolError };

export interface Check {
  id: CheckId;
  run(ctx: GatewayContext): Verdict | Promise<Verdict>;
}

export interface AccessTokenClaims {
  iss?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  scope?: string;
  client_id?: string;
  sub?: string;
  cnf?: { 'x5t#S256'?: string; jkt?: string };
  openbanking_intent_id?: string;
  [claim: string]: unknown;
}

export interface DpopProof {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** RFC 7638 thumbprint of header.jwk (set by dpop.jwk-public). */
  jkt?: string;
}

export interface GatewayContext {
  readonly req: IncomingMessage;
  readonly method: string;
  /** The URL the client addressed, on this gateway's public origin (no query). */
  readonly publicUrl: string;
  /** Origins under which the client may have addressed this gateway (for htu). */
  readonly publicOrigins: readonly string[];
  readonly query: URLSearchParams;
  readonly route: Route;
  readonly binding: Binding;
  readonly conn: ConnectionFacts;
  readonly deps: GatewayDeps;
  /** Seconds since the epoch, fixed for the whole request. */
  readonly now: number;
  interactionId: string;
  scheme?: 'Bearer' | 'DPoP';
  token?: string;
  tokenHeader?: Record<string, unknown>;
  claims?: AccessTokenClaims;
  proofJwt?: string;
  proof?: DpopProof;
  /** Extra response headers a check wants on every answer (e.g. DPoP-Nonce). */
  responseHeaders: Record<string, string>;
}

export const pass = (reason: string, inputs?: Record<string, unknown>): Verdict => ({ outcome: 'pass', reason, ...(inputs ? { inputs } : {}) });
export const skip = (reason: string, inputs?: Record<string, unknown>): Verdict => ({ outcome: 'skip', reason, ...(inputs ? { inputs } : {}) });
export const fail = (reason: string, error: ProtocolError, inputs?: Record<string, unknown>): Verdict => ({
  outcome: 'fail',
  reason,
  error,
  ...(inputs ? { inputs } : {}),
});

/** The usual failures, by kind. */
export const INVALID_TOKEN: ProtocolError = { status: 401, error: 'invalid_token' };
export const INVALID_REQUEST: ProtocolError = { status: 400, error: 'invalid_request' };
export const INVALID_PROOF: ProtocolError = { status: 401, error: 'invalid_dpop_proof', scheme: 'DPoP' };
