// The signature card in the run view: a payment request signed with Mallory's key under Alpha's kid
// shows the detached JWS header (kid, the critical OB claims), the deliberate mutation, and the bank's
// UK.OBIE.Signature.Invalid with the check that refused it; a body changed after signing shows that the
// bytes sent are not the bytes signed. The payment journey shows its signed request object, the signed
// response (JARM) and the payment on the bank page miniature. Axe finds nothing serious on the page.
import type { APIRequestContext } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { screenshot } from './helpers.ts';
import { audit, blocking } from './axe.ts';

async function runToEnd(request: APIRequestContext, scenarios: string[]): Promise<string> {
  const started = await request.post('/api/runs', { data: { scenarios } });
  expect(started.status()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 30_000 }).not.toBe('running');
  return runId;
}

test('the signature card: header, mutation, the bank\'s refusal and the check; signed bytes against sent bytes', async ({ page, request }) => {
  const runId = await runToEnd(request, ['payment-signature-mallory-key', 'payment-signature-body-tampered']);
  await page.goto(`/runs/${runId}`);
  const mallory = page.locator('section.timeline[data-scenario="payment-signature-mallory-key"]');
  await expect(mallory).toHaveAttribute('data-status', 'passed');
  const forged = mallory.locator('details.step[data-step="1"]');
  await forged.locator('summary').first().click();
  const card = forged.locator('[data-card="signature"]');
  await expect(card).toContainText('http://openbanking.org.uk/iat');
  await expect(card).toContainText('kid and iss of tpp-alpha-signing, signed with the key of mallory-signing');
  await expect(card).toContainText('UK.OBIE.Signature.Invalid');
  await expect(card).toContainText('jws.signature');

  const tampered = page.locator('section.timeline[data-scenario="payment-signature-body-tampered"]');
  const step = tampered.locator('details.step[data-step="1"]');
  await step.locator('summary').first().click();
  await expect(step.locator('[data-card="signature"]')).toContainText('not the bytes that were signed');
  await screenshot(page, 'payment-signature-card');
  expect(blocking(await audit(page, 'payment-signature-card'))).toEqual([]);
});

test('the payment journey: the signed request object in the PAR token card, the signed response (JARM) in the response card; the bank page miniature shows amount, payee and reference', async ({ page, request }) => {
  const runId = await runToEnd(request, ['payment-journey-mtls']);
  await page.goto(`/runs/${runId}`);
  const journey = page.locator('section.timeline[data-scenario="payment-journey-mtls"]');
  await expect(journey).toHaveAttribute('data-status', 'passed');
  const authorize = journey.locator('details.step[data-step="2"]');
  await authorize.locator('summary').first().click();
  await expect(authorize.locator('[data-card="token"]').first()).toContainText('request object of tpp-alpha, signed by tpp-alpha');
  await expect(authorize.locator('[data-card="authorization-response"] [data-jarm="PS256"]')).toHaveCount(1);
  const consentPage = authorize.locator('[data-card="page"]').filter({ hasText: 'Pay £12.50 to Bob Jones' });
  for (const fact of ['£12.50', 'Bob Jones', 'LUNCH']) await expect(consentPage).toContainText(fact);
  await expect(authorize.locator('[data-card="par"]')).toContainText('authorization_details of type openbanking_domestic_payment');
  await screenshot(page, 'payment-journey-run-view');
  expect(blocking(await audit(page, 'payment-journey-run-view'))).toEqual([]);
});
