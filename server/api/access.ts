// Who may read what: the gateway-key check (only the gateway may call this upstream), the caller
// identity the gateway forwards, and the access a request gets (customer, accounts, OBIE v3.1
// Account and Transaction API "Permissions"). A consent journey plugs in at resolveAccess().
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PrismaClient } from '../db/client.ts';
import { ObieError, forbidden } from './obie.ts';

export const GATEWAY_KEY_HEADER = 'x-sandbox-gateway-key';

/** The seeded customer served to client-credentials tokens (no consent): a documented sandbox shortcut. */
export const DEMO_CUSTOMER_ID = 'psu-demo';

/** OBIE v3.1 account-access permissions this API honours. */
export type Permission =
  | 'ReadAccountsBasic'
  | 'ReadAccountsDetail'
  | 'ReadBalances'
  | 'ReadTransactionsBasic'
  | 'ReadTransactionsDetail'
  | 'ReadTransactionsCredits'
  | 'ReadTransactionsDebits';

export const ALL_PERMISSIONS: readonly Permission[] = [
  'ReadAccountsBasic', 'ReadAccountsDetail', 'ReadBalances',
  'ReadTransactionsBasic', 'ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits',
];

/** What the gateway says about the caller (x-sandbox-* headers, set by the gateway only). */
export interface Caller {
  clientId: string;
  scopes: ReadonlySet<string>;
  consentId: string | null;
  binding: 'mtls' | 'dpop' | 'bearer' | null;
}

/** What one request may read. */
export interface Access {
  customerId: string;
  /** The accounts the consent covers; null = every account of the customer. */
  accountIds: readonly string[] | null;
  permissions: ReadonlySet<Permission>;
}

/** Decides the access of a request; throws an ObieError (403) when there is none. */
export type AccessResolver = (prisma: PrismaClient, caller: Caller) => Promise<Access>;

/** Compares the presented key with the secret in constant time (both hashed, so lengths may differ). */
export function gatewayKeyMatches(presented: string | string[] | undefined, secret: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/** 403 unless the request carries the gateway's key. */
export function requireGateway(req: IncomingMessage, secret: string): void {
  const presented = req.headers[GATEWAY_KEY_HEADER];
  if (presented === undefined) {
    throw forbidden('UK.OBIE.Header.Missing', 'This API accepts requests from the sandbox gateway only.', GATEWAY_KEY_HEADER);
  }
  if (!gatewayKeyMatches(presented, secret)) {
    throw forbidden('UK.OBIE.Header.Invalid', 'This API accepts requests from the sandbox gateway only.', GATEWAY_KEY_HEADER);
  }
}

export function callerFrom(req: IncomingMessage): Caller {
  const one = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  };
  const binding = one('x-sandbox-binding');
  return {
    clientId: one('x-sandbox-client-id') ?? '',
    scopes: new Set((one('x-sandbox-scope') ?? '').split(' ').filter(Boolean)),
    consentId: one('x-sandbox-consent-id'),
    binding: binding === 'mtls' || binding === 'dpop' || binding === 'bearer' ? binding : null,
  };
}

/** 403 unless the token granted `scope`. */
export function requireScope(caller: Caller, scope: string): void {
  if (!caller.scopes.has(scope)) {
    throw forbidden('UK.OBIE.Resource.ConsentMismatch', `The access token does not grant the "${scope}" scope.`, 'scope');
  }
}

/**
 * The default resolver. No consent (client-credentials token): every account of the demo customer
 * with every read permission. A consent id: refused until the consent journey exists (fail closed);
 * that task replaces this branch with a lookup (consent -> customer, account ids, permissions).
 */
export const resolveAccess: AccessResolver = async (_prisma, caller) => {
  if (caller.consentId === null) {
    return { customerId: DEMO_CUSTOMER_ID, accountIds: null, permissions: new Set(ALL_PERMISSIONS) };
  }
  throw forbidden('UK.OBIE.Resource.InvalidConsentStatus', 'The consent is unknown to this API or not authorised.', 'ConsentId');
};

/** Prisma filter for the accounts the access covers. */
export function permittedAccounts(access: Access): { customerId: string; id?: { in: string[] } } {
  return access.accountIds === null ? { customerId: access.customerId } : { customerId: access.customerId, id: { in: [...access.accountIds] } };
}

/** 403 unless one of `anyOf` was granted. */
export function requirePermission(access: Access, anyOf: readonly Permission[]): void {
  if (!anyOf.some((p) => access.permissions.has(p))) {
    throw forbidden('UK.OBIE.Resource.ConsentMismatch', `The consent does not grant ${anyOf.join(' or ')}.`);
  }
}

const ACCOUNT_ID = /^[A-Za-z0-9._~-]{1,40}$/;

/**
 * The account `accountId` if the access covers it. Unknown ids and ids outside the consent get the
 * same 403 (OBIE: an account not in the consent is Forbidden; answering alike reveals nothing about
 * other customers' accounts). A malformed id (not Max40Text of URL-safe characters) is a 400.
 */
export async function requireAccount(prisma: PrismaClient, access: Access, accountId: string): Promise<string> {
  if (!ACCOUNT_ID.test(accountId)) {
    throw new ObieError(400, 'The request is invalid.', [
      { ErrorCode: 'UK.OBIE.Field.Invalid', Message: 'AccountId must be 1 to 40 characters of A-Z a-z 0-9 . _ ~ -', Path: 'AccountId' },
    ]);
  }
  if (access.accountIds !== null && !access.accountIds.includes(accountId)) return notPermitted();
  const found = await prisma.account.findFirst({ where: { customerId: access.customerId, id: accountId }, select: { id: true } });
  return found ? found.id : notPermitted();
}

function notPermitted(): never {
  throw forbidden('UK.OBIE.Resource.ConsentMismatch', 'The AccountId is not an account this consent gives access to.', 'AccountId');
}
