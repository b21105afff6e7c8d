// Accessibility: axe-core (WCAG 2.x A / AA rules) on every main page, the run view with its refused
// step and the consent journey's authorize step open; fails on serious or critical violations and
// prints the rest. (consent-run-view.spec.ts audits a failed run and the run history too.)
import { test, expect } from './fixtures.ts';
import { audit, blocking, type AxeFinding } from './axe.ts';

test('axe finds no serious or critical violations on the main pages', async ({ page, request }) => {
  test.setTimeout(90_000);
  const found: AxeFinding[] = [];
  const visit = async (path: string, name: string, ready: () => Promise<void>) => {
    await page.goto(path);
    await ready();
    found.push(...(await audit(page, name)));
  };
  await visit('/', 'catalogue', () => expect(page.locator('[data-scenario-card]').first()).toBeVisible());
  await visit('/scenarios/mtls-stolen-token-other-certificate', 'scenario', () => expect(page.getByRole('button', { name: /Run scenario/ })).toBeVisible());

  // A run view with its refused step open (cards, checks, diagram).
  const started = await request.post('/api/runs', { data: { scenarios: ['mtls-stolen-token-other-certificate', 'consent-journey-mtls'] } });
  const { runId } = (await started.json()) as { runId: string };
  await visit(`/runs/${runId}`, 'run view', async () => {
    await expect(page.locator('section.timeline[data-scenario="consent-journey-mtls"]')).toHaveAttribute('data-status', 'passed', { timeout: 20_000 });
    await expect(page.locator('[data-card="token"]').first()).toBeVisible();
  });
  // The authorize step of the consent journey, open.
  const authorize = page.locator('section.timeline[data-scenario="consent-journey-mtls"] details.step[data-step="2"]');
  await authorize.locator('summary').first().click();
  await expect(authorize.locator('.step-body')).toBeVisible();
  found.push(...(await audit(page, 'run view, authorize step open')));

  await visit('/compare', 'compare', () => expect(page.locator('table.compare-table')).toBeVisible());
  await visit('/runs', 'runs', () => expect(page.locator(`[data-run-row="${runId}"]`)).toBeVisible());
  await visit('/pki', 'pki', () => expect(page.getByRole('heading', { level: 1 })).toBeVisible());
  await visit('/playground', 'playground', () => expect(page.getByRole('heading', { level: 1 })).toBeVisible());
  await visit('/targets', 'targets', () => expect(page.getByRole('heading', { name: 'Targets', level: 1 })).toBeVisible());

  expect(blocking(found)).toEqual([]);
});
