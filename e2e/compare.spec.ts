// The Compare page: DPoP versus mTLS side by side, the table and both paired scenarios run together.
import { test, expect } from './fixtures.ts';
import { screenshot } from './helpers.ts';

test('DPoP versus mTLS: the comparison table and both attacks, run side by side, refused by their binding checks', async ({ page }) => {
  await page.goto('/compare');
  const table = page.locator('table.compare-table');
  await expect(table.getByRole('rowheader', { name: 'What the token is bound to' })).toBeVisible();
  await expect(table.getByRole('rowheader', { name: 'Where the proof lives' })).toBeVisible();
  await expect(table.getByRole('rowheader', { name: 'What the attacker needs' })).toBeVisible();

  await page.getByRole('button', { name: /Run both side by side/ }).click();
  const mtls = page.locator('[data-compare="mtls"]');
  const dpop = page.locator('[data-compare="dpop"]');
  await expect(mtls.locator('section.timeline')).toHaveAttribute('data-status', 'passed');
  await expect(dpop.locator('section.timeline')).toHaveAttribute('data-status', 'passed');
  await expect(mtls.locator('[data-decisive="mtls.cnf-thumbprint-match"] [data-binding="differ"]')).toBeVisible();
  await expect(dpop.locator('[data-decisive="dpop.cnf-jkt-match"] [data-binding="differ"]')).toBeVisible();
  await expect(mtls.locator('[data-decisive] [data-binding-kind="mtls"]')).toBeVisible();
  await expect(dpop.locator('[data-decisive] [data-binding-kind="dpop"]')).toBeVisible();
  await screenshot(page, 'compare');

  // A reload shows the latest stored run of the pair without running again.
  await page.reload();
  await expect(page.locator('[data-compare="dpop"] [data-decisive="dpop.cnf-jkt-match"]')).toBeVisible();
});
