// The Playground's control API: GET /api/playground (clients, certificates, DPoP keys, routes),
// POST /api/playground/token (a token from the IdP as a chosen client and certificate, optionally
// DPoP-bound) and POST /api/playground/call (a gateway request with a chosen certificate, token and
// DPoP proof mutations). Both run the engine's own token and call steps (same HTTP client, proof
// builder and decision join as scenarios) and answer with the trace events they produced.
import { z } from 'zod';
import type { ControlRequest } from '../index.ts';
import type { Stack } from '../../stack-types.ts';
import { HttpError, readJson, sendJson } from '../http.ts';
import { parseBody } from '../validate.ts';
import { STEP_SCHEMAS, type DpopSpec, type Scenario } from '../../../lib/scenario/schema.ts';
import type { TraceEvent, TraceEventBody, TraceEventOf } from '../../../lib/trace/events.ts';
import { ScenarioState } from '../../engine/state.ts';
import { bundledTarget } from '../../engine/target.ts';
import { tokenStep } from '../../engine/steps/token.ts';
import { callStep } from '../../engine/steps/call.ts';
import { EngineError } from '../../engine/errors.ts';
import { decodeJwt } from '../../engine/jwt.ts';
import { generateDpopKey, type DpopKey } from '../../engine/crypto/dpop-proof.ts';
import { jsonBody } from '../../engine/http-client.ts';
import { seededClients } from '../../idp/clients.ts';
import { mintedStore } from '../../pki/minted.ts';

/** Two DPoP keys that live as long as the sandbox: the client's, and an attacker's. */
const KEYS = [
  { name: 'client-key', description: 'the client\'s own DPoP key: bind tokens to it' },
  { name: 'attacker-key', description: 'a key the attacker generated: the token is not bound to it' },
] as const;
type KeyName = (typeof KEYS)[number]['name'];
const keyNames = KEYS.map((k) => k.name) as [KeyName, ...KeyName[]];

const playgroundKeys = new WeakMap<Stack, Promise<Map<string, DpopKey>>>();

function keysOf(stack: Stack): Promise<Map<string, DpopKey>> {
  let keys = playgroundKeys.get(stack);
  if (!keys) {
    keys = Promise.all(KEYS.map((k) => generateDpopKey(k.name))).then((list) => new Map(list.map((k) => [k.name, k])));
    playgroundKeys.set(stack, keys);
  }
  return keys;
}

const NOT_CLIENT_CERTS = new Set(['root-ca', 'issuing-ca', 'rogue-ca', 'server']);

function certificateNames(stack: Stack): string[] {
  return [
    ...stack.pki.index.certificates.filter((c) => !NOT_CLIENT_CERTS.has(c.role)).map((c) => c.name),
    ...mintedStore(stack.pki).list().map((m) => m.name),
  ];
}

export async function playgroundOptions({ res, stack }: ControlRequest): Promise<void> {
  const certs = stack.pki.index.certificates.filter((c) => !NOT_CLIENT_CERTS.has(c.role));
  const clients = seededClients(stack.pki, `${stack.urls.ui}/callback`)
    .filter((c) => c.client_id !== 'fapi-gateway')
    .map((c) => ({
      clientId: c.client_id,
      name: String(c.client_name ?? c.client_id),
      auth: String(c.token_endpoint_auth_method),
      binding: c.tls_client_certificate_bound_access_tokens ? 'mtls' : c.dpop_bound_access_tokens ? 'dpop' : 'none',
      certificate: certs.find((x) => x.clientId === c.client_id && ['client', 'attacker', 'self-signed'].includes(x.role))?.name ?? null,
    }));
  const keys = await keysOf(stack);
  sendJson(res, 200, {
    clients,
    certificates: [
      ...certs.map((c) => ({ name: c.name, subject: c.subject, role: c.role, minted: false })),
      ...mintedStore(stack.pki).list().map((m) => ({ name: m.name, subject: m.summary.subject, role: `minted (${m.flaw})`, minted: true })),
    ],
    keys: KEYS.map((k) => ({ ...k, jkt: keys.get(k.name)!.jkt })),
    routes: stack.gateway.routes,
    resources: ['/accounts', '/balances', '/transactions'],
  });
}

/** A one-actor scenario state around the engine's steps; events are collected, not stored. */
async function playgroundState(stack: Stack, actor: { certificate: string | null; client?: string }): Promise<{ state: ScenarioState; events: TraceEvent[] }> {
  if (actor.certificate !== null && !certificateNames(stack).includes(actor.certificate)) {
    throw new HttpError(400, 'invalid_request', `certificate: no client certificate named "${actor.certificate}" (see GET /api/playground)`);
  }
  const scenario: Scenario = {
    id: 'playground', title: 'Playground', summary: 'One request from the web UI playground.', tags: ['fapi'], references: ['RFC 8705', 'RFC 9449'],
    teaches: 'Whatever the user tries.', gatewayShould: 'Decide by its checks.', requires: [],
    actors: { you: { ...(actor.certificate ? { certificate: actor.certificate } : {}), ...(actor.client ? { client: actor.client } : {}) } },
    steps: [],
  };
  const events: TraceEvent[] = [];
  const emit = (body: TraceEventBody) => {
    events.push({ runId: 'playground', seq: events.length, at: new Date().toISOString(), scenarioRunId: 'playground', stepId: 'playground-0', ...body } as TraceEvent);
  };
  const state = new ScenarioState(scenario, bundledTarget(stack), emit);
  for (const m of mintedStore(stack.pki).list()) state.minted.set(m.name, { name: m.name, chain: m.chain, key: m.key, summary: m.summary });
  for (const [name, key] of await keysOf(stack)) state.keys.set(name, key);
  return { state, events };
}

async function engine<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineError) throw new HttpError(400, err.code, err.message);
    throw err;
  }
}

const certificateField = z.string().min(1).max(100).nullable().default(null).describe('a certificate name from GET /api/playground, or null for none');

const tokenBody = z
  .object({
    client: z.string().min(1).max(200),
    certificate: certificateField,
    auth: z.enum(['auto', 'tls_client_auth', 'self_signed_tls_client_auth', 'private_key_jwt']).default('auto'),
    dpop: z.boolean().default(false).describe('bind the token to a DPoP key'),
    dpopKey: z.enum(keyNames).default('client-key'),
    scope: z.string().min(1).max(200).regex(/^[\x21\x23-\x5b\x5d-\x7e ]+$/, 'scope tokens: printable ASCII without " or \\').default('accounts'),
  })
  .strict();

export async function playgroundToken({ req, res, stack }: ControlRequest): Promise<void> {
  const body = parseBody(tokenBody, await readJson(req, 16 * 1024));
  const { state, events } = await playgroundState(stack, { certificate: body.certificate, client: body.client });
  const step = parseBody(STEP_SCHEMAS.token, {
    name: 'Playground token request',
    token: { actor: 'you', scope: body.scope, dpop: body.dpop ? { key: body.dpopKey } : false, save: 'token', ...(body.auth !== 'auto' ? { auth: body.auth } : {}) },
  });
  const observation = await engine(() => tokenStep(step.token, state));
  const ex = observation.exchange;
  const json = ex ? jsonBody(ex) : null;
  sendJson(res, 200, {
    status: ex?.response?.status ?? null,
    token: typeof json?.access_token === 'string' ? json.access_token : null,
    tokenType: typeof json?.token_type === 'string' ? json.token_type : null,
    boundTo: body.dpop ? body.dpopKey : body.certificate,
    events,
  });
}

const dpopMutations = z
  .object({
    key: z.enum(keyNames).default('client-key').describe('client-key: the key the token is bound to (when bound with it); attacker-key: another key'),
    htm: z.string().min(1).max(20).optional(),
    htu: z.string().min(1).max(2000).optional(),
    iatOffset: z.number().int().min(-86_400).max(86_400).optional(),
    jti: z.string().min(1).max(200).optional(),
    ath: z.enum(['auto', 'omit', 'wrong']).default('auto'),
    typ: z.string().min(1).max(50).optional(),
    alg: z.enum(['ES256', 'none', 'HS256']).optional(),
    embedPrivateKey: z.boolean().default(false),
    omitClaims: z.array(z.enum(['jti', 'htm', 'htu', 'iat', 'ath'])).max(5).default([]),
  })
  .strict();

const callBody = z
  .object({
    certificate: certificateField,
    token: z.string().min(1).max(16_000).regex(/^[\x21-\x7e]+$/, 'a token: printable ASCII, no spaces').optional(),
    scheme: z.enum(['Bearer', 'DPoP']).optional(),
    tokenIn: z.enum(['header', 'query']).default('header'),
    via: z.enum(['gateway', 'gatewayStrict']).default('gateway'),
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).default('GET'),
    path: z.string().startsWith('/').max(500).regex(/^[\x21-\x7e]+$/, 'a path: printable ASCII, no spaces'),
    dpop: dpopMutations.optional().describe('send a DPoP proof, built and broken as described (absent: no proof)'),
  })
  .strict();

export async function playgroundCall({ req, res, stack }: ControlRequest): Promise<void> {
  const body = parseBody(callBody, await readJson(req, 64 * 1024));
  const { state, events } = await playgroundState(stack, { certificate: body.certificate });
  if (body.token) {
    const decoded = decodeJwt(body.token);
    state.tokens.set('token', { raw: body.token, tokenType: null, format: decoded ? 'jwt' : 'opaque', header: decoded?.header ?? null, claims: decoded?.claims ?? null });
  }
  const dpop: Partial<DpopSpec> | false = body.dpop ?? false;
  const step = parseBody(STEP_SCHEMAS.call, {
    name: 'Playground call',
    call: {
      actor: 'you', via: body.via, method: body.method, path: body.path, tokenIn: body.tokenIn, dpop,
      ...(body.token ? { token: 'token' } : {}), ...(body.scheme ? { scheme: body.scheme } : {}),
    },
  });
  const observation = await engine(() => callStep(step.call, state));
  const http = events.find((e): e is TraceEventOf<'http.exchange'> => e.type === 'http.exchange');
  sendJson(res, 200, { status: observation.exchange?.response?.status ?? null, interactionId: http?.interactionId ?? null, events });
}
