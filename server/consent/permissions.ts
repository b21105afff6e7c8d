// OBIE v3.1 Account and Transaction API "Permissions" of an account-access consent: which codes this
// bank offers, the dependency rules of the specification ("Consent" section), and the plain words the
// consent page shows for each (the OBIE Customer Experience Guidelines' data clusters).
import { ALL_PERMISSIONS, type Permission } from '../api/access.ts';

/** Every permission code OBIE v3.1 defines (the bank offers the subset in ALL_PERMISSIONS). */
export const OBIE_PERMISSIONS = [
  'ReadAccountsBasic', 'ReadAccountsDetail', 'ReadBalances', 'ReadBeneficiariesBasic', 'ReadBeneficiariesDetail',
  'ReadDirectDebits', 'ReadOffers', 'ReadPAN', 'ReadParty', 'ReadPartyPSU', 'ReadProducts',
  'ReadScheduledPaymentsBasic', 'ReadScheduledPaymentsDetail', 'ReadStandingOrdersBasic', 'ReadStandingOrdersDetail',
  'ReadStatementsBasic', 'ReadStatementsDetail', 'ReadTransactionsBasic', 'ReadTransactionsCredits',
  'ReadTransactionsDebits', 'ReadTransactionsDetail',
] as const;

export const isOffered = (code: string): code is Permission => (ALL_PERMISSIONS as readonly string[]).includes(code);

/**
 * Problems with a set of requested permissions, as one sentence each (empty: acceptable). The
 * specification: Basic/Detail transactions need Credits and/or Debits, and the reverse.
 */
export function permissionProblems(codes: readonly string[]): string[] {
  if (!codes.length) return ['Permissions must list at least one permission.'];
  const problems: string[] = [];
  for (const code of new Set(codes)) {
    if (isOffered(code)) continue;
    problems.push((OBIE_PERMISSIONS as readonly string[]).includes(code)
      ? `${code} is an OBIE permission this sandbox bank does not offer (it offers ${ALL_PERMISSIONS.join(', ')}).`
      : `"${code.slice(0, 60)}" is not an OBIE v3.1 permission.`);
  }
  const has = (p: Permission) => codes.includes(p);
  const listing = has('ReadTransactionsBasic') || has('ReadTransactionsDetail');
  const direction = has('ReadTransactionsCredits') || has('ReadTransactionsDebits');
  if (listing && !direction) problems.push('ReadTransactionsBasic or ReadTransactionsDetail needs ReadTransactionsCredits and/or ReadTransactionsDebits.');
  if (direction && !listing) problems.push('ReadTransactionsCredits or ReadTransactionsDebits needs ReadTransactionsBasic or ReadTransactionsDetail.');
  return problems;
}

export interface Cluster {
  title: string;
  items: string[];
}

/** What the customer is asked to share, grouped as the OBIE Customer Experience Guidelines group it. */
export function describePermissions(granted: readonly Permission[]): Cluster[] {
  const has = (p: Permission) => granted.includes(p);
  const clusters: Cluster[] = [];
  const details: string[] = [];
  if (has('ReadAccountsBasic') || has('ReadAccountsDetail')) details.push('The name, type and currency of each account');
  if (has('ReadAccountsDetail')) details.push('Your sort code and account number');
  if (has('ReadBalances')) details.push('Your account balances');
  if (details.length) clusters.push({ title: 'Your account details', items: details });
  const credits = has('ReadTransactionsCredits');
  const debits = has('ReadTransactionsDebits');
  if ((has('ReadTransactionsBasic') || has('ReadTransactionsDetail')) && (credits || debits)) {
    const which = credits && debits ? 'Money in and money out' : credits ? 'Money in only (payments into your accounts)' : 'Money out only (payments from your accounts)';
    const items = [which, 'The date, amount and reference of each transaction'];
    if (has('ReadTransactionsDetail')) items.push('Transaction descriptions, merchant names and the balance after each transaction');
    clusters.push({ title: 'Your account transactions', items });
  }
  return clusters;
}
