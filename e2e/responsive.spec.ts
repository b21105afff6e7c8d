// Every page on a phone (390×844), a laptop (1280×720) and a projector (1920×1080): no element outside
// the viewport unless it sits in its own scroll container, and axe finds nothing serious or critical.
// The verdict headline says what happened in plain words: the stolen-token replay is an attack blocked
// by the binding check; behind an nginx that only verifies the certificate the same attack succeeds.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { audit, blocking } from './axe.ts';
import { screenshotViewport } from './helpers.ts';
import { nginxBinary, startNginx } from '../test/helpers/nginx.ts';

const STOLEN = 'mtls-stolen-token-other-certificate';
const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'laptop', width: 1280, height: 720 },
  { name: 'projector', width: 1920, height: 1080 },
] as const;

/** Elements that reach outside the viewport without a scroll container of their own between them and the page. */
function outsideViewport(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (el: Element) => {
      for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
        if (/(auto|scroll)/.test(getComputedStyle(e).overflowX)) return true;
      }
      return false;
    };
    const out: string[] = [];
    if (document.scrollingElement!.scrollWidth > width) out.push(`the page scrolls sideways (${document.scrollingElement!.scrollWidth} px in ${width} px)`);
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
      if ((box.right > width + 1 || box.left < -1) && !scrolls(el)) out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} at ${Math.round(box.left)}–${Math.round(box.right)} px`);
    }
    return out.slice(0, 10);
  });
}

let runId = '';
test.beforeAll(async ({ request }) => {
  const res = await request.post('/api/runs', { data: { scenarios: [STOLEN] } });
  runId = ((await res.json()) as { runId: string }).runId;
  await request.get(`/api/runs/${runId}/events`, { headers: { accept: 'application/json' } });
});

for (const vp of VIEWPORTS) {
  test(`every page fits a ${vp.name} (${vp.width}×${vp.height}) and axe finds nothing serious`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: vp.width, height: vp.height });
    const pages = ['/', `/scenarios/${STOLEN}`, '/runs', `/runs/${runId}`, '/compare', '/pki', '/playground', '/targets', '/conformance', '/no-such-page'];
    const problems: string[] = [];
    for (const path of pages) {
      await page.goto(path);
      await expect(page.locator('[data-health]')).not.toHaveAttribute('data-health', 'unknown');
      if (path.startsWith('/runs/')) await expect(page.locator('[data-verdict-kind]')).toBeVisible();
      problems.push(...(await outsideViewport(page)).map((p) => `${path}: ${p}`));
      problems.push(...blocking(await audit(page, `${path} at ${vp.width}`)));
      if (path.startsWith('/runs/')) await screenshotViewport(page, `run-${vp.name}`);
    }
    expect(problems).toEqual([]);
  });
}

test('the stolen-token replay: "Attack blocked by mtls.cnf-thumbprint-match", Mallory\'s theft drawn in her own lane', async ({ page }) => {
  await page.goto(`/runs/${runId}`);
  const timeline = page.locator(`section.timeline[data-scenario="${STOLEN}"]`);
  await expect(timeline.locator('[data-verdict-kind]')).toHaveAttribute('data-verdict-kind', 'blocked');
  await expect(timeline.locator('.verdict-headline')).toHaveText('Attack blocked by mtls.cnf-thumbprint-match');
  await expect(timeline.locator('[data-lane="actor:alpha"]')).toHaveText(/Alpha/);
  await expect(timeline.locator('[data-lane="actor:mallory"]')).toHaveText(/Mallory/);
  await expect(timeline.locator('details.step[data-step="1"] [data-arrow="theft"]')).toHaveCount(1);
  await expect(timeline.locator('details.step[data-step="1"] [data-step-verdict="blocked"]')).toHaveText('Blocked by mtls.cnf-thumbprint-match');
  // The mismatch sentence once in the step (its checks card), not in the banner, the token card and the expectations too.
  await expect(timeline.getByText(/does not equal cnf\.x5t#S256/).filter({ visible: true })).toHaveCount(1);
  // Presentation mode: one step at a time, → moves on.
  await page.keyboard.press('p');
  await expect(timeline.locator('details.step')).toHaveCount(1);
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('[data-present-step]')).toHaveText('Step 2 of 3');
  await expect(timeline.locator('details.step[data-step="1"][open] [data-binding="differ"]').first()).toBeVisible();
  // On a 1280x720 projector, scrolled down, the step controls stay on top: nothing (the top bar) covers them.
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.mouse.wheel(0, 600);
  const bar = page.locator('.present-bar');
  await expect.poll(() => bar.evaluate((e) => {
    const r = e.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + 10, r.top + r.height / 2);
    return window.scrollY > 0 && r.top >= 0 && !!hit && e.contains(hit);
  })).toBe(true);
});

test('behind an nginx that only verifies the certificate: "Attack succeeded: the gateway answered 200 to Mallory"', async ({ page, request, stack }) => {
  test.skip(!nginxBinary(), 'nginx is not installed (apt-get install nginx)');
  test.setTimeout(90_000);
  const nginx = await startNginx({ example: 'ssl-verify-only', apiPort: Number(new URL(stack.urls.api).port), gatewayKey: process.env.FAPI_E2E_GATEWAY_KEY!, certsDir: stack.certsDir });
  const name = `e2e-nginx-verify-only-${Date.now().toString(36)}`;
  try {
    const yaml = `name: ${name}\nauthorizationServer: bundled\nresourceServer:\n  baseUrl: ${nginx.url}\n  routes: { fapi: /open-banking/v3.1/aisp }\nsenderConstraint: mtls\n`;
    const created = await request.post('/api/targets', { data: { yaml } });
    expect(created.status()).toBe(201);
    const target = ((await created.json()) as { id: string }).id;
    const { runId: id } = (await (await request.post('/api/runs', { data: { scenarios: [STOLEN], target } })).json()) as { runId: string };
    await page.goto(`/runs/${id}`);
    const timeline = page.locator(`section.timeline[data-scenario="${STOLEN}"]`);
    await expect(timeline).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
    await expect(timeline.locator('.verdict-headline')).toHaveText('Attack succeeded: the gateway answered 200 to Mallory');
    await expect(timeline.locator('[data-verdict-kind]')).toHaveAttribute('data-verdict-kind', 'succeeded');
    await screenshotViewport(page, 'run-attack-succeeded');
    await request.delete(`/api/targets/${target}`, { headers: { 'content-type': 'application/json' }, data: {} });
  } finally {
    await nginx.stop();
  }
});

test('1280×720: Run, Run both and the token-vs-certificate comparison above the fold; a re-run streams live in place', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const aboveFold = async (selector: string) => expect(await page.locator(selector).first().evaluate((e) => e.getBoundingClientRect().bottom)).toBeLessThan(720);
  await page.goto(`/scenarios/${STOLEN}`);
  await aboveFold('[data-action="run"]');
  await page.goto('/compare');
  await aboveFold('[data-action="run-both"]');
  await page.getByRole('button', { name: /Run both side by side/ }).click();
  await expect(page.locator('[data-compare="mtls"] [data-decisive] [data-binding="differ"]')).toBeVisible();
  expect(await page.locator('[data-compare="mtls"] [data-decisive] .binding-op').evaluate((e) => e.getBoundingClientRect().top)).toBeLessThan(720);

  // Re-run on a run's page: the new run fills the same page (no new document), its events streamed in as they come.
  await page.goto(`/runs/${runId}`);
  await expect(page.locator('[data-verdict-kind="blocked"]')).toBeVisible();
  await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
  await page.getByRole('button', { name: 'Re-run' }).click();
  await expect(page).not.toHaveURL(new RegExp(runId));
  await expect(page.locator('[data-run]')).not.toHaveAttribute('data-run', runId);
  await expect(page.locator('h1 [data-status="passed"]')).toBeVisible();
  await expect(page.locator('.lede')).toContainText('from the ui');
  expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
});
