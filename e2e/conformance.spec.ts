// The conformance page (/conformance): the FAPI 2.0 requirements with the scenarios that check them,
// reached from the main navigation, linking to the scenarios, and without serious axe violations.
import { test, expect } from './fixtures.ts';
import { audit, blocking } from './axe.ts';

test('the conformance page lists each FAPI 2.0 requirement with the scenarios that cite it', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conformance' }).click();
  await expect(page.getByRole('heading', { name: 'Conformance', level: 1 })).toBeVisible();
  const par = page.getByRole('row').filter({ hasText: 'FAPI2SP 5.3.2.2-3' });
  await expect(par.getByRole('link', { name: 'as-authorization-request-without-par' })).toHaveAttribute('href', '/scenarios/as-authorization-request-without-par');
  await expect(page.getByRole('heading', { name: 'Not observable from outside' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Mutation score' })).toBeVisible();
  expect(blocking(await audit(page, 'conformance'))).toEqual([]);
});
