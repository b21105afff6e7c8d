// GET /accounts and GET /accounts/{AccountId}: OBIE v3.1 Account and Transaction API "Accounts"
// (OBReadAccount6 / OBAccount6). ReadAccountsBasic omits the Account identification; Detail adds it.
// Accounts are seeded before the API listens and never change while it runs: the list of a
// customer's accounts is read once and kept (the gateway benchmark's upstream path, no query).
import type { Account } from '../../../generated/prisma/client.ts';
import type { PrismaClient } from '../../db/client.ts';
import { requireAccount, requirePermission } from '../access.ts';
import { selfLink, type ApiRequest, type Handler } from '../context.ts';
import { isoDateTime } from '../obie.ts';

const PERMISSIONS = ['ReadAccountsBasic', 'ReadAccountsDetail'] as const;

/** OBAccount6 (Status and StatusUpdateDateTime: every seeded account is Enabled since it opened). */
export function toObAccount(a: Account, detail: boolean) {
  return {
    AccountId: a.id,
    Status: 'Enabled',
    StatusUpdateDateTime: isoDateTime(a.openingDate),
    Currency: a.currency,
    AccountType: a.accountType,
    AccountSubType: a.accountSubType,
    ...(a.nickname ? { Nickname: a.nickname } : {}),
    OpeningDate: isoDateTime(a.openingDate),
    ...(detail ? { Account: [{ SchemeName: a.schemeName, Identification: a.identification, Name: a.name }] } : {}),
  };
}

function reply(r: ApiRequest, accounts: Account[]) {
  const detail = r.access.permissions.has('ReadAccountsDetail');
  return { body: { Data: { Account: accounts.map((a) => toObAccount(a, detail)) }, Links: selfLink(r), Meta: { TotalPages: 1 } } };
}

const byCustomer = new WeakMap<PrismaClient, Map<string, Promise<Account[]>>>();

/** Every account of a customer, ordered by id, read once per database. */
function accountsOf(prisma: PrismaClient, customerId: string): Promise<Account[]> {
  let cache = byCustomer.get(prisma);
  if (!cache) byCustomer.set(prisma, (cache = new Map()));
  let found = cache.get(customerId);
  if (!found) {
    found = prisma.account.findMany({ where: { customerId }, orderBy: { id: 'asc' } });
    found.catch(() => cache.delete(customerId));
    cache.set(customerId, found);
  }
  return found;
}

export const listAccounts: Handler = async (r) => {
  requirePermission(r.access, PERMISSIONS);
  const all = await accountsOf(r.prisma, r.access.customerId);
  const ids = r.access.accountIds;
  return reply(r, ids === null ? all : all.filter((a) => ids.includes(a.id)));
};

export const getAccount: Handler = async (r) => {
  requirePermission(r.access, PERMISSIONS);
  const id = await requireAccount(r.prisma, r.access, r.params.AccountId ?? '');
  const account = await r.prisma.account.findUniqueOrThrow({ where: { id } });
  return reply(r, [account]);
};
