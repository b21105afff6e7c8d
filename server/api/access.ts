// Who may read what: the gateway-key check (only the gateway may call this upstream), the caller
// identity the gateway forwards, and the access a request gets (customer, accounts, OBIE v3.1
// Account and Transaction API "Permissions"): from the authorised consent the token names, or the
// demo customer for client-credentials tokens.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PrismaClient } from '../db/client.ts';
import { isExpired, type ConsentStore } from '../consent/store.ts';
import { ObieError, forbidden, isoDateTime } from './obie.ts';

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
  /** The token's sub: the client itself for client credentials, the customer for a consent journey. */
  subject: string | null;
  binding: 'mtls' | 'dpop' | 'bearer' | null;
}

/** What one request may read. */
export interface Access {
  customerId: string;
  /** The accounts the consent covers; null = every account of the customer. */
  accountIds: readonly string[] | null;
  permissions: ReadonlySet<Permission>;
  /** The consent's TransactionFromDateTime / TransactionToDateTime, when it sets them. */
  transactionsFrom?: Date;
  transactionsTo?: Date;
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
    subject: one('x-sandbox-subject'),
    binding: binding === 'mtls' || binding === 'dpop' || binding === 'bearer' ? binding : null,
  };
}

/** 403 unless the token granted `scope`. */
export function requireScope(caller: Caller, scope: string): void {
  if (!caller.scopes.has(scope)) {
    throw forbidden('UK.OBIE.Resource.ConsentMismatch', `The access token does not grant the "${scope}" scope.`, 'scope');
  }
}

/** Whether the token was issued to the client itself (client credentials), not for a customer. */
export const isClientToken = (caller: Caller) => caller.consentId === null && (caller.subject === null || caller.subject === caller.clientId);

/** 403 unless a client-credentials token: consent resources belong to the TPP, not to a customer session (OBIE). */
export function forbiddenUnlessClientToken(caller: Caller): void {
  if (!isClientToken(caller)) {
    throw forbidden('UK.OBIE.Resource.ConsentMismatch', 'Consent resources take a client-credentials access token, not one issued for a customer.', 'Authorization');
  }
}

const invalidStatus = (message: string) => forbidden('UK.OBIE.Resource.InvalidConsentStatus', message, 'ConsentId');

/**
 * The access of a request. A client-credentials token (no consent): every account of the demo
 * customer with every read permission, a documented sandbox shortcut. A token naming a consent: the
 * consent must be this client's, Authorised, unexpired and granted to the token's subject; the
 * request then sees the selected accounts, the granted permissions and the transaction window.
 */
export function consentAccess(consents: ConsentStore): AccessResolver {
  return async (_prisma, caller) => {
    if (caller.consentId === null) {
      if (!isClientToken(caller)) throw invalidStatus('The access token was issued for a customer but names no consent.');
      return { customerId: DEMO_CUSTOMER_ID, accountIds: null, permissions: new Set(ALL_PERMISSIONS) };
    }
    const consent = await consents.find(caller.consentId);
    if (!consent || consent.clientId !== caller.clientId) throw invalidStatus('The consent is unknown to this API.');
    if (consent.status !== 'Authorised') throw invalidStatus(`The consent ${consent.id} is ${consent.status}.`);
    if (isExpired(consent)) throw invalidStatus(`The consent ${consent.id} expired at ${isoDateTime(consent.expirationDateTime!)}.`);
    if (!consent.customerId || !consent.accountIds || (caller.subject !== null && caller.subject !== consent.customerId)) {
      throw invalidStatus(`The consent ${consent.id} was not authorised by the customer this token was issued for.`);
    }
    return {
      customerId: consent.customerId,
      accountIds: consent.accountIds,
      permissions: new Set(consent.permissions),
      ...(consent.transactionFromDateTime ? { transactionsFrom: consent.transactionFromDateTime } : {}),
      ...(consent.transactionToDateTime ? { transactionsTo: consent.transactionToDateTime } : {}),
    };
  };
}

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
