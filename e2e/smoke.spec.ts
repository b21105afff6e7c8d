// The sandbox answers in the browser: the web UI renders and the control API reports healthy.
import { test, expect } from './fixtures.ts';

test('the web UI renders and every listener is healthy', async ({ page, request }) => {
  await page.goto('/');
  await expect(page).toHaveTitle(/fapi-sandbox/);
  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  expect((await health.json()).status).toBe('ok');
});
