// The run view of the consent journey: the customer's browser has its own lane, the bank's pages are
// shown as what they are (sign-in, consent with the ticked account), what the customer did (password
// masked), the authorization response (state, iss), PKCE as a computed equality and the consent from
// the pushed request to the token's claim. A refused PKCE verifier shows ≠; a failure against an
// external target explains itself and says what is not observable. Screenshots at laptop and
// projector sizes, with no horizontal overflow and no tiny text.
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { screenshot, screenshotViewport } from './helpers.ts';
import { audit, blocking } from './axe.ts';

async function runToEnd(request: APIRequestContext, scenarios: string[], target?: string): Promise<string> {
  const started = await request.post('/api/runs', { data: { scenarios, ...(target ? { target } : {}) } });
  expect(started.status()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 20_000 }).not.toBe('running');
  return runId;
}

/** The smallest font size of visible text in the run view, and whether the page scrolls sideways. */
async function layoutFacts(page: Page): Promise<{ overflow: number; smallest: number; where: string }> {
  return page.evaluate(() => {
    let smallest = Infinity;
    let where = '';
    for (const el of document.querySelectorAll<HTMLElement | SVGElement>('main *')) {
      if (!(el instanceof SVGTextElement) && ![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())) continue;
      const box = el.getBoundingClientRect();
      // Decorative glyphs (chevrons, marks) are aria-hidden: not text anyone reads.
      if (!box.width || !box.height || el.closest('.visually-hidden, [aria-hidden="true"], details:not([open]) > :not(summary)')) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < smallest) [smallest, where] = [size, `${el.tagName.toLowerCase()}.${String(el.getAttribute('class') ?? '')}`];
    }
    return { overflow: document.documentElement.scrollWidth - window.innerWidth, smallest, where };
  });
}

test('the consent journey in the run view: browser lane, bank pages, user actions, authorization response, PKCE, consent', async ({ page, request }) => {
  const runId = await runToEnd(request, ['consent-journey-mtls']);
  await page.goto(`/runs/${runId}`);
  const timeline = page.locator('section.timeline[data-scenario="consent-journey-mtls"]');
  await expect(timeline).toHaveAttribute('data-status', 'passed');

  // A lane for the customer's browser, and the browser's requests drawn from it (the diagram in words).
  await expect(timeline.locator('.lane-names [data-lane="browser"]')).toHaveText(/Browser \(PSU\)/);
  const words = timeline.locator('details.seq-text');
  await words.locator('summary').click();
  await expect(words).toContainText('Client → Identity provider: POST');
  await expect(words).toContainText(/Browser \(PSU\) → Identity provider: GET https:\/\/localhost:\d+\/auth\?client_id=tpp-alpha/);
  await expect(words).toContainText('Browser (PSU) hands the authorization response (code, state, iss) to the Client');

  const authorize = timeline.locator('details.step[data-step="2"]');
  await authorize.locator('summary').first().click();
  // The bank's sign-in page and what the customer did: signed in as demo, the password never shown.
  await expect(authorize.locator('[data-card="page"][data-page="sign-in"]')).toContainText('Alpha Payments wants to connect');
  const signIn = authorize.locator('[data-card="user-action"]').first();
  await expect(signIn).toContainText('demo signs in');
  await expect(signIn.locator('[data-field="password"]')).toContainText('••••••••');
  await expect(signIn).not.toContainText('correct-horse');
  await expect(authorize.locator('[data-hop="POST"]').first()).not.toContainText('correct-horse');

  // The consent page: who asks, what in plain words, the accounts with the one ticked, the button pressed.
  const consentPage = authorize.locator('[data-card="page"][data-page="consent"]');
  await expect(consentPage.locator('[data-page-heading]')).toHaveText('Share your account information with Alpha Payments');
  await expect(consentPage.locator('[data-permissions]').first()).toContainText('Your sort code and account number');
  await expect(consentPage.locator('[data-account="acc-demo-current"]')).toHaveAttribute('data-picked', 'true');
  await expect(consentPage.locator('[data-account="acc-demo-savings"]')).toHaveAttribute('data-picked', 'false');
  await expect(consentPage.locator('[data-pressed="true"]')).toHaveText(/Allow access/);
  await expect(consentPage).toContainText('Access ends');
  await expect(authorize.locator('[data-card="user-action"]').nth(1)).toContainText('demo allows access to acc-demo-current');

  // The authorization response: a code, state = the one sent, iss = the issuer (RFC 9207).
  const response = authorize.locator('[data-card="authorization-response"]');
  for (const fact of ['code', 'state', 'iss']) await expect(response.locator(`[data-response="${fact}"]`)).toHaveAttribute('data-outcome', 'pass');
  await expect(response).toContainText('RFC 9207');
  // The consent: created AwaitingAuthorisation, named in the PAR, later read back Authorised.
  const consent = authorize.locator('[data-card="consent"]');
  await expect(consent.locator('[data-consent-status="AwaitingAuthorisation"]')).toBeVisible();
  await expect(consent.locator('[data-consent-status="Authorised"]')).toBeVisible();
  const consentId = await consent.getAttribute('data-consent');
  await expect(authorize.locator('[data-card="par"] [data-consent-id]')).toHaveText(consentId!);
  await screenshot(page, 'consent-run-authorize-step');

  // The code exchange: S256(verifier) = the pushed challenge, and the token names the consent.
  const exchange = timeline.locator('details.step[data-step="3"]');
  await exchange.locator('summary').first().click();
  const pkce = exchange.locator('[data-card="pkce"] [data-pkce]');
  await expect(pkce).toHaveAttribute('data-pkce', 'equal');
  await expect(pkce.getByRole('img', { name: 'equal' })).toBeVisible();
  expect(await pkce.locator('[data-value="challenge"]').textContent()).toBe(await pkce.locator('[data-value="computed"]').textContent());
  const intent = exchange.locator('[data-card="consent"] [data-intent]');
  await expect(intent).toHaveAttribute('data-intent', 'equal');
  await expect(intent.locator('[data-value="claim"]')).toHaveText(consentId!);

  // Laptop and projector: no sideways scrolling, no text smaller than 11 px.
  for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
    await page.setViewportSize({ width, height });
    const facts = await layoutFacts(page);
    expect(facts.overflow, `horizontal overflow at ${width}×${height}`).toBeLessThanOrEqual(0);
    expect(facts.smallest, `smallest text at ${width}×${height}: ${facts.where}`).toBeGreaterThanOrEqual(11);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshotViewport(page, `run-view-consent-${width}x${height}-top`);
    await authorize.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 70));
    await screenshotViewport(page, `run-view-consent-${width}x${height}-authorize`);
    await consentPage.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 70));
    await screenshotViewport(page, `run-view-consent-${width}x${height}-consent-page`);
  }
});

test('a code redeemed with another verifier: the refused step shows S256(verifier) ≠ challenge', async ({ page, request }) => {
  const runId = await runToEnd(request, ['consent-pkce-verifier-mismatch']);
  await page.goto(`/runs/${runId}`);
  const timeline = page.locator('section.timeline[data-scenario="consent-pkce-verifier-mismatch"]');
  await expect(timeline).toHaveAttribute('data-status', 'passed');
  const refused = timeline.locator('details.step[data-step="5"]');
  await expect(refused.locator('[data-refused-by="idp.grant"]')).toBeVisible();
  // The refused step opened by itself.
  const pkce = refused.locator('[data-card="pkce"] [data-pkce]');
  await expect(pkce).toHaveAttribute('data-pkce', 'differ');
  await expect(pkce.getByRole('img', { name: 'not equal' })).toBeVisible();
  await expect(refused.locator('[data-card="pkce"]')).toContainText('code_verifier does not match code_challenge');
  await expect(refused.locator('[data-check="idp.grant"]')).toHaveAttribute('data-outcome', 'fail');
  // The app's own verifier (the next step) is equal.
  const redeemed = timeline.locator('details.step[data-step="6"]');
  await redeemed.locator('summary').first().click();
  await expect(redeemed.locator('[data-card="pkce"] [data-pkce]')).toHaveAttribute('data-pkce', 'equal');
});

test('a failure against an external target says what went wrong, how to fix it, and what is not observable', async ({ page, request, stack }) => {
  // The sandbox's own gateway, reached by URL (so external: its decisions are not joined), on its
  // bearer route, which checks no binding: the stolen-token replay gets through.
  const name = `leaky-${Date.now().toString(36)}`;
  const added = await request.post('/api/targets', {
    data: { yaml: `name: ${name}\nauthorizationServer: bundled\nresourceServer:\n  baseUrl: ${stack.urls.gateway}\n  routes: { fapi: /bearer/open-banking/v3.1/aisp }\nsenderConstraint: mtls\n` },
  });
  expect(added.status()).toBe(201);
  const { id } = (await added.json()) as { id: string };
  const runId = await runToEnd(request, ['mtls-stolen-token-other-certificate'], id);

  await page.goto(`/runs/${runId}`);
  const timeline = page.locator('section.timeline[data-scenario="mtls-stolen-token-other-certificate"]');
  await expect(timeline).toHaveAttribute('data-status', 'failed');
  const failure = timeline.locator('[data-failure-explanation]');
  await expect(failure.locator('[data-failure-what]')).toContainText('expected 401 invalid_token');
  await expect(failure.locator('[data-failure-what]')).toContainText('The gateway let the attack through');
  await expect(failure.locator('[data-failure-fix]')).toContainText('Hash the DER of the certificate');
  await expect(failure).toContainText('not observable');
  await expect(failure.getByRole('link', { name: /step 2/ })).toBeVisible();
  // The failed step opened by itself; its checks card says they cannot be seen, and what was judged instead.
  const step = timeline.locator('details.step[data-step="1"]');
  const checks = step.locator('[data-card="checks"][data-unobservable]');
  await expect(checks).toContainText('Server checks: not observable');
  await expect(checks.locator('[data-check="mtls.cnf-thumbprint-match"]')).toContainText('expected fail');
  await expect(step.locator('[data-card="token"] [data-binding]').first()).toHaveAttribute('data-binding', 'differ');
  await screenshot(page, 'run-view-external-failure');
  const found = await audit(page, 'failed run view');

  // The run history says why in one line, all of it on expand.
  await page.goto('/runs');
  const why = page.locator(`[data-run-row="${runId}"] [data-why-failed]`);
  await expect(why).toContainText('let the attack through');
  await why.locator('summary').click();
  await expect(why).toContainText('Fix:');
  await screenshot(page, 'runs-with-failure');
  found.push(...(await audit(page, 'runs, a failure expanded')));
  expect(blocking(found)).toEqual([]);
  expect((await request.delete(`/api/targets/${id}`, { headers: { 'content-type': 'application/json' }, data: {} })).status()).toBe(204);
});
