// Status that tells the truth: the header's health is asked again and says "sandbox stopped: run npm
// start" when the sandbox stops answering (simulated by refusing the page's requests); Run then says
// the same instead of the browser's "Failed to fetch"; a request made without a client certificate
// says "no certificate presented", not OpenSSL's UNABLE_TO_GET_ISSUER_CERT; a run shows one duration.
import { test, expect } from './fixtures.ts';

test('the header follows the sandbox: up, then stopped with what to do; Run says the same', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/scenarios/mtls-stolen-token-other-certificate');
  await expect(page.locator('[data-health="ok"]')).toHaveCount(1);
  await page.route('**/api/**', (route) => route.abort('connectionrefused'));
  // The next poll (every 5 s) finds nothing listening; the state is visible on a phone too.
  const stopped = page.locator('[data-health="stopped"]');
  await expect(stopped).toBeVisible({ timeout: 15_000 });
  await expect(stopped).toHaveText('sandbox stopped: run npm start');
  await page.getByRole('button', { name: /Run scenario/ }).click();
  const alert = page.locator('.error-box[role="alert"]');
  await expect(alert).toHaveText(/not answering \(stopped\?\): run `npm start`/);
  await expect(alert).not.toContainText('Failed to fetch');
});

test('no client certificate: the TLS card says so; the run page shows one duration', async ({ page, request }) => {
  const { runId } = await (await request.post('/api/runs', { data: { scenarios: ['mtls-stolen-token-no-certificate'] } })).json() as { runId: string };
  await page.goto(`/runs/${runId}`);
  const timeline = page.locator('section.timeline[data-scenario="mtls-stolen-token-no-certificate"]');
  await expect(timeline).toHaveAttribute('data-status', 'passed');
  const tls = timeline.locator('details.step[data-step="1"] [data-card="tls"]');
  await expect(tls.locator('[data-server-verdict="no-certificate"]')).toHaveText('no certificate presented');
  await expect(tls).not.toContainText('UNABLE_TO_GET_ISSUER_CERT');
  // The run's duration in the header, as the Runs list has it; not the scenario's beside it.
  await expect(page.locator('[data-run-duration]')).toHaveCount(1);
  await expect(timeline.locator('.timeline-head')).not.toContainText(/\d+(\.\d+)? (ms|s)\b/);
  const shown = await page.locator('[data-run-duration]').textContent();
  await page.goto('/runs');
  await expect(page.locator(`[data-run-row="${runId}"]`)).toContainText(shown!);
});
