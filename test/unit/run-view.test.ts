// The run view's pure parts (app/_lib): short arrow labels, the lanes (the customer's browser only
// when a step plays it), who sent a request (recorded, or the engine browser's User-Agent in older
// runs), the arrows of an authorize step with the hand-off to the app, the bank pages as miniatures
// (ticked accounts, pressed button, masked password), the consent's story across steps, and failure
// explanations taken apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision } from '../../lib/trace/decision.ts';
import type { TraceEvent, TraceEventBody, TraceEventOf } from '../../lib/trace/events.ts';
import { buildTimeline, senderOf } from '../../lib/trace/timeline.ts';
import { actorsOf, arrowLines, describeArrows, laneLayout, laneX, planArrows, shortPath, usesBrowser } from '../../app/_lib/lanes.ts';
import { consentNamed, consentStory, journeyItems, pageModel } from '../../app/_lib/journey.ts';
import { explanationParts } from '../../app/_lib/explain.ts';

const IDP = 'https://bank.test';
const CONSENT = 'aac-3e4343d2-906e-4fde-b7c6-92786274348b';
const UID = 'oeJJk96ZlxwJIrjoT170KQqf6E8GQSD3y4Noz-Z9CvN';

let seq = 0;
const ev = (body: TraceEventBody, stepId: string | null) => ({ runId: 'r', seq: seq++, at: '2026-01-01T00:00:00.000Z', scenarioRunId: 'r-0', stepId, ...body }) as TraceEvent;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

function http(method: string, url: string, status: number, opts: { sender?: 'client' | 'browser'; location?: string; body?: string; reqBody?: string; ua?: boolean; auth?: string } = {}): TraceEventBody {
  return {
    type: 'http.exchange', interactionId: null,
    request: { method, url, headers: { ...(opts.ua ? { 'user-agent': 'fapi-sandbox-engine' } : {}), ...(opts.auth ? { authorization: opts.auth } : {}) }, ...(opts.reqBody ? { body: opts.reqBody } : {}) },
    response: { status, headers: opts.location ? { location: opts.location } : {}, body: opts.body ?? '' }, error: null, durationMs: 1,
    ...(opts.sender ? { sender: opts.sender } : {}),
  };
}

const parDecision: Decision = {
  interactionId: 'i', source: 'idp', at: '', request: { method: 'POST', url: `${IDP}/request`, route: 'pushed_authorization_request' }, tls: null, durationMs: 1,
  checks: [{ id: 'idp.consent-intent', outcome: 'pass', reason: 'awaits authorisation by the customer' }], response: { status: 201 },
};

const signInPage: TraceEventBody = {
  type: 'browser.page', label: 'the bank\'s sign-in page', url: `${IDP}/interaction/${UID}`, status: 200, title: 'Sign in – Bank', alert: null,
  content: [{ tag: 'h1', text: 'Sign in to continue' }, { tag: 'h2', text: 'Test customers' }],
  forms: [{ action: `/interaction/${UID}/login`, method: 'POST', fields: [{ name: 'csrf', type: 'hidden', value: 'x' }, { name: 'username', type: 'text', value: '', label: 'Username' }, { name: 'password', type: 'password', value: '', label: 'Password' }], buttons: [{ name: '', value: '', text: 'Sign in' }] },
    { action: `/interaction/${UID}/cancel`, method: 'POST', fields: [], buttons: [{ name: '', value: '', text: 'Cancel' }] }],
};
const consentPage: TraceEventBody = {
  type: 'browser.page', label: 'the bank\'s consent page', url: `${IDP}/interaction/${UID}2`, status: 200, title: 'Share – Bank', alert: null,
  content: [{ tag: 'h1', text: 'Share with Alpha Payments' }, { tag: 'p', text: 'Check what will be shared.' }, { tag: 'h2', text: 'Your account details' }, { tag: 'li', text: 'Your balances' }, { tag: 'dt', text: 'Access ends' }, { tag: 'dd', text: 'Never' }],
  forms: [{ action: `/interaction/${UID}2/consent`, method: 'POST', fields: [{ name: 'account', type: 'checkbox', value: 'acc-1', checked: false, label: 'Everyday' }, { name: 'account', type: 'checkbox', value: 'acc-2', checked: false, label: 'Savings' }],
    buttons: [{ name: 'decision', value: 'approve', text: 'Allow access' }, { name: 'decision', value: 'reject', text: 'Don\'t allow' }] }],
};

function journey(): TraceEvent[] {
  seq = 0;
  const [s0, s1, s2] = ['r-0-0', 'r-0-1', 'r-0-2'];
  const token = `${b64({ alg: 'PS256' })}.${b64({ jti: 'j', openbanking_intent_id: CONSENT })}.sig`;
  return [
    ev({ type: 'run.started', target: 'bundled', scenarios: [{ id: 'j', title: 'Journey', scenarioRunId: 'r-0' }] }, null),
    ev({ type: 'step.started', index: 0, name: 'create', kind: 'call', actor: 'alpha' }, s0),
    ev(http('POST', 'https://gw.test/open-banking/v3.1/aisp/account-access-consents', 201, { body: JSON.stringify({ Data: { ConsentId: CONSENT, Status: 'AwaitingAuthorisation', Permissions: ['ReadBalances'] } }) }), s0),
    ev({ type: 'step.finished', index: 0, status: 'passed', durationMs: 1 }, s0),
    ev({ type: 'step.started', index: 1, name: 'authorize', kind: 'authorize', actor: 'alpha' }, s1),
    ev({
      type: 'authorization.request', label: 'tpp-alpha pushes', endpoint: `${IDP}/request`,
      parameters: { client_id: 'tpp-alpha', state: 'st', claims: JSON.stringify({ id_token: { openbanking_intent_id: { value: CONSENT, essential: true } } }) },
      pkce: { method: 'S256', challenge: 'CH', verifier: 'V' },
    }, s1),
    ev(http('POST', `${IDP}/request`, 201, { sender: 'client', body: '{"request_uri":"urn:x","expires_in":60}' }), s1),
    ev({ type: 'server.decision', decision: parDecision }, s1),
    ev(http('GET', `${IDP}/auth?client_id=tpp-alpha&request_uri=urn:x`, 303, { sender: 'browser', location: `/interaction/${UID}` }), s1),
    ev(http('GET', `${IDP}/interaction/${UID}`, 200, { sender: 'browser' }), s1),
    ev(signInPage, s1),
    ev({ type: 'browser.submit', label: 'demo signs in', url: `${IDP}/interaction/${UID}/login`, fields: { username: 'demo', password: '••••••••' } }, s1),
    // Recorded before http.exchange said who sent it: the engine browser's User-Agent tells.
    ev(http('POST', `${IDP}/interaction/${UID}/login`, 303, { ua: true, location: `/interaction/${UID}2` }), s1),
    ev(http('GET', `${IDP}/interaction/${UID}2`, 200, { sender: 'browser' }), s1),
    ev(consentPage, s1),
    ev({ type: 'browser.submit', label: 'demo allows access to acc-2', url: `${IDP}/interaction/${UID}2/consent`, fields: { account: 'acc-2', decision: 'approve' } }, s1),
    ev(http('POST', `${IDP}/interaction/${UID}2/consent`, 303, { sender: 'browser', location: 'https://app.test/cb?code=c&state=st&iss=x' }), s1),
    ev({ type: 'authorization.response', label: 'code', redirectUri: 'https://app.test/cb?code=c&state=st&iss=x', code: 'c', state: 'st', stateMatches: true, iss: IDP, issMatches: true, error: null, errorDescription: null }, s1),
    ev({ type: 'step.finished', index: 1, status: 'passed', durationMs: 1 }, s1),
    ev({ type: 'step.started', index: 2, name: 'exchange', kind: 'token', actor: 'alpha' }, s2),
    ev({ type: 'pkce.verifier', label: 'the verifier', method: 'S256', challenge: 'CH', verifier: 'V', computed: 'CH' }, s2),
    ev(http('POST', `${IDP}/token`, 200, { sender: 'client' }), s2),
    ev({ type: 'token.decoded', label: 'at', role: 'access_token', format: 'jwt', token: { header: { alg: 'PS256' }, claims: { jti: 'j', openbanking_intent_id: CONSENT } } }, s2),
    ev({ type: 'step.finished', index: 2, status: 'passed', durationMs: 1 }, s2),
    ev(http('GET', 'https://gw.test/open-banking/v3.1/aisp/accounts', 403, { sender: 'client', auth: `Bearer ${token}`, body: '{"Errors":[{"ErrorCode":"UK.OBIE.Resource.InvalidConsentStatus"}]}' }), s2),
  ];
}

test('arrow labels: identifiers become {uid} / {id}, the Open Banking prefix and the query go, long paths keep their end', () => {
  assert.equal(shortPath(`${IDP}/auth?client_id=a&request_uri=urn:x`), '/auth');
  assert.equal(shortPath(`${IDP}/interaction/${UID}/login`), '/interaction/{uid}/login');
  assert.equal(shortPath(`${IDP}/auth/${UID}`), '/auth/{uid}');
  assert.equal(shortPath(`https://gw.test/open-banking/v3.1/aisp/account-access-consents/${CONSENT}`), '…/account-access-consents/{id}');
  assert.equal(shortPath('https://gw.test/open-banking/v3.1/aisp/accounts/acc-demo-current/transactions'), '…/acc-demo-current/transactions');
  assert.equal(shortPath('https://gw.test/mtls/open-banking/v3.1/aisp/accounts'), '…/accounts');
  assert.equal(shortPath(`${IDP}/token`), '/token');
});

test('lanes: the browser lane only when a step plays the browser; lanes spread evenly', () => {
  assert.deepEqual(laneLayout(false).lanes.map((l) => [l.id, l.x]), [['client', 12.5], ['gateway', 37.5], ['idp', 62.5], ['api', 87.5]]);
  assert.deepEqual(laneLayout(true).lanes.map((l) => [l.id, l.x]), [['browser', 10], ['client', 30], ['gateway', 50], ['idp', 70], ['api', 90]]);
  assert.equal(laneLayout(false).x.browser, 12.5, 'a browser arrow in a four-lane diagram would start at the client');
  const run = buildTimeline(journey());
  assert.equal(usesBrowser(run.scenarios[0]!), true);
  assert.equal(usesBrowser({ ...run.scenarios[0]!, steps: [run.scenarios[0]!.steps[0]!] }), false);
});

test('who sent a request: as recorded, else the engine browser\'s User-Agent (older runs), else the client', () => {
  const http1 = (extra: object) => ({ ...http('GET', IDP, 200), ...extra }) as TraceEventOf<'http.exchange'>;
  assert.equal(senderOf(http1({ sender: 'browser' })), 'browser');
  assert.equal(senderOf(http1({ sender: 'client', request: { method: 'GET', url: IDP, headers: { 'user-agent': 'fapi-sandbox-engine' } } })), 'client');
  assert.equal(senderOf(http1({ request: { method: 'GET', url: IDP, headers: { 'user-agent': 'fapi-sandbox-engine' } } })), 'browser');
  assert.equal(senderOf(http1({})), 'client');
});

test('an authorize step\'s arrows: the app\'s PAR, the browser\'s hops with where they lead and the page they show, the hand-off', () => {
  const run = buildTimeline(journey());
  const step = run.scenarios[0]!.steps[1]!;
  const arrows = planArrows(step, null);
  assert.deepEqual(arrows.map((a) => `${a.from}>${a.to} ${a.label}${a.kind === 'request' && a.responseNote ? ` | ${a.status} ${a.responseNote}` : ''}`), [
    'actor:alpha>idp POST /request',
    'browser>idp GET /auth | 303 → /interaction/{uid}',
    'browser>idp GET /interaction/{uid} | 200 Sign in',
    'browser>idp POST /interaction/{uid}/login | 303 → /interaction/{uid}',
    'browser>idp GET /interaction/{uid} | 200 Share',
    'browser>idp POST /interaction/{uid}/consent | 303 → /cb',
    'browser>actor:alpha code, state, iss',
  ]);
  const words = describeArrows(arrows, laneLayout(true));
  assert.match(words[1]!, /^Browser \(PSU\) → Identity provider: GET https:\/\/bank\.test\/auth\?client_id=tpp-alpha/);
  assert.match(words.at(-1)!, /hands the authorization response \(code, state, iss\) to the Client/);
});

test('journey items keep the order things happened, the browser\'s requests grouped between pages', () => {
  const step = buildTimeline(journey()).scenarios[0]!.steps[1]!;
  assert.deepEqual(journeyItems(step).map((i) => (i.kind === 'hops' ? `hops×${i.exchanges.length}` : i.kind)), ['request', 'exchange', 'hops×2', 'page', 'submit', 'hops×2', 'page', 'submit', 'hops×1', 'response']);
});

test('a bank page in miniature: what was typed (password masked), the ticked account, the pressed button; empty headings dropped', () => {
  const events = journey();
  const page = (title: string) => events.find((e): e is TraceEventOf<'browser.page'> => e.type === 'browser.page' && e.title.startsWith(title))!;
  const submit = (label: string) => events.find((e): e is TraceEventOf<'browser.submit'> => e.type === 'browser.submit' && e.label.startsWith(label))!;
  const signIn = pageModel(page('Sign in'), submit('demo signs in'));
  assert.equal(signIn.heading, 'Sign in to continue');
  assert.deepEqual(signIn.sections, [], 'a heading with nothing under it says nothing');
  assert.deepEqual(signIn.inputs, [{ label: 'Username', type: 'text', value: 'demo' }, { label: 'Password', type: 'password', value: '••••••••' }]);
  assert.deepEqual(signIn.buttons, [{ text: 'Sign in', pressed: true }, { text: 'Cancel', pressed: false }]);
  const consent = pageModel(page('Share'), submit('demo allows'));
  assert.deepEqual(consent.sections, [{ heading: 'Your account details', items: ['Your balances'] }]);
  assert.deepEqual(consent.paragraphs, ['Check what will be shared.']);
  assert.deepEqual(consent.facts, [{ term: 'Access ends', value: 'Never' }]);
  assert.deepEqual(consent.choices.map((c) => [c.value, c.picked]), [['acc-1', false], ['acc-2', true]]);
  assert.deepEqual(consent.buttons.map((b) => [b.text, b.pressed]), [['Allow access', true], ['Don\'t allow', false]]);
  assert.deepEqual(pageModel({ ...page('Share'), content: undefined }, null).sections, [], 'older runs have no page text');
});

test('the consent named in a request, the OBIE way or the RFC 9396 way; anything else is none', () => {
  assert.equal(consentNamed({ claims: JSON.stringify({ userinfo: { openbanking_intent_id: { value: 'c1' } } }) })?.id, 'c1');
  assert.equal(consentNamed({ authorization_details: JSON.stringify([{ type: 'other' }, { type: 'openbanking_account_access', consentId: 'c2' }]) })?.short, 'authorization_details');
  assert.match(consentNamed({ authorization_details: JSON.stringify([{ type: 'openbanking_domestic_payment', consentId: 'pdc-1' }]) })?.via ?? '', /openbanking_domestic_payment/);
  assert.equal(consentNamed({ claims: '{not json' }), null);
  assert.equal(consentNamed({ scope: 'accounts' }), null);
});

test('the consent\'s story across the scenario: created, named and checked, allowed, in the token, a refused call', () => {
  const run = buildTimeline(journey());
  const story = consentStory(run.scenarios[0]!.steps, CONSENT);
  assert.deepEqual(story.map((m) => [m.stepIndex, m.tone, m.status, m.text]), [
    [0, 'neutral', 'AwaitingAuthorisation', 'created by the app'],
    [1, 'pass', null, 'named in the pushed authorization request (openbanking_intent_id claim)'],
    [1, 'pass', null, 'the customer allowed access to acc-2'],
    [2, 'pass', null, 'carried by the access token issued (openbanking_intent_id)'],
    [2, 'fail', null, 'a call with its token was refused: HTTP 403'],
  ]);
  assert.equal(story[0]!.detail, 'Permissions: ReadBalances');
  assert.equal(story[4]!.detail, 'UK.OBIE.Resource.InvalidConsentStatus');
  assert.deepEqual(consentStory(run.scenarios[0]!.steps, 'aac-other'), []);
});

test('failure explanations come apart into step, what went wrong and the fix', () => {
  const title = 'Stolen token';
  assert.deepEqual(explanationParts(`${title}: step 2 "Mallory replays": expected 401, got 200. The gateway let the attack through. Fix: compare cnf.`, title), {
    step: 2, stepName: 'Mallory replays', what: 'expected 401, got 200. The gateway let the attack through.', fix: 'compare cnf.',
  });
  assert.deepEqual(explanationParts(`${title}: step 1 "x" could not run: unknown-actor: carol`, title), { step: 1, stepName: 'x', what: 'could not run: unknown-actor: carol', fix: null });
  assert.deepEqual(explanationParts('expected status 401, got 200', title), { step: null, stepName: null, what: 'expected status 401, got 200', fix: null });
});

test('two actors get a lane each; a token sent by another actor than the one it was issued to is drawn as a theft', () => {
  seq = 0;
  const token = `${b64({ alg: 'PS256' })}.${b64({ jti: 'stolen-jti', cnf: { 'x5t#S256': 'T' } })}.sig`;
  const run = buildTimeline([
    ev({ type: 'run.started', target: 'bundled', scenarios: [{ id: 's', title: 'Stolen', scenarioRunId: 'r-0' }] }, null),
    ev({ type: 'step.started', index: 0, name: 'Alpha gets a token', kind: 'token', actor: 'alpha' }, 's0'),
    ev(http('POST', `${IDP}/token`, 200), 's0'),
    ev({ type: 'token.decoded', label: 'alpha_token', role: 'access_token', format: 'jwt', token: { header: { alg: 'PS256' }, claims: { jti: 'stolen-jti' } } }, 's0'),
    ev({ type: 'step.finished', index: 0, status: 'passed', durationMs: 1 }, 's0'),
    ev({ type: 'step.started', index: 1, name: 'Mallory replays it', kind: 'call', actor: 'mallory' }, 's1'),
    ev(http('GET', 'https://gw.test/open-banking/v3.1/aisp/accounts', 401, { auth: `Bearer ${token}` }), 's1'),
    ev({ type: 'step.finished', index: 1, status: 'passed', durationMs: 1 }, 's1'),
  ]);
  const scenario = run.scenarios[0]!;
  const layout = laneLayout(false, actorsOf(scenario));
  assert.deepEqual(layout.lanes.map((l) => l.label), ['Alpha', 'Mallory', 'Gateway', 'Identity provider', 'API']);
  assert.equal(laneX(layout, 'client'), laneX(layout, 'actor:alpha'), 'the plain client lane sits on the first actor\'s');
  const [theft, replay] = planArrows(scenario.steps[1]!, null, scenario.steps);
  assert.deepEqual([theft?.kind, theft?.from, theft?.to, replay?.from], ['theft', 'actor:alpha', 'actor:mallory', 'actor:mallory']);
  assert.equal(describeArrows([theft!], layout)[0], 'Mallory takes the access token issued to Alpha in step 1');
  assert.deepEqual(arrowLines(planArrows(scenario.steps[1]!, null, scenario.steps), layout, 'mallory').map((l) => `${l.from} → ${l.to} ${l.text}`),
    ['Alpha → Mallory token stolen (issued in step 1)', 'Mallory → Gateway GET …/accounts', 'Gateway → Mallory 401']);
  assert.equal(planArrows(scenario.steps[0]!, null, scenario.steps)[0]?.kind, 'request', 'no theft where the token was issued');
  assert.deepEqual(laneLayout(false, ['alpha']).lanes.map((l) => l.id), ['client', 'gateway', 'idp', 'api'], 'one actor: one client lane');
});
