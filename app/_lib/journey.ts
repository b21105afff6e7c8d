// The consent journey as the run view tells it: a step's events in the order they happened (the
// app's requests, the browser's hops, the pages, what the customer did, the authorization response),
// the bank's pages as miniatures, and the consent's story across the scenario (created, named in the
// pushed request, allowed, in the token, its status). Pure: built from the recorded events only.
import type { BrowserForm, PageText, TraceEvent, TraceEventOf } from '../../lib/trace/events.ts';
import type { ExchangeView, StepView } from '../../lib/trace/timeline.ts';
import { DETAIL_TYPES, INTENT_CLAIM } from '../../lib/obie/intent.ts';
import { authorizationToken, decodeJwt } from './jwt.ts';

/** Event types the journey cards render (kept out of the generic "Also in this step" list). */
export const JOURNEY_TYPES = new Set(['authorization.request', 'browser.page', 'browser.submit', 'authorization.response', 'pkce.verifier']);

export type JourneyItem =
  | { kind: 'exchange'; ex: ExchangeView }
  /** Consecutive requests of the customer's browser (redirects, pages, form posts). */
  | { kind: 'hops'; exchanges: ExchangeView[] }
  | { kind: 'request'; e: TraceEventOf<'authorization.request'> }
  | { kind: 'page'; e: TraceEventOf<'browser.page'>; submit: TraceEventOf<'browser.submit'> | null }
  | { kind: 'submit'; e: TraceEventOf<'browser.submit'>; page: TraceEventOf<'browser.page'> | null }
  | { kind: 'response'; e: TraceEventOf<'authorization.response'>; request: TraceEventOf<'authorization.request'> | null };

/** Whether the step has events the journey cards tell (an authorize step). */
export function isJourney(step: StepView): boolean {
  return step.events.some((e) => e.type === 'authorization.request' || e.type === 'browser.page');
}

/** The step's exchanges and journey events in the order they happened; the browser's requests grouped. */
export function journeyItems(step: StepView): JourneyItem[] {
  const byEvent = new Map(step.exchanges.map((ex) => [ex.http, ex]));
  const out: JourneyItem[] = [];
  let request: TraceEventOf<'authorization.request'> | null = null;
  let page: TraceEventOf<'browser.page'> | null = null;
  const events = step.events;
  for (const [i, e] of events.entries()) {
    switch (e.type) {
      case 'http.exchange': {
        const ex = byEvent.get(e);
        if (!ex) break;
        const last = out.at(-1);
        if (ex.sender === 'browser' && last?.kind === 'hops') last.exchanges.push(ex);
        else out.push(ex.sender === 'browser' ? { kind: 'hops', exchanges: [ex] } : { kind: 'exchange', ex });
        break;
      }
      case 'authorization.request':
        request = e;
        out.push({ kind: 'request', e });
        break;
      case 'browser.page': {
        page = e;
        const next = events.slice(i + 1).find((n) => n.type === 'browser.page' || n.type === 'browser.submit');
        out.push({ kind: 'page', e, submit: next?.type === 'browser.submit' ? next : null });
        break;
      }
      case 'browser.submit':
        out.push({ kind: 'submit', e, page });
        break;
      case 'authorization.response':
        out.push({ kind: 'response', e, request });
        break;
      default:
        break;
    }
  }
  return out;
}

/** A bank page, as the customer saw it: the parts of a miniature. */
export interface PageModel {
  heading: string | null;
  paragraphs: string[];
  sections: { heading: string; items: string[] }[];
  facts: { term: string; value: string }[];
  /** Text and password inputs (with what was typed, the password masked). */
  inputs: { label: string; type: string; value: string | null }[];
  /** Checkboxes and radio buttons, with whether the customer ticked them. */
  choices: { label: string; value: string; picked: boolean }[];
  buttons: { text: string; pressed: boolean }[];
  alert: string | null;
}

const values = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function groups(content: PageText[]): Omit<PageModel, 'inputs' | 'choices' | 'buttons' | 'alert'> {
  const model: Omit<PageModel, 'inputs' | 'choices' | 'buttons' | 'alert'> = { heading: null, paragraphs: [], sections: [], facts: [] };
  let section: { heading: string; items: string[] } | null = null;
  let term: string | null = null;
  for (const b of content) {
    if (b.tag === 'h1' && model.heading === null) model.heading = b.text;
    else if (b.tag === 'h1' || b.tag === 'h2' || b.tag === 'h3') model.sections.push((section = { heading: b.text, items: [] }));
    else if (b.tag === 'li') (section ?? (model.sections.push((section = { heading: '', items: [] })), section)).items.push(b.text);
    else if (b.tag === 'p') model.paragraphs.push(b.text);
    else if (b.tag === 'dt') term = b.text;
    else if (b.tag === 'dd') {
      model.facts.push({ term: term ?? '', value: b.text });
      term = null;
    }
  }
  // A heading with nothing under it (a table's caption, which is left out) says nothing.
  model.sections = model.sections.filter((s) => s.items.length);
  return model;
}

/** The form the customer submitted on this page (the one whose action the submit went to), else the first. */
function submittedForm(page: TraceEventOf<'browser.page'>, submit: TraceEventOf<'browser.submit'> | null): BrowserForm | null {
  const target = submit ? URL.parse(submit.url)?.pathname : null;
  return page.forms.find((f) => target && URL.parse(f.action, page.url)?.pathname === target) ?? page.forms[0] ?? null;
}

export function pageModel(page: TraceEventOf<'browser.page'>, submit: TraceEventOf<'browser.submit'> | null): PageModel {
  const form = submittedForm(page, submit);
  const sent = submit?.fields ?? {};
  const forms = form ? [form, ...page.forms.filter((f) => f !== form)] : page.forms;
  const inputs = (form?.fields ?? [])
    .filter((f) => ['text', 'email', 'password', 'textarea'].includes(f.type))
    .map((f) => ({ label: f.label ?? f.name, type: f.type, value: sent[f.name] !== undefined ? values(sent[f.name]).join(', ') : null }));
  const choices = (form?.fields ?? [])
    .filter((f) => f.type === 'checkbox' || f.type === 'radio')
    .map((f) => ({ label: f.label ?? f.value, value: f.value, picked: submit ? values(sent[f.name]).includes(f.value) : !!f.checked }));
  const buttons = forms.flatMap((f) =>
    f.buttons.map((b) => ({
      text: b.text || b.value || 'Submit',
      pressed: !!submit && f === form && (b.name ? values(sent[b.name]).includes(b.value) : f.buttons.filter((x) => !x.name).indexOf(b) === 0),
    })),
  );
  return { ...groups(page.content ?? []), inputs, choices, buttons, alert: page.alert };
}

/** The consent an authorization request names (OBIE claims parameter or RFC 9396 authorization_details). */
export function consentNamed(parameters: Record<string, string>): { id: string; via: string; short: string } | null {
  try {
    if (parameters.claims) {
      const claims = JSON.parse(parameters.claims) as Record<string, Record<string, { value?: unknown }> | undefined>;
      const value = claims.id_token?.[INTENT_CLAIM]?.value ?? claims.userinfo?.[INTENT_CLAIM]?.value;
      if (typeof value === 'string') return { id: value, via: `the essential ${INTENT_CLAIM} claim (claims parameter)`, short: `${INTENT_CLAIM} claim` };
    }
    if (parameters.authorization_details) {
      const details = JSON.parse(parameters.authorization_details) as { type?: string; consentId?: unknown }[];
      const found = Array.isArray(details) ? details.find((d) => (DETAIL_TYPES as readonly unknown[]).includes(d.type) && typeof d.consentId === 'string') : undefined;
      if (found) return { id: found.consentId as string, via: `authorization_details of type ${found.type} (RFC 9396)`, short: 'authorization_details' };
    }
  } catch {
    return null;
  }
  return null;
}

function json(body: string | undefined): Record<string, unknown> | null {
  if (!body) return null;
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export interface ConsentMoment {
  stepIndex: number;
  stepName: string;
  text: string;
  /** More words, shown smaller (the permissions asked for, the identity provider's check). */
  detail: string | null;
  /** The consent's status as this moment shows it (the API's Data.Status), if it shows one. */
  status: string | null;
  tone: 'pass' | 'fail' | 'neutral';
}

/** The consent named in a step's pushed authorization request. */
export function stepConsent(step: StepView): ReturnType<typeof consentNamed> {
  const e = step.events.find((x): x is TraceEventOf<'authorization.request'> => x.type === 'authorization.request');
  return e ? consentNamed(e.parameters) : null;
}

function intentOf(token: string | string[] | undefined): string | null {
  const auth = authorizationToken(token);
  const claim = auth ? decodeJwt(auth.token)?.claims[INTENT_CLAIM] : undefined;
  return typeof claim === 'string' ? claim : null;
}

/** What the trace shows of one consent across the scenario's steps, in order. */
export function consentStory(steps: readonly StepView[], id: string): ConsentMoment[] {
  const out: ConsentMoment[] = [];
  for (const step of steps) {
    const at = (text: string, status: string | null = null, tone: ConsentMoment['tone'] = 'neutral', detail: string | null = null) =>
      out.push({ stepIndex: step.index, stepName: step.name, text, detail, status, tone });
    const byEvent = new Map(step.exchanges.map((ex) => [ex.http, ex]));
    for (const e of step.events as TraceEvent[]) {
      if (e.type === 'http.exchange') {
        const ex = byEvent.get(e);
        const { request, response } = e;
        if (!ex || !response) continue;
        const body = json(response.body);
        const data = body?.Data as { ConsentId?: unknown; Status?: unknown; Permissions?: unknown } | undefined;
        if (request.url.includes('/account-access-consents')) {
          const mine = data?.ConsentId === id || request.url.includes(id);
          if (!mine) continue;
          const status = typeof data?.Status === 'string' ? data.Status : null;
          if (request.method === 'POST' && response.status === 201) {
            const permissions = Array.isArray(data?.Permissions) ? `Permissions: ${(data.Permissions as string[]).join(', ')}` : null;
            at('created by the app', status, 'neutral', permissions);
          } else if (request.method === 'DELETE') {
            if (response.status === 204) at('deleted by the app (access withdrawn)', 'Revoked', 'fail');
            else at(`DELETE answered ${response.status}`);
          } else at(status ? 'read back by the app' : `${request.method} answered ${response.status}`, status);
        } else if (ex.sender === 'client' && response.status >= 400 && intentOf(request.headers.authorization) === id) {
          const errors = (body?.Errors as { ErrorCode?: unknown }[] | undefined)?.map((x) => x.ErrorCode).filter((c): c is string => typeof c === 'string');
          at(`a call with its token was refused: HTTP ${response.status}`, null, 'fail', errors?.length ? errors.join(', ') : null);
        }
      } else if (e.type === 'authorization.request') {
        const named = consentNamed(e.parameters);
        if (named?.id !== id) continue;
        const par = step.exchanges.find((ex) => ex.http.request.url === e.endpoint);
        const check = par?.decisions.flatMap((d) => d.checks).find((c) => c.id === 'idp.consent-intent');
        const refused = par?.http.response && par.http.response.status >= 400 ? json(par.http.response.body)?.error : undefined;
        if (refused !== undefined) at(`named in a pushed authorization request the identity provider refused (${typeof refused === 'string' ? refused : `HTTP ${par!.http.response!.status}`})`, null, 'fail', check?.outcome === 'fail' ? `${check.id}: ${check.reason}` : null);
        else at(`named in the pushed authorization request (${named.short})`, null, check?.outcome === 'fail' ? 'fail' : check?.outcome === 'pass' ? 'pass' : 'neutral', check ? `${check.id}: ${check.reason}` : null);
      } else if (e.type === 'browser.submit' && 'decision' in e.fields) {
        if (stepConsent(step)?.id !== id) continue;
        const approve = values(e.fields.decision).includes('approve');
        const accounts = values(e.fields.account);
        at(approve ? `the customer allowed access${accounts.length ? ` to ${accounts.join(', ')}` : ''}` : 'the customer did not allow access', null, approve ? 'pass' : 'fail');
      } else if (e.type === 'authorization.response' && e.error && stepConsent(step)?.id === id) {
        at(`the app received ${e.error}`, null, 'fail', e.errorDescription);
      } else if (e.type === 'token.decoded' && e.role === 'access_token' && e.token?.claims[INTENT_CLAIM] === id) {
        if (step.exchanges.some((ex) => ex.received.includes(e))) at(`carried by the access token issued (${INTENT_CLAIM})`, null, 'pass');
      }
    }
  }
  return out;
}
