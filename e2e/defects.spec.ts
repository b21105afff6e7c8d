// Smaller defects of the web UI, each as a user meets it: the Targets quick-start fields never silently
// overwrite a hand-edited target file; the PKI page shows one message at a time and refuses to mint
// a name twice; the catalogue search finds RFC references; unknown addresses get a real 404 page.
import { test, expect } from './fixtures.ts';

test('Targets: hand-edited YAML survives a change of the quick-start fields until asked to rewrite it', async ({ page }) => {
  await page.goto('/targets');
  const editor = page.getByRole('textbox', { name: /Target file \(YAML\)/ });
  await page.getByLabel('Name', { exact: true }).fill('from-fields');
  await expect(editor).toHaveValue(/name: from-fields/);
  await editor.fill(`${await editor.inputValue()}\n# my own note\n`);
  await page.getByLabel('Name', { exact: true }).fill('changed-later');
  await expect(editor).toHaveValue(/# my own note/);
  await expect(editor).not.toHaveValue(/changed-later/);
  await expect(page.locator('[data-hand-edited]')).toContainText('edited by hand');
  await page.getByRole('button', { name: 'Rewrite it from the fields' }).click();
  await expect(editor).toHaveValue(/name: changed-later/);
  await expect(editor).not.toHaveValue(/# my own note/);
});

test('PKI: minting a name twice is refused, and the earlier success message goes', async ({ page }) => {
  await page.goto('/pki');
  const name = `e2e-twice-${Date.now().toString(36)}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Mint certificate' }).click();
  const form = page.locator('[data-form="mint"]');
  await expect(form.getByRole('status')).toHaveText(`Minted ${name}: see below`);
  await page.getByRole('button', { name: 'Mint certificate' }).click();
  await expect(form.getByRole('alert')).toContainText('is already minted: choose another name');
  await expect(form.getByRole('status')).toHaveCount(0);
  await expect(page.locator(`[data-pki-cert="${name}"]`)).toHaveCount(1);
});

test('catalogue search finds RFC references; an unknown address is a 404 page with the way back', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('searchbox', { name: 'Search scenarios' }).fill('rfc 7636');
  await expect(page.locator('.scenario-card')).not.toHaveCount(0);
  await expect(page.locator('.scenario-card').filter({ hasText: 'PKCE verifier mismatch' })).toBeVisible();
  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This page does not exist');
  await expect(page.getByRole('link', { name: 'The scenario catalogue' })).toBeVisible();
});
