// The Targets page in Chromium: a bad target file is refused line by line, a target (the sandbox's
// own gateway reached by URL, so treated as external) is added, checked (reachable, TLS chain, token,
// call, what would be skipped) and a scenario is run against it into the run history.
import { test, expect } from './fixtures.ts';

test('add a target, check it, run a scenario against it', async ({ page, stack, request }) => {
  await page.goto('/targets');
  await expect(page.getByRole('heading', { name: 'Targets', level: 1 })).toBeVisible();

  const editor = page.getByRole('textbox', { name: /Target file \(YAML\)/ });
  await editor.fill('name: broken\nauthorizationServer: bundled\nresourceServer: { baseUrl: "http://nope" }\nsenderConstraint: sometimes\n');
  await page.getByRole('button', { name: 'Add target' }).click();
  const errors = page.locator('#target-form-errors');
  await expect(errors).toContainText('line 3: resourceServer.baseUrl: an https:// URL');
  await expect(errors).toContainText('line 4: senderConstraint: expected one of "mtls", "dpop", "both"');

  const name = `e2e-gateway-${Date.now().toString(36)}`;
  await editor.fill(`name: ${name}
description: the sandbox gateway, reached by URL as if it were yours
authorizationServer: bundled
resourceServer:
  baseUrl: ${stack.urls.gateway}
  routes: { fapi: /open-banking/v3.1/aisp }
senderConstraint: mtls
`);
  await page.getByRole('button', { name: 'Add target' }).click();
  const card = page.locator(`[data-target="${name}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByLabel('Capabilities')).toContainText('mtls');

  await card.getByRole('button', { name: 'Check and run' }).click();
  await page.getByRole('button', { name: 'Check target' }).click();
  await expect(page.getByText('target OK')).toBeVisible({ timeout: 15_000 });
  const results = page.getByRole('list', { name: 'Check results' });
  await expect(results).toContainText('a certificate-bound token for tpp-alpha');
  await expect(results).toContainText('the gateway accepts it');
  await expect(page.getByRole('row', { name: /mtls-strict-handshake/ })).toContainText('skipped: lacks strict-tls');
  await expect(page.getByRole('row', { name: /dpop-client-credentials/ })).toContainText('skipped: lacks dpop');
  await page.screenshot({ path: 'screenshots/targets-checked.png', fullPage: true });

  await page.getByRole('textbox', { name: /Scenarios or tags/ }).fill('mtls-stolen-token-other-certificate');
  await page.getByRole('button', { name: 'Run against this target' }).click();
  const status = page.getByRole('status').filter({ hasText: 'Run run_' });
  await expect(status.getByRole('list', { name: 'Run results' })).toContainText('passed', { timeout: 15_000 });
  await expect(status).toContainText('mtls-stolen-token-other-certificate');
  const href = await status.getByRole('link', { name: 'Open the run view' }).getAttribute('href');
  expect(href).toMatch(/^\/runs\/run_/);
  await page.screenshot({ path: 'screenshots/targets-run.png', fullPage: true });

  // The run is in the ordinary history, under the target's name.
  const run = await (await request.get(`/api/runs/${href!.split('/').pop()}`)).json();
  expect(run.target).toBe(name);
  const list = await (await request.get('/api/targets')).json();
  const id = list.targets.find((t: { name: string }) => t.name === name).id;
  expect((await request.delete(`/api/targets/${id}`, { headers: { 'content-type': 'application/json' }, data: {} })).status()).toBe(204);
});
