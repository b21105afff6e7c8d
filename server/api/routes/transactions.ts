// GET /accounts/{AccountId}/transactions and GET /transactions: OBIE v3.1 Account and Transaction
// API "Transactions" (OBReadTransaction6 / OBTransaction6): booking date filter, newest first,
// pages of 25 with Links First/Prev/Next/Last and Meta TotalPages / First- / LastAvailableDateTime,
// within the consent's permissions (credits / debits, basic / detail) and transaction window.
import type { Prisma, Transaction } from '../../../generated/prisma/client.ts';
import { permittedAccounts, requireAccount, requirePermission, type Access } from '../access.ts';
import type { ApiRequest, Handler } from '../context.ts';
import { badRequest, isoDateTime, pageLinks, signedAmount } from '../obie.ts';
import { bookingRange, parsePage } from '../query.ts';

export const PAGE_SIZE = 25;

/** OBTransaction6. ReadTransactionsBasic leaves out TransactionInformation, Balance and MerchantDetails. */
export function toObTransaction(t: Transaction, detail: boolean) {
  return {
    AccountId: t.accountId,
    TransactionId: t.id,
    ...(t.reference ? { TransactionReference: t.reference } : {}),
    CreditDebitIndicator: t.creditDebit,
    Status: t.status,
    BookingDateTime: isoDateTime(t.bookingDateTime),
    ValueDateTime: isoDateTime(t.valueDateTime),
    ...(detail ? { TransactionInformation: t.information } : {}),
    Amount: { Amount: t.amount, Currency: t.currency },
    BankTransactionCode: { Code: t.bankTxCode, SubCode: t.bankTxSubCode },
    // A running balance exists for booked entries only.
    ...(detail && t.status === 'Booked'
      ? { Balance: { Amount: { Amount: signedAmount(t.balanceAmount).Amount, Currency: t.currency }, CreditDebitIndicator: signedAmount(t.balanceAmount).CreditDebitIndicator, Type: 'InterimBooked' } }
      : {}),
    ...(detail && t.merchantName ? { MerchantDetails: { MerchantName: t.merchantName } } : {}),
  };
}

/** Credits, debits or both, as the consent allows (ReadTransactionsCredits / ReadTransactionsDebits). */
function directionFilter(access: Access): Prisma.TransactionWhereInput {
  const credits = access.permissions.has('ReadTransactionsCredits');
  const debits = access.permissions.has('ReadTransactionsDebits');
  return credits && debits ? {} : { creditDebit: credits ? 'Credit' : 'Debit' };
}

/** The consent's TransactionFromDateTime / TransactionToDateTime: transactions outside it do not exist for this request. */
function consentWindow(access: Access): Prisma.TransactionWhereInput {
  const { transactionsFrom: from, transactionsTo: to } = access;
  return from || to ? { AND: [{ bookingDateTime: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } }] } : {};
}

async function listTransactions(r: ApiRequest, accounts: Prisma.TransactionWhereInput): Promise<{ body: unknown }> {
  requirePermission(r.access, ['ReadTransactionsBasic', 'ReadTransactionsDetail']);
  requirePermission(r.access, ['ReadTransactionsCredits', 'ReadTransactionsDebits']);
  const { from, to } = bookingRange(r.url.searchParams);
  const page = parsePage(r.url.searchParams);
  const visible: Prisma.TransactionWhereInput = { ...accounts, ...directionFilter(r.access), ...consentWindow(r.access) };
  const where: Prisma.TransactionWhereInput = from || to ? { ...visible, bookingDateTime: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : visible;

  const [total, available] = await Promise.all([
    r.prisma.transaction.count({ where }),
    r.prisma.transaction.aggregate({ where: visible, _min: { bookingDateTime: true }, _max: { bookingDateTime: true } }),
  ]);
  const totalPages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (page > totalPages) throw badRequest('UK.OBIE.Field.Invalid', `page must be between 1 and ${totalPages}.`, 'page');
  const rows = await r.prisma.transaction.findMany({
    where,
    orderBy: [{ bookingDateTime: 'desc' }, { id: 'desc' }],
    skip: (page - 1) * PAGE_SIZE,
    take: PAGE_SIZE,
  });
  const detail = r.access.permissions.has('ReadTransactionsDetail');
  const first = available._min.bookingDateTime;
  const last = available._max.bookingDateTime;
  return {
    body: {
      Data: { Transaction: rows.map((t) => toObTransaction(t, detail)) },
      Links: pageLinks(r.base, r.url, page, totalPages),
      Meta: {
        TotalPages: totalPages,
        ...(first ? { FirstAvailableDateTime: isoDateTime(first) } : {}),
        ...(last ? { LastAvailableDateTime: isoDateTime(last) } : {}),
      },
    },
  };
}

export const accountTransactions: Handler = async (r) => {
  requirePermission(r.access, ['ReadTransactionsBasic', 'ReadTransactionsDetail']);
  const accountId = await requireAccount(r.prisma, r.access, r.params.AccountId ?? '');
  return listTransactions(r, { accountId });
};

export const bulkTransactions: Handler = (r) => listTransactions(r, { account: permittedAccounts(r.access) });
