// Build, send, record, then validate: every HTTP step goes through here, so the trace always holds
// the handshake, the raw exchange and the server's own decision before anything judges them.
import { randomUUID } from 'node:crypto';
import type { Decision } from '../../../lib/trace/decision.ts';
import type { HttpMessage, HttpSender } from '../../../lib/trace/events.ts';
import type { ScenarioState } from '../state.ts';
import type { CertMaterial } from '../target.ts';
import { send, header, type Exchange, type TlsVersion } from '../http-client.ts';
import type { Redirect } from '../browser/browser.ts';

export interface Observation {
  exchange: Exchange | null;
  /** Server decisions for this request; null when the target does not expose them. */
  decisions: Decision[] | null;
  token?: { tokenType: string | null; claims: Record<string, unknown> | null };
  /** Authorize steps: the authorization response the app received at its redirect_uri (null: none). */
  authorization?: { code: string | null; state: string | null; iss: string | null; error: string | null; errorDescription: string | null } | null;
  /** Authorize steps: the redirects the customer's browser followed. */
  redirects?: readonly Redirect[];
}

export interface HttpCall {
  actor: string;
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: string;
  cert: CertMaterial | null;
  /** Which server answers: its decisions are joined when the target exposes them. */
  party: 'gateway' | 'idp';
  /** Who sends it: the client application (default) or the customer's browser. */
  sender?: HttpSender;
  /** What the client offers in the TLS handshake (call steps' tls). */
  tlsOffer?: { maxVersion?: TlsVersion; ciphers?: string };
  /** Form fields whose values never reach the trace (a password): recorded as bullets. */
  redact?: readonly string[];
}

const MASK = '•'.repeat(8);

/** The request as the trace records it: the values of `redact` form fields masked. */
function recorded(request: HttpMessage, redact: readonly string[] | undefined): HttpMessage {
  if (!redact?.length || request.body === undefined) return request;
  const form = new URLSearchParams(request.body);
  for (const name of redact) if (form.has(name)) form.set(name, MASK);
  return { ...request, body: form.toString() };
}

/** Whether the target exposes the decisions of this server (the gateway-checks / idp-checks capabilities). */
export function observable(target: ScenarioState['target'], party: HttpCall['party']): boolean {
  return target.decisions !== null && target.capabilities.has(party === 'gateway' ? 'gateway-checks' : 'idp-checks');
}

export async function exchange(state: ScenarioState, call: HttpCall): Promise<Observation> {
  const headers = { ...call.headers };
  const given = headers['x-fapi-interaction-id'];
  const interactionId = typeof given === 'string' ? given : randomUUID();
  if (given === undefined) headers['x-fapi-interaction-id'] = interactionId;
  const ex = await send({ method: call.method, url: call.url, headers, ...(call.body !== undefined ? { body: call.body } : {}), ca: state.target.ca, cert: call.cert, ...(call.tlsOffer ? { tlsOffer: call.tlsOffer } : {}) });
  if (ex.tls) state.emit({ type: 'tls.handshake', tls: ex.tls });
  const echoed = header(ex, 'x-fapi-interaction-id');
  state.emit({
    type: 'http.exchange', interactionId: echoed ?? interactionId, request: recorded(ex.request, call.redact), response: ex.response,
    error: ex.error ? `${ex.error.code}: ${ex.error.message}` : null, durationMs: ex.durationMs, sender: call.sender ?? 'client',
  });
  const nonce = header(ex, 'dpop-nonce');
  if (nonce) state.lastNonce.set(call.actor, nonce);
  const lookup = state.target.decisions;
  if (!lookup || !observable(state.target, call.party)) {
    const who = call.party === 'gateway' ? 'gateway' : 'authorization server';
    state.emit({
      type: 'server.decision.unobservable', interactionId: echoed ?? interactionId,
      reason: `the ${who} of target "${state.target.name}" (${new URL(call.url).origin}) is external: its internal checks are not observable, so this step is judged on what the client sees (status, WWW-Authenticate, body)`,
    });
    return { exchange: ex, decisions: null };
  }
  const [own, other] = await Promise.all([lookup(interactionId), echoed && echoed !== interactionId ? lookup(echoed) : []]);
  const decisions = [...new Map([...own, ...other].map((d) => [d, d])).keys()];
  for (const decision of decisions) state.emit({ type: 'server.decision', decision });
  return { exchange: ex, decisions };
}
