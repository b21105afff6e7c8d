// GET /accounts and GET /accounts/{AccountId}: OBIE v3.1 Account and Transaction API "Accounts"
// (OBReadAccount6 / OBAccount6). ReadAccountsBasic omits the Account identification; Detail adds it.
import type { Account } from '../../../generated/prisma/client.ts';
import { permittedAccounts, requireAccount, requirePermission } from '../access.ts';
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

export const listAccounts: Handler = async (r) => {
  requirePermission(r.access, PERMISSIONS);
  const accounts = await r.prisma.account.findMany({ where: permittedAccounts(r.access), orderBy: { id: 'asc' } });
  return reply(r, accounts);
};

export const getAccount: Handler = async (r) => {
  requirePermission(r.access, PERMISSIONS);
  const id = await requireAccount(r.prisma, r.access, r.params.AccountId ?? '');
  const account = await r.prisma.account.findUniqueOrThrow({ where: { id } });
  return reply(r, [account]);
};
