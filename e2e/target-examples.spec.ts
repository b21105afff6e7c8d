// The Targets page's example targets (the compatibility matrix's products): one click stores one whose
// product is installed, after which its button says Added; a product that is not installed has its
// button off with what to install. nginx is installed wherever the e2e suite runs (.ci/run).
import { test, expect } from './fixtures.ts';

test('store an example target with one click', async ({ page, request }) => {
  const examples = (await (await request.get('/api/target-examples')).json()).examples as { id: string; missing: string | null }[];
  await page.goto('/targets');
  const section = page.getByRole('region', { name: 'Example targets' });
  for (const e of examples) {
    const button = section.locator(`[data-example="${e.id}"]`).getByRole('button');
    if (e.missing) {
      await expect(button).toBeDisabled();
      await expect(section.locator(`[data-example="${e.id}"]`)).toContainText(e.missing);
    }
  }
  const nginx = section.locator('[data-example="nginx-ssl-verify-only"]');
  await nginx.getByRole('button', { name: 'Add' }).click();
  const card = page.locator('[data-target="nginx-ssl-verify-only"]');
  await expect(card).toBeVisible();
  await expect(card.getByLabel('Capabilities')).toContainText('mtls');
  await expect(nginx.getByRole('button', { name: 'Added' })).toBeDisabled();
  await page.screenshot({ path: 'screenshots/targets-examples.png', fullPage: true });

  const list = await (await request.get('/api/targets')).json();
  const id = list.targets.find((t: { name: string }) => t.name === 'nginx-ssl-verify-only').id;
  expect((await request.delete(`/api/targets/${id}`, { headers: { 'content-type': 'application/json' }, data: {} })).status()).toBe(204);
});
