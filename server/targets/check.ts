// Checks a target before a run: every server is reachable and its TLS chain verifies with the trust
// the target gives (RFC 8446 / RFC 5280), the authorization server issues a token to one of its
// clients (RFC 8705 §2 or RFC 9449 §5), and the gateway accepts that token on the FAPI route.
// The token and the call go through the scenario engine's own steps, so they are exactly what a run does.
import type { Scenario, TokenStep, CallStep } from '../../lib/scenario/schema.ts';
import type { TraceEventBody } from '../../lib/trace/events.ts';
import { OB_BASE } from '../../lib/target/routes.ts';
import type { Target, TargetClient } from '../engine/target.ts';
import { send } from '../engine/http-client.ts';
import { ScenarioState } from '../engine/state.ts';
import { tokenStep } from '../engine/steps/token.ts';
import { callStep } from '../engine/steps/call.ts';
import { EngineError } from '../engine/errors.ts';

export interface TargetCheck {
  id: string;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

export interface TargetCheckReport {
  target: string;
  ok: boolean;
  checks: TargetCheck[];
  at: string;
}

/** Errors that mean "reached the server, but its certificate is not trusted / not for this name". */
const TLS_TRUST = /^(UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|CERT_(HAS_EXPIRED|NOT_YET_VALID|UNTRUSTED|REJECTED|SIGNATURE)|ERR_TLS_CERT_ALTNAME|HOSTNAME_MISMATCH)/;

async function tlsCheck(label: string, url: string, ca: string): Promise<TargetCheck> {
  const origin = new URL(url).origin;
  const ex = await send({ method: 'GET', url: `${origin}/`, headers: { accept: 'application/json' }, ca, cert: null, timeoutMs: 5_000 });
  const leaf = ex.tls?.serverChain[0];
  const chain = leaf ? `server certificate ${leaf.subject} issued by ${leaf.issuer}` : '';
  const title = `${label} ${origin}: reachable, TLS chain verifies`;
  if (ex.response) return { id: `tls ${origin}`, title, status: 'ok', detail: `${ex.tls?.protocol ?? 'TLS'}, ${chain}, verified with the target's CA bundle` };
  const code = ex.error?.code ?? 'ERR';
  if (TLS_TRUST.test(code)) {
    return { id: `tls ${origin}`, title, status: 'failed', detail: `reached, but the TLS chain does not verify with the target's trust: ${code} (${ex.error?.message}). Add the CA that issued the server certificate under trust:` };
  }
  if (ex.tls?.protocol) {
    // The handshake completed and the server then closed: a listener that wants a client certificate.
    return { id: `tls ${origin}`, title, status: 'ok', detail: `${ex.tls.protocol}, ${chain}; closed without an HTTP answer for a client with no certificate (${code})` };
  }
  if (/ALERT|SSL|TLS/.test(code)) return { id: `tls ${origin}`, title, status: 'ok', detail: `the handshake needs a client certificate (${code})` };
  return { id: `tls ${origin}`, title, status: 'failed', detail: `cannot reach it: ${code}: ${ex.error?.message ?? ''}` };
}

/** The sandbox's clients and the certificates they authenticate with, in the order the check tries them. */
const CANDIDATES: Record<'mtls' | 'dpop', [client: string, certificate: string | null][]> = {
  mtls: [['tpp-alpha', 'tpp-alpha'], ['tpp-beta', 'tpp-beta'], ['mallory-app', 'mallory']],
  dpop: [['tpp-dpop', null], ['tpp-gamma-dpop', 'tpp-gamma']],
};

/** The client to get a token with: an mTLS client when the target claims mTLS, else a DPoP one, as the target maps it. */
function pickActor(target: Target): { actor: Scenario['actors'][string]; auth: NonNullable<TargetClient['auth']>; dpop: boolean; client: string } | null {
  const dpop = !target.capabilities.has('mtls');
  for (const [client, usual] of CANDIDATES[dpop ? 'dpop' : 'mtls']) {
    const mapped = target.client(client);
    if (!mapped) continue;
    const certificate = mapped.certificate ?? usual;
    if (certificate && !target.certificate(certificate)) continue;
    const auth = mapped.auth ?? (certificate ? 'tls_client_auth' : 'private_key_jwt');
    if (auth === 'private_key_jwt' && !mapped.key) continue;
    return { client, auth, dpop, actor: { client, ...(certificate ? { certificate } : {}), ...(dpop ? { dpopKey: 'check-key' } : {}) } };
  }
  return null;
}

export async function checkTarget(target: Target): Promise<TargetCheckReport> {
  const checks: TargetCheck[] = [];
  const servers = new Map<string, string>();
  const add = (label: string, url: string | null) => {
    if (url && !servers.has(new URL(url).origin)) servers.set(new URL(url).origin, label);
  };
  add('authorization server (mTLS token endpoint)', target.endpoints.token);
  add('authorization server', target.endpoints.tokenPlain);
  add('gateway', target.endpoints.gateway);
  add('gateway (strict TLS)', target.endpoints.gatewayStrict);
  for (const [origin, label] of servers) checks.push(await tlsCheck(label, origin, target.ca));

  const picked = pickActor(target);
  if (!picked) {
    checks.push({ id: 'token', title: 'a token from the authorization server', status: 'skipped', detail: `no client to try: map ${target.capabilities.has('mtls') ? 'tpp-alpha (and certificate tpp-alpha)' : 'tpp-dpop (with its private_key_jwt key)'} under clients:` });
  } else {
    const scenario: Scenario = {
      id: 'target-check', title: 'Target check', summary: 'one token, one call', tags: ['happy-path'], references: ['RFC 8705', 'RFC 9449'],
      teaches: 'the target works', gatewayShould: 'accept a legitimate request', requires: [], actors: { client: picked.actor }, steps: [],
    };
    const events: TraceEventBody[] = [];
    const state = new ScenarioState(scenario, target, (e) => events.push(e));
    const token: TokenStep['token'] = { actor: 'client', endpoint: 'mtls', grant: 'client_credentials', scope: 'accounts', dpop: picked.dpop, save: 'token', auth: picked.auth };
    const title = `a ${picked.dpop ? 'DPoP' : 'certificate'}-bound token for ${picked.client} from ${target.endpoints.token}`;
    try {
      const obs = await tokenStep(token, state);
      const res = obs.exchange?.response;
      const t = state.tokens.get('token');
      const cnf = t?.claims?.cnf as Record<string, unknown> | undefined;
      if (res?.status === 200 && t) {
        const bound = picked.dpop ? typeof cnf?.jkt === 'string' : typeof cnf?.['x5t#S256'] === 'string';
        checks.push({ id: 'token', title, status: bound || t.format === 'opaque' ? 'ok' : 'failed', detail: `${t.tokenType ?? 'token'} (${t.format}${cnf ? `, cnf ${JSON.stringify(cnf)}` : t.format === 'jwt' ? ', no cnf: the token is not sender-constrained' : ''})` });
        const call: CallStep['call'] = { actor: 'client', via: 'gateway', method: 'GET', path: `${OB_BASE}/accounts`, token: 'token', tokenIn: 'header', dpop: picked.dpop, headers: {}, capture: {} };
        const called = await callStep(call, state);
        const status = called.exchange?.response?.status;
        checks.push({
          id: 'call', title: `the gateway accepts it: GET ${target.gatewayUrl(`${OB_BASE}/accounts`, 'gateway')}`, status: status === 200 ? 'ok' : 'failed',
          detail: status === undefined ? `no response: ${called.exchange?.error?.code}: ${called.exchange?.error?.message}` : `HTTP ${status}${status === 200 ? '' : ` ${String(called.exchange?.response?.headers['www-authenticate'] ?? called.exchange?.response?.body.slice(0, 200) ?? '')}`}`,
        });
      } else {
        checks.push({ id: 'token', title, status: 'failed', detail: res ? `HTTP ${res.status} ${res.body.slice(0, 300)}` : `no response: ${obs.exchange?.error?.code}: ${obs.exchange?.error?.message}` });
      }
    } catch (err) {
      checks.push({ id: 'token', title, status: 'failed', detail: err instanceof EngineError ? `${err.code}: ${err.message}` : (err as Error).message });
    }
  }
  return { target: target.name, ok: checks.every((c) => c.status !== 'failed'), checks, at: new Date().toISOString() };
}
