// The catalogue (grouped, filterable, keyboard-reachable) and the run history with re-run.
import { test, expect } from './fixtures.ts';
import { screenshot } from './helpers.ts';

test('the catalogue groups scenarios and filters them by tag', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('[data-group="happy"]')).toBeVisible();
  const all = await page.locator('[data-scenario-card]').count();
  expect(all).toBeGreaterThan(20);
  await screenshot(page, 'catalogue');

  await page.getByRole('button', { name: /^DPoP \(/ }).click();
  await expect(page).toHaveURL(/\?tag=dpop/);
  const dpop = page.locator('[data-scenario-card]');
  expect(await dpop.count()).toBeLessThan(all);
  for (const card of await dpop.all()) await expect(card.locator('.tag.dpop')).toBeVisible();

  await page.getByRole('searchbox', { name: 'Search scenarios' }).fill('stolen');
  await expect(page.locator('[data-scenario-card="dpop-stolen-token-attacker-key"]')).toBeVisible();
  await expect(page.locator('[data-scenario-card="mtls-stolen-token-other-certificate"]')).toHaveCount(0);
});

test('keyboard: the skip link reaches the content, a scenario opens and runs from the keyboard', async ({ page }) => {
  await page.goto('/scenarios/dpop-replayed-proof');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
  const run = page.getByRole('button', { name: /Run scenario/ });
  await run.focus();
  await page.keyboard.press('Enter');
  const step = page.locator('details.step').first();
  await expect(page.locator('section.timeline')).toHaveAttribute('data-status', 'passed');
  await step.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(step).toHaveAttribute('open', '');
});

test('run history: runs from the database with their results, and re-run starts the same selection', async ({ page, request }) => {
  const started = await request.post('/api/runs', { data: { scenarios: ['dpop-client-credentials'] } });
  expect(started.status()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status).toBe('passed');

  await page.goto('/runs');
  const row = page.locator(`[data-run-row="${runId}"]`);
  await expect(row).toContainText('dpop-client-credentials');
  await expect(row.locator('.badge.passed').first()).toBeVisible();
  await screenshot(page, 'runs');

  await row.getByRole('button', { name: 'Re-run' }).click();
  await expect(page).toHaveURL(/\/runs\/run_/);
  expect(page.url()).not.toContain(runId);
  await expect(page.locator('section.timeline[data-scenario="dpop-client-credentials"]')).toHaveAttribute('data-status', 'passed');
});
