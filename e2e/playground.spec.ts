// The Playground: a token from the IdP, then gateway calls with chosen certificates and DPoP proof
// mutations; each result shows the gateway's checks.
import { test, expect } from './fixtures.ts';
import { screenshot } from './helpers.ts';

test('Playground: Alpha\'s token with Mallory\'s certificate is refused (≠), with Alpha\'s accepted (=)', async ({ page }) => {
  await page.goto('/playground');
  await page.getByRole('button', { name: 'Get a token' }).click();
  await expect(page.locator('[data-result="token"]')).toHaveAttribute('data-status-code', '200');
  await expect(page.locator('[data-token-binding]')).toContainText('bound to a certificate');

  await page.getByLabel('Certificate presented to the gateway').selectOption('mallory');
  await page.getByRole('button', { name: 'Send to the gateway' }).click();
  const refused = page.locator('[data-result="call"]').first();
  await expect(refused).toHaveAttribute('data-status-code', '401');
  await expect(refused.locator('[data-refused-by="mtls.cnf-thumbprint-match"]')).toBeVisible();
  await expect(refused.locator('[data-binding="differ"]')).toBeVisible();

  await page.getByLabel('Certificate presented to the gateway').selectOption('tpp-alpha');
  await page.getByRole('button', { name: 'Send to the gateway' }).click();
  const accepted = page.locator('[data-result="call"]').first();
  await expect(accepted).toHaveAttribute('data-status-code', '200');
  await expect(accepted.locator('[data-binding="equal"]')).toBeVisible();
  await screenshot(page, 'playground');
});

test('Playground: a DPoP-bound token with a fresh proof passes; the same jti again is a replay', async ({ page }) => {
  await page.goto('/playground');
  await page.getByLabel('Client', { exact: true }).selectOption('tpp-gamma-dpop');
  await page.getByRole('button', { name: 'Get a token' }).click();
  await expect(page.locator('[data-result="token"]')).toHaveAttribute('data-status-code', '200');
  await expect(page.locator('[data-token-binding]')).toContainText('bound to a DPoP key');

  await page.getByLabel('Certificate presented to the gateway').selectOption('tpp-gamma');
  await page.locator('[data-field="send-dpop"]').check();
  await page.getByRole('button', { name: 'Send to the gateway' }).click();
  const first = page.locator('[data-result="call"]').first();
  await expect(first).toHaveAttribute('data-status-code', '200');
  await expect(first.locator('[data-card="dpop"] [data-claim="jti"]')).toContainText('never seen before');

  await page.getByLabel('jti', { exact: true }).selectOption('reuse');
  await page.getByRole('button', { name: 'Send to the gateway' }).click();
  const replay = page.locator('[data-result="call"]').first();
  await expect(replay).toHaveAttribute('data-status-code', '401');
  await expect(replay.locator('[data-refused-by="dpop.jti-unique"]')).toBeVisible();
  await expect(replay.locator('[data-card="dpop"] [data-claim="jti"]')).toContainText('SEEN BEFORE');

  // Signed with the attacker's key: the proof is valid, the binding is not.
  await page.getByLabel('jti', { exact: true }).selectOption('random');
  await page.getByLabel('DPoP proof key').selectOption('attacker-key');
  await page.getByRole('button', { name: 'Send to the gateway' }).click();
  const stolen = page.locator('[data-result="call"]').first();
  await expect(stolen.locator('[data-refused-by="dpop.cnf-jkt-match"]')).toBeVisible();
  await expect(stolen.locator('[data-binding="differ"][data-binding-kind="dpop"]')).toBeVisible();
});
