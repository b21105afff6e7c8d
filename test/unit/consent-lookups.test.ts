// The consent stores' lookups by id: a payment consent id (pdc-) is never looked up among account-access
// consents (aac-) and the other way round; the IdP asks both stores for every consent it is named, and
// each asked the database (7 payment-consent queries per account-consent journey). Real lookups still query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PrismaClient } from '../../server/db/client.ts';
import { ConsentStore } from '../../server/consent/store.ts';
import { PaymentStore } from '../../server/payments/store.ts';

/** A Prisma stand-in that records each model query and finds nothing. */
function recording() {
  const queries: string[] = [];
  const model = (name: string) => new Proxy({}, {
    get: (_t, op: string) => async () => {
      queries.push(`${name}.${op}`);
      return null;
    },
  });
  const prisma = new Proxy({}, { get: (_t, name: string) => model(name) }) as unknown as PrismaClient;
  return { prisma, queries };
}

test('a payment consent id costs no account-consent query, an account consent id no payment-consent query', async () => {
  const { prisma, queries } = recording();
  assert.equal(await new ConsentStore(prisma).find('pdc-8f0e2a4c-1111-4222-8333-944445555666'), null);
  assert.equal(await new PaymentStore(prisma).findConsent('aac-8f0e2a4c-1111-4222-8333-944445555666'), null);
  assert.equal(await new ConsentStore(prisma).find('not-an-id'), null);
  assert.deepEqual(queries, []);
});

test('ids of the store itself are still looked up', async () => {
  const { prisma, queries } = recording();
  assert.equal(await new ConsentStore(prisma).find('aac-8f0e2a4c-1111-4222-8333-944445555666'), null);
  assert.equal(await new PaymentStore(prisma).findConsent('pdc-8f0e2a4c-1111-4222-8333-944445555666'), null);
  assert.deepEqual(queries, ['accountAccessConsent.findUnique', 'paymentConsent.findUnique']);
});
