// GET /accounts/{AccountId}/balances and GET /balances: OBIE v3.1 Account and Transaction API
// "Balances" (OBReadBalance1 / OBCashBalance1), ReadBalances permission.
import type { Balance } from '../../../generated/prisma/client.ts';
import { permittedAccounts, requireAccount, requirePermission } from '../access.ts';
import { selfLink, type ApiRequest, type Handler } from '../context.ts';
import { isoDateTime } from '../obie.ts';

/** OBCashBalance1 (CreditLine is optional and not modelled). */
export function toObBalance(b: Balance) {
  return {
    AccountId: b.accountId,
    Amount: { Amount: b.amount, Currency: b.currency },
    CreditDebitIndicator: b.creditDebit,
    Type: b.type,
    DateTime: isoDateTime(b.dateTime),
  };
}

function reply(r: ApiRequest, balances: Balance[]) {
  return { body: { Data: { Balance: balances.map(toObBalance) }, Links: selfLink(r), Meta: { TotalPages: 1 } } };
}

const ORDER = [{ accountId: 'asc' }, { type: 'asc' }] as const;

export const accountBalances: Handler = async (r) => {
  requirePermission(r.access, ['ReadBalances']);
  const accountId = await requireAccount(r.prisma, r.access, r.params.AccountId ?? '');
  return reply(r, await r.prisma.balance.findMany({ where: { accountId }, orderBy: [...ORDER] }));
};

export const bulkBalances: Handler = async (r) => {
  requirePermission(r.access, ['ReadBalances']);
  return reply(r, await r.prisma.balance.findMany({ where: { account: permittedAccounts(r.access) }, orderBy: [...ORDER] }));
};
