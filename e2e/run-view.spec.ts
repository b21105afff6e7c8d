// The run view in the browser: the stolen-token replay run from the Scenario page shows the failed
// binding check with the two different thumbprints, and the first trace event appears within
// 300 ms of pressing Run (measured in the page, from the click to the first timeline node).
import { test, expect } from './fixtures.ts';
import { screenshot, thumbprintOf } from './helpers.ts';

const SCENARIO = 'mtls-stolen-token-other-certificate';

test('the stolen-token replay, run from the UI, shows the failed binding check and two different thumbprints', async ({ page, stack }) => {
  await page.goto(`/scenarios/${SCENARIO}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Stolen certificate-bound token');
  await page.getByRole('button', { name: /Run scenario/ }).click();
  const timeline = page.locator(`section.timeline[data-scenario="${SCENARIO}"]`);
  await expect(timeline).toHaveAttribute('data-status', 'passed');

  // The verdict names the check that refused Mallory, and the step is flagged.
  await expect(timeline.locator('[data-verdict="mtls.cnf-thumbprint-match"]')).toBeVisible();
  const attack = timeline.locator('details.step[data-step="1"]');
  await expect(attack.locator('[data-refused-by="mtls.cnf-thumbprint-match"]')).toBeVisible();

  // The step opened by itself: cnf.x5t#S256 of Alpha's token ≠ the thumbprint of Mallory's certificate.
  const binding = attack.locator('[data-card="token"] [data-binding]').first();
  await expect(binding).toHaveAttribute('data-binding', 'differ');
  await expect(binding.getByRole('img', { name: 'not equal' })).toBeVisible();
  await expect(binding.locator('[data-value="token"]')).toHaveText(thumbprintOf(stack, 'tpp-alpha'));
  await expect(binding.locator('[data-value="presented"]')).toHaveText(thumbprintOf(stack, 'mallory'));

  // The checks list: the failed check with its RFC link and the gateway fix; the TLS checks passed.
  const check = attack.locator('[data-check="mtls.cnf-thumbprint-match"]');
  await expect(check).toHaveAttribute('data-outcome', 'fail');
  await expect(check.getByRole('link', { name: /RFC 8705 §3/ })).toHaveAttribute('href', 'https://www.rfc-editor.org/rfc/rfc8705#section-3');
  await expect(check).toContainText('How to fix this in a gateway');
  await expect(attack.locator('[data-check="tls.client-cert-chain"]')).toHaveAttribute('data-outcome', 'pass');
  // The TLS card names the certificate Mallory presented.
  await expect(attack.locator('[data-card="tls"] [data-cert="mallory"]')).toBeVisible();

  // Raw HTTP is one click away; the 401 and its WWW-Authenticate are there.
  await attack.getByText('Raw HTTP request and response').click();
  await expect(attack.locator('[data-card="http"]')).toContainText('www-authenticate');

  // Alpha's own call (step 3) is equal, and reached the API.
  const alpha = timeline.locator('details.step[data-step="2"]');
  await alpha.locator('summary').click();
  await expect(alpha.locator('[data-card="token"] [data-binding]').first()).toHaveAttribute('data-binding', 'equal');
  await screenshot(page, 'scenario-run');

  // The same run replays from the database on its own page.
  await page.getByRole('link', { name: 'Permanent link to this run' }).click();
  await expect(page).toHaveURL(/\/runs\/run_/);
  await expect(page.getByRole('button', { name: 'Re-run' })).toBeVisible();
  await expect(page.locator(`section.timeline[data-scenario="${SCENARIO}"]`)).toHaveAttribute('data-status', 'passed');
  await expect(page.locator('[data-refused-by="mtls.cnf-thumbprint-match"]').first()).toBeVisible();
  await screenshot(page, 'run-view');
});

test('the first trace event is on the page within 300 ms of pressing Run', async ({ page }) => {
  await page.goto(`/scenarios/${SCENARIO}`);
  const samples: { firstEvent: number; firstStep: number }[] = [];
  for (let i = 0; i < 5; i++) {
    // In the page: the click time, then when the first timeline node (run.started) and the first
    // step row (step.started) enter the DOM.
    const measuring = page.evaluate(
      () =>
        new Promise<{ firstEvent: number; firstStep: number }>((resolve) => {
          const button = document.querySelector('[data-action="run"]')!;
          let t0 = 0;
          let firstEvent = 0;
          button.addEventListener('click', () => (t0 = performance.now()), { once: true, capture: true });
          const seen = () => document.querySelector('section.timeline[data-scenario]');
          const before = seen();
          const observer = new MutationObserver(() => {
            const node = seen();
            if (!t0 || !node || node === before) return;
            firstEvent ||= performance.now() - t0;
            if (node.querySelector('details.step')) {
              observer.disconnect();
              resolve({ firstEvent, firstStep: performance.now() - t0 });
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
        }),
    );
    await page.locator('[data-action="run"]').click();
    samples.push(await measuring);
    await expect(page.locator('section.timeline')).toHaveAttribute('data-status', /passed|failed|error/);
    await expect(page.locator('[data-action="run"]')).toBeEnabled();
  }
  const firstEvents = samples.map((s) => Math.round(s.firstEvent)).sort((a, b) => a - b);
  const median = firstEvents[Math.floor(firstEvents.length / 2)]!;
  const report = `Run → first trace event on the page: ${firstEvents.join(', ')} ms (median ${median} ms); first step row: ${samples.map((s) => Math.round(s.firstStep)).join(', ')} ms`;
  console.log(report);
  test.info().annotations.push({ type: 'latency', description: report });
  expect(median).toBeLessThan(300);
});
