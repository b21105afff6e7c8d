// The sequence diagram's plan: which lanes a scenario needs (the customer's browser only when an
// authorize step plays it), which lane each request goes from and to, how far it got (refused in the
// handshake, refused by a check, forwarded to the API), short arrow labels, and the hand-off of the
// authorization response from the browser to the app's redirect_uri.
import type { ExchangeView, ScenarioView, StepView } from '../../lib/trace/timeline.ts';
import { refusingCheck } from '../../lib/trace/timeline.ts';
import type { ConfigDto } from './types.ts';
import { tokensOf } from './tokens.ts';

/** A lifeline: the customer's browser, the client (one per actor when a scenario has several), the servers. */
export type Lane = 'browser' | 'client' | 'gateway' | 'idp' | 'api' | `actor:${string}`;
type FixedLane = Exclude<Lane, `actor:${string}`>;

export interface LaneSpec {
  id: Lane;
  label: string;
  short: string;
  /** Horizontal position of the lifeline, in percent of the diagram's width. */
  x: number;
}

const NAMES: Record<FixedLane, { label: string; short: string }> = {
  browser: { label: 'Browser (PSU)', short: 'PSU' },
  client: { label: 'Client', short: 'Client' },
  gateway: { label: 'Gateway', short: 'Gateway' },
  idp: { label: 'Identity provider', short: 'IdP' },
  api: { label: 'API', short: 'API' },
};

export interface LaneLayout {
  lanes: LaneSpec[];
  x: Record<string, number>;
}

/** Where a lane's lifeline is: a lane not shown (the browser, an actor in a one-client layout) sits on the client's. */
export function laneX(layout: LaneLayout, lane: Lane): number {
  return layout.x[lane] ?? layout.x.client!;
}

/** The client lane of a step's actor. */
export const actorLane = (actor: string | null): Lane => (actor ? `actor:${actor}` : 'client');

/** Actors named like an attacker (the catalogue's Mallory and Eve) get the attacker's colour. */
export const isAttacker = (actor: string) => /mallory|eve|thief|attacker/i.test(actor);

/**
 * The lanes, evenly spread; the browser lane leads when `browser` (an authorize step ran a browser);
 * with two actors or more (Alpha and Mallory), each gets a client lane of its own.
 */
export function laneLayout(browser: boolean, actors: readonly string[] = []): LaneLayout {
  const clients: Lane[] = actors.length > 1 ? actors.map(actorLane) : ['client'];
  const ids: Lane[] = [...(browser ? ['browser' as const] : []), ...clients, 'gateway', 'idp', 'api'];
  const lanes = ids.map((id, i) => {
    const actor = id.startsWith('actor:') ? id.slice('actor:'.length) : null;
    const names = actor ? { label: actorName(actor), short: actorName(actor) } : NAMES[id as FixedLane];
    return { id, ...names, x: ((i + 0.5) / ids.length) * 100 };
  });
  const x: Record<string, number> = Object.fromEntries(lanes.map((l) => [l.id, l.x]));
  x.client ??= x[clients[0]!]!;
  x.browser ??= x.client;
  return { lanes, x };
}

/** The actors of a scenario's steps that sent requests, in the order they first appear. */
export function actorsOf(scenario: ScenarioView): string[] {
  return [...new Set(scenario.steps.filter((s) => s.actor && s.exchanges.length).map((s) => s.actor!))];
}

/** Whether any step of the scenario has a request sent by the customer's browser. */
export function usesBrowser(scenario: ScenarioView): boolean {
  return scenario.steps.some((s) => s.exchanges.some((ex) => ex.sender === 'browser'));
}

function origin(url: string): string | null {
  return URL.parse(url)?.origin ?? null;
}

function laneOf(ex: ExchangeView, config: ConfigDto | null): 'gateway' | 'idp' | 'api' {
  const source = ex.decisions[0]?.source;
  if (source) return source === 'idp' ? 'idp' : 'gateway';
  const o = origin(ex.http.request.url);
  if (config && o) {
    const u = config.urls;
    if (o === origin(u.idp) || o === origin(u.idpMtls)) return 'idp';
    if (o === origin(u.gateway) || o === origin(u.gatewayStrict)) return 'gateway';
    if (o === origin(u.api)) return 'api';
  }
  const path = URL.parse(ex.http.request.url)?.pathname ?? '';
  return /\/(token|reg|request|auth|par|interaction)\b/.test(path) ? 'idp' : 'gateway';
}

/** The Open Banking API prefix every gateway route ends with: left out of arrow labels. */
const OB_PREFIX = '/open-banking/v3.1/aisp';
const MAX_LABEL = 34;

/** A path segment that is an identifier (a random uid, a UUID, a consent id), not a word. */
function isId(segment: string): boolean {
  if (segment.length >= 20 && /^[A-Za-z0-9_~.-]+$/.test(segment) && /\d/.test(segment)) return true;
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(segment) || /^[a-z]{2,4}-[0-9a-f]{8}-[0-9a-f]{4}-/i.test(segment);
}

/**
 * A path short enough for an arrow: identifiers become {uid} / {id}, the Open Banking prefix becomes
 * "…", the query is dropped, and a long remainder keeps its last segments.
 */
export function shortPath(url: string): string {
  const path = URL.parse(url)?.pathname ?? url.split('?')[0]!;
  const at = path.indexOf(OB_PREFIX);
  const prefixed = at >= 0;
  const rest = prefixed ? path.slice(at + OB_PREFIX.length) || '/' : path;
  const segments = rest.split('/').filter(Boolean).map((s, i, all) => (isId(s) ? (['interaction', 'auth'].includes(all[i - 1] ?? '') ? '{uid}' : '{id}') : s));
  let shown = `/${segments.join('/')}`;
  for (let keep = segments.length - 1; shown.length > MAX_LABEL && keep >= 1; keep--) shown = `…/${segments.slice(-keep).join('/')}`;
  if (prefixed && !shown.startsWith('…')) shown = `…${shown}`;
  return shown;
}

export interface RequestArrow {
  kind: 'request';
  from: Lane;
  to: Lane;
  label: string;
  /** The full request line (tooltip, text alternative). */
  title: string;
  /** The handshake or connection failed: the request never reached the server. */
  tlsRefused: boolean;
  /** A server check refused it. */
  refusedBy: string | null;
  /** The gateway let it through to the upstream API. */
  forwarded: boolean;
  status: number | null;
  /** Words after the status on the response arrow ("sign-in page", "→ /interaction/{uid}"). */
  responseNote: string | null;
}

/** The browser hands the authorization response to the app (the redirect to its redirect_uri). */
export interface HandoffArrow {
  kind: 'handoff';
  from: Lane;
  to: Lane;
  label: string;
  title: string;
  ok: boolean;
}

/** An actor uses an access token issued to another actor: the theft, drawn from the victim to the thief. */
export interface TheftArrow {
  kind: 'theft';
  from: Lane;
  to: Lane;
  victim: string;
  thief: string;
  /** The step (0-based) that issued the token. */
  issuedIn: number;
  label: string;
  title: string;
}

export type ArrowPlan = RequestArrow | HandoffArrow | TheftArrow;

/** The token theft a step's requests show, if any: an access token sent by one actor that another actor was issued. */
export function theftIn(step: StepView, steps: readonly StepView[]): TheftArrow | null {
  if (!step.actor) return null;
  for (const ex of step.exchanges) {
    const jti = tokensOf(ex).find((t) => t.direction === 'sent' && t.role === 'access_token')?.decoded?.claims.jti;
    if (typeof jti !== 'string') continue;
    const issuer = steps.find((s) => s.index < step.index && s.exchanges.some((e) => e.received.some((t) => t.token?.claims.jti === jti)));
    if (issuer?.actor && issuer.actor !== step.actor) {
      const [victim, thief] = [actorName(issuer.actor), actorName(step.actor)];
      return {
        kind: 'theft', from: actorLane(issuer.actor), to: actorLane(step.actor), victim, thief, issuedIn: issuer.index,
        label: 'stolen token', title: `${thief} uses the access token issued to ${victim} in step ${issuer.index + 1}`,
      };
    }
  }
  return null;
}

/** One request as an arrow. `page`: the title of the page it loaded, if any. */
function planArrow(ex: ExchangeView, config: ConfigDto | null, actor: string | null, page: string | null = null): RequestArrow {
  const to = laneOf(ex, config);
  const refusal = refusingCheck(ex);
  const status = ex.http.response?.status ?? null;
  const location = ex.http.response?.headers.location;
  const redirect = status !== null && status >= 300 && status < 400 && typeof location === 'string' ? location : null;
  return {
    kind: 'request',
    from: ex.sender === 'browser' ? 'browser' : actorLane(actor),
    to,
    label: `${ex.http.request.method} ${shortPath(ex.http.request.url)}`,
    title: `${ex.http.request.method} ${ex.http.request.url}`,
    tlsRefused: !ex.http.response,
    refusedBy: refusal?.check.id ?? null,
    forwarded: to === 'gateway' && !!ex.decisions.length && !refusal && status !== null && status < 500,
    status,
    responseNote: page ?? (redirect ? `→ ${shortPath(new URL(redirect, ex.http.request.url).toString())}` : null),
  };
}

const PAGE_WORDS = /\s+[–—|-]\s+[^–—|-]+$/;

/**
 * The arrows of a step, in the order things happened: the theft of another actor's token (given
 * the scenario's `steps`), the requests, and the authorization response hand-off.
 */
export function planArrows(step: StepView, config: ConfigDto | null, steps: readonly StepView[] = []): ArrowPlan[] {
  const byEvent = new Map(step.exchanges.map((ex) => [ex.http, ex]));
  const theft = theftIn(step, steps);
  const out: ArrowPlan[] = theft ? [theft] : [];
  const events = step.events;
  for (const [i, e] of events.entries()) {
    if (e.type === 'http.exchange') {
      const ex = byEvent.get(e);
      if (!ex) continue;
      const next = events.slice(i + 1).find((n) => n.type === 'http.exchange' || n.type === 'browser.page');
      const page = next?.type === 'browser.page' && next.url === e.request.url ? next.title.replace(PAGE_WORDS, '') : null;
      out.push(planArrow(ex, config, step.actor, page));
    } else if (e.type === 'authorization.response') {
      const ok = !!e.code && e.stateMatches;
      out.push({
        kind: 'handoff', from: 'browser', to: actorLane(step.actor), ok,
        label: e.code ? 'code, state, iss' : e.error ?? 'no code',
        title: `redirect to ${e.redirectUri}`,
      });
    }
  }
  return out;
}

/** The arrows in words: the diagram's text alternative. */
export function describeArrows(arrows: ArrowPlan[], layout: LaneLayout): string[] {
  const name = (l: Lane) => layout.lanes.find((x) => x.id === l)?.label ?? (l.startsWith('actor:') ? NAMES.client.label : NAMES[l as FixedLane].label);
  return arrows.map((a) => {
    if (a.kind === 'theft') return `${a.thief} takes the access token issued to ${a.victim} in step ${a.issuedIn + 1}`;
    if (a.kind === 'handoff') return `${name(a.from)} hands the authorization response (${a.label}) to the ${name(a.to)} at its redirect URI`;
    const head = `${name(a.from)} → ${name(a.to)}: ${a.title}`;
    if (a.tlsRefused) return `${head}: TLS handshake refused`;
    return `${head}${a.forwarded ? ', forwarded to the API' : ''}${a.refusedBy ? `, refused by ${a.refusedBy}` : ''}, answered ${a.status}${a.responseNote ? ` (${a.responseNote})` : ''}`;
  });
}

/** One line of the vertical timeline (phones): "Mallory → Gateway  GET …/accounts", then the answer. */
export interface ArrowLine {
  from: string;
  to: string;
  text: string;
  tone: 'request' | 'ok' | 'fail';
}

/**
 * The arrows as lines for the vertical timeline: each request, then what came back (the refusing
 * check, the status). The client's lane is named after the step's actor when it has one.
 */
export function arrowLines(arrows: ArrowPlan[], layout: LaneLayout, actor: string | null): ArrowLine[] {
  const name = (l: Lane) => (l === 'client' && actor ? actorName(actor) : l.startsWith('actor:') ? actorName(l.slice('actor:'.length)) : l === 'browser' ? 'Browser' : layout.lanes.find((x) => x.id === l)?.short ?? NAMES[l as FixedLane].short);
  return arrows.flatMap((a): ArrowLine[] => {
    if (a.kind === 'theft') return [{ from: a.victim, to: a.thief, text: `token stolen (issued in step ${a.issuedIn + 1})`, tone: 'fail' }];
    if (a.kind === 'handoff') return [{ from: name(a.from), to: name(a.to), text: `redirect: ${a.label}`, tone: a.ok ? 'ok' : 'fail' }];
    const request: ArrowLine = { from: name(a.from), to: name(a.to), text: a.label, tone: 'request' };
    if (a.tlsRefused) return [request, { from: name(a.to), to: name(a.from), text: 'TLS handshake refused', tone: 'fail' }];
    const ok = a.status !== null && a.status < 400;
    const answer = `${a.status ?? '–'}${a.refusedBy ? ` refused by ${a.refusedBy}` : a.responseNote ? ` ${a.responseNote}` : ''}`;
    return [
      request,
      ...(a.forwarded ? [{ from: name('gateway'), to: name('api'), text: 'forward', tone: 'request' as const }] : []),
      { from: name(a.to), to: name(a.from), text: answer, tone: ok ? 'ok' : 'fail' },
    ];
  });
}

/** A scenario actor's name as a person: "mallory" → "Mallory", "tpp-alpha" → "Tpp-alpha". */
export function actorName(actor: string): string {
  return actor.charAt(0).toUpperCase() + actor.slice(1);
}
