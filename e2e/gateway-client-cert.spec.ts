// A direct browser call to the gateway with Playwright's client-certificate option: the legitimate
// certificate gets the accounts; the same token replayed with the attacker's certificate gets 401.
import { test, expect } from './fixtures.ts';

test('Chromium calls the gateway with a client certificate: the bound token works for Alpha and fails for Mallory', async ({ browser, playwright, stack }) => {
  const alpha = stack.certFiles('tpp-alpha');
  const idp = await playwright.request.newContext({ ignoreHTTPSErrors: true, clientCertificates: [{ origin: stack.urls.idpMtls, ...alpha }] });
  const tokenResponse = await idp.post(`${stack.urls.idpMtls}/token`, { form: { grant_type: 'client_credentials', client_id: 'tpp-alpha', scope: 'accounts' } });
  expect(tokenResponse.status()).toBe(200);
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  await idp.dispose();

  const url = `${stack.urls.gateway}/open-banking/v3.1/aisp/accounts`;
  const asAlpha = await browser.newContext({ ignoreHTTPSErrors: true, clientCertificates: [{ origin: stack.urls.gateway, ...alpha }], extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const page = await asAlpha.newPage();
  const ok = await page.goto(url);
  expect(ok?.status()).toBe(200);
  expect(((await ok!.json()) as { Data: { Account: unknown[] } }).Data.Account.length).toBeGreaterThan(0);
  await asAlpha.close();

  const asMallory = await browser.newContext({ ignoreHTTPSErrors: true, clientCertificates: [{ origin: stack.urls.gateway, ...stack.certFiles('mallory') }], extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const replay = await (await asMallory.newPage()).goto(url);
  expect(replay?.status()).toBe(401);
  expect(replay!.headers()['www-authenticate']).toMatch(/error="invalid_token", error_description="mtls\.cnf-thumbprint-match: /);
  await asMallory.close();
});
