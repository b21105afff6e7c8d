// The PKI page: certificate details, PEM downloads, and minting a certificate with a chosen flaw.
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.ts';
import { screenshot, thumbprintOf } from './helpers.ts';

test('the PKI page lists every certificate and a download returns a PEM', async ({ page, stack }) => {
  await page.goto('/pki');
  const alpha = page.locator('[data-pki-cert="tpp-alpha"]');
  await expect(alpha).toContainText(thumbprintOf(stack, 'tpp-alpha'));
  await expect(alpha).toContainText('registered client tpp-alpha');
  await expect(page.locator('[data-pki-cert="alpha-expired"]')).toContainText('EXPIRED');
  await expect(page.locator('[data-pki-cert="alpha-revoked"]')).toContainText('REVOKED');
  // Client keys are downloadable; the CAs' and the server's are never offered (nor served).
  await expect(alpha.locator('[data-download="key"]')).toHaveCount(1);
  for (const name of ['root-ca', 'issuing-ca', 'server']) await expect(page.locator(`[data-pki-cert="${name}"] [data-download="key"]`)).toHaveCount(0);

  const [download] = await Promise.all([page.waitForEvent('download'), alpha.locator('[data-download="cert"]').click()]);
  expect(download.suggestedFilename()).toBe('tpp-alpha.cert.pem');
  const pem = readFileSync((await download.path())!, 'utf8');
  expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  await screenshot(page, 'pki');
});

test('minting a certificate with a flaw adds it to the page, downloadable, and it fails at the gateway in the Playground', async ({ page }) => {
  await page.goto('/pki');
  await page.getByLabel('Name', { exact: true }).fill('e2e-expired');
  await page.getByLabel('Flaw', { exact: true }).selectOption('expired');
  await page.getByRole('button', { name: 'Mint certificate' }).click();
  const minted = page.locator('[data-pki-cert="e2e-expired"]');
  await expect(minted).toContainText('EXPIRED');
  const [key] = await Promise.all([page.waitForEvent('download'), minted.locator('[data-download="key"]').click()]);
  expect(readFileSync((await key.path())!, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');

  // Bad input is a clear error, not a crash.
  await page.getByLabel('Name', { exact: true }).fill('tpp-alpha');
  await page.getByRole('button', { name: 'Mint certificate' }).click();
  await expect(page.locator('[data-form="mint"] [role="alert"]')).toContainText('choose another name');

  // The minted certificate is an actor in the Playground: the gateway refuses it by validity.
  await page.goto('/playground');
  await page.getByRole('button', { name: 'Get a token' }).click();
  await expect(page.locator('[data-result="token"]')).toHaveAttribute('data-status-code', '200');
  await page.getByLabel('Certificate presented to the gateway').selectOption('e2e-expired');
  await page.getByRole('button', { name: 'Send to the gateway' }).click();
  await expect(page.locator('[data-result="call"]').first().locator('[data-refused-by="tls.client-cert-validity"]')).toBeVisible();
});
