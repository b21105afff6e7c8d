// Test fixtures: the running sandbox's URLs and certificate files, and baseURL pointing at its UI.
import path from 'node:path';
import { test as base } from '@playwright/test';

export interface E2eStack {
  urls: { ui: string; idp: string; idpMtls: string; gateway: string; gatewayStrict: string; api: string };
  certsDir: string;
  /** Paths of a certificate's chain and key, as Playwright's clientCertificates option wants them. */
  certFiles(name: string): { certPath: string; keyPath: string };
}

function stackFromEnv(): E2eStack {
  const raw = process.env.FAPI_E2E_STACK;
  if (!raw) throw new Error('FAPI_E2E_STACK is not set: run the end-to-end tests with `npm run test:e2e`');
  const ready = JSON.parse(raw) as { urls: E2eStack['urls']; certsDir: string };
  return {
    urls: ready.urls,
    certsDir: ready.certsDir,
    certFiles: (name) => ({
      certPath: path.join(ready.certsDir, 'clients', `${name}.chain.pem`),
      keyPath: path.join(ready.certsDir, 'clients', `${name}.key.pem`),
    }),
  };
}

export const test = base.extend<{ stack: E2eStack }>({
  // eslint-disable-next-line no-empty-pattern
  stack: async ({}, use) => use(stackFromEnv()),
  baseURL: async ({ stack }, use) => use(stack.urls.ui),
});

export { expect } from '@playwright/test';
