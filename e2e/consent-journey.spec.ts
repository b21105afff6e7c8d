// The consent journey with a real browser: the app (this test, in Node, with tpp-alpha's
// certificate) creates a consent and pushes the authorization request; Chromium opens the bank's
// sign-in page, signs in with the keyboard, ticks one account on the consent page and allows access;
// the app reads the code at its callback, redeems it with its certificate and reads transactions
// through the gateway with the certificate-bound token.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { test, expect } from './fixtures.ts';

// The sandbox CA is not in Chromium's trust store.
test.use({ ignoreHTTPSErrors: true });

test('a customer signs in, consents to one account, and the app reads its transactions with a bound token', async ({ page: bank, playwright, stack }) => {
  const { urls } = stack;
  const alpha = stack.certFiles('tpp-alpha');
  const app = await playwright.request.newContext({
    ignoreHTTPSErrors: true,
    clientCertificates: [{ origin: urls.idpMtls, ...alpha }, { origin: urls.gateway, ...alpha }],
  });
  const tokenEndpoint = `${urls.idpMtls}/token`;
  const cc = await (await app.post(tokenEndpoint, { form: { grant_type: 'client_credentials', client_id: 'tpp-alpha', scope: 'accounts' } })).json();
  const created = await app.post(`${urls.gateway}/open-banking/v3.1/aisp/account-access-consents`, {
    headers: { authorization: `Bearer ${cc.access_token}` },
    data: { Data: { Permissions: ['ReadAccountsDetail', 'ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits'] }, Risk: {} },
  });
  expect(created.status()).toBe(201);
  const consentId: string = (await created.json()).Data.ConsentId;

  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${urls.ui}/callback`;
  const pushed = await app.post(`${urls.idpMtls}/request`, {
    form: {
      client_id: 'tpp-alpha', response_type: 'code', scope: 'openid accounts', redirect_uri: redirectUri, state: 'e2e-state',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
      claims: JSON.stringify({ id_token: { openbanking_intent_id: { value: consentId, essential: true } } }),
    },
  });
  expect(pushed.status()).toBe(201);
  const { request_uri: requestUri } = await pushed.json();

  // The customer's browser, at the bank.
  mkdirSync('screenshots', { recursive: true });
  await bank.goto(`${urls.idp}/auth?client_id=tpp-alpha&request_uri=${encodeURIComponent(requestUri)}`);
  await expect(bank).toHaveTitle('Sign in – Sandbox Bank');
  await expect(bank.getByText('Alpha Payments', { exact: true })).toBeVisible();
  await expect(bank.getByRole('table')).toContainText('correct-horse');
  await bank.screenshot({ path: 'screenshots/consent-sign-in.png', fullPage: true });
  await expect(bank.getByLabel('Username')).toBeFocused();
  await bank.keyboard.type('demo');
  await bank.keyboard.press('Tab');
  await bank.keyboard.type('correct-horse');
  await bank.keyboard.press('Enter');

  await expect(bank).toHaveTitle('Share your account information – Sandbox Bank');
  await expect(bank.getByRole('heading', { level: 1 })).toHaveText('Share your account information with Alpha Payments');
  await expect(bank.getByText('Your sort code and account number')).toBeVisible();
  await expect(bank.getByText('Money in and money out')).toBeVisible();
  const everyday = bank.getByRole('checkbox', { name: /Everyday/ });
  await expect(bank.getByRole('checkbox', { name: /Rainy Day/ })).not.toBeChecked();
  await expect(everyday).not.toBeChecked();
  await everyday.check();
  await bank.screenshot({ path: 'screenshots/consent-page.png', fullPage: true });
  await bank.getByRole('button', { name: 'Allow access' }).click();

  await bank.waitForURL((u) => u.pathname === '/callback');
  await expect(bank.getByRole('heading', { level: 1 })).toHaveText('Authorization code received');
  const callback = new URL(bank.url());
  expect(callback.searchParams.get('state')).toBe('e2e-state');
  expect(callback.searchParams.get('iss')).toBe(urls.idp);
  const code = callback.searchParams.get('code');
  expect(code).toBeTruthy();

  const tokens = await app.post(tokenEndpoint, {
    form: { grant_type: 'authorization_code', client_id: 'tpp-alpha', code: code!, code_verifier: verifier, redirect_uri: redirectUri },
  });
  expect(tokens.status()).toBe(200);
  const { access_token: accessToken, token_type: tokenType } = await tokens.json();
  expect(tokenType).toBe('Bearer');
  const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
  expect(claims.openbanking_intent_id).toBe(consentId);
  expect(claims.cnf['x5t#S256']).toBeTruthy();

  const read = (path: string) => app.get(`${urls.gateway}/open-banking/v3.1/aisp${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
  const transactions = await read('/transactions');
  expect(transactions.status()).toBe(200);
  const rows: { AccountId: string }[] = (await transactions.json()).Data.Transaction;
  expect(rows.length).toBeGreaterThan(0);
  expect(new Set(rows.map((r) => r.AccountId))).toEqual(new Set(['acc-demo-current']));
  expect((await read('/accounts/acc-demo-savings/transactions')).status()).toBe(403);
  await app.dispose();
});

test('the consent journey run from the UI shows the browser steps of the authorize step', async ({ page }) => {
  const id = 'consent-journey-mtls';
  await page.goto(`/scenarios/${id}`);
  await page.getByRole('button', { name: /Run scenario/ }).click();
  const timeline = page.locator(`section.timeline[data-scenario="${id}"]`);
  await expect(timeline).toHaveAttribute('data-status', 'passed');
  const authorize = timeline.locator('details.step[data-step="2"]');
  await authorize.locator('summary').first().click();
  // Every request of the step is an exchange: the pushed request, then the browser's.
  await expect(authorize.locator('.exchange').first()).toContainText('/request');
  expect(await authorize.locator('.exchange').count()).toBeGreaterThanOrEqual(6);
  // The browser's story, in order, with labels.
  const story = authorize.locator('ul.generic-events > li');
  await expect(story.filter({ hasText: 'tpp-alpha pushes its authorization request' })).toHaveCount(1);
  await expect(story.filter({ hasText: 'the bank\'s sign-in page' })).toHaveCount(1);
  await expect(story.filter({ hasText: 'demo signs in' })).toHaveCount(1);
  await expect(story.filter({ hasText: 'the bank\'s consent page' })).toHaveCount(1);
  await expect(story.filter({ hasText: 'demo allows access to acc-demo-current' })).toHaveCount(1);
  await expect(story.filter({ hasText: 'tpp-alpha receives an authorization code' })).toHaveCount(1);
  await authorize.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'screenshots/consent-run-authorize-step.png', fullPage: true });
});
