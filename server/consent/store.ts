// The account-access consents of the bank (OBIE v3.1 Account and Transaction API, "Account Access
// Consents") and their life cycle: AwaitingAuthorisation -> Authorised | Rejected, then Revoked.
// The OB API creates, reads and deletes them; the IdP's consent page authorises or rejects them.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';
import type { AccountAccessConsent } from '../../generated/prisma/client.ts';
import type { Permission } from '../api/access.ts';

export type ConsentStatus = 'AwaitingAuthorisation' | 'Authorised' | 'Rejected' | 'Revoked';

export interface Consent {
  id: string;
  clientId: string;
  status: ConsentStatus;
  permissions: Permission[];
  expirationDateTime: Date | null;
  transactionFromDateTime: Date | null;
  transactionToDateTime: Date | null;
  createdAt: Date;
  statusUpdatedAt: Date;
  /** Set once authorised: the customer (PSU), the accounts they selected and the IdP grant. */
  customerId: string | null;
  accountIds: string[] | null;
  grantId: string | null;
}

export interface NewConsent {
  permissions: Permission[];
  expirationDateTime?: Date;
  transactionFromDateTime?: Date;
  transactionToDateTime?: Date;
}

/** A status change that the consent's current status does not allow (e.g. authorising it twice). */
export class ConsentStateError extends Error {
  constructor(readonly consent: Consent, wanted: ConsentStatus) {
    super(`consent ${consent.id} is ${consent.status}; it cannot become ${wanted}`);
  }
}

function toConsent(row: AccountAccessConsent): Consent {
  return {
    id: row.id,
    clientId: row.clientId,
    status: row.status as ConsentStatus,
    permissions: JSON.parse(row.permissions) as Permission[],
    expirationDateTime: row.expirationDateTime,
    transactionFromDateTime: row.transactionFromDateTime,
    transactionToDateTime: row.transactionToDateTime,
    createdAt: row.createdAt,
    statusUpdatedAt: row.statusUpdatedAt,
    customerId: row.customerId,
    accountIds: row.accountIds === null ? null : (JSON.parse(row.accountIds) as string[]),
    grantId: row.grantId,
  };
}

/** Whether the consent's ExpirationDateTime has passed. */
export const isExpired = (c: Consent, now: Date = new Date()) => c.expirationDateTime !== null && c.expirationDateTime.getTime() <= now.getTime();

export type RevokedListener = (consent: Consent) => void | Promise<void>;

/** The consents in SQLite; every status change is one conditional update (no lost races). */
export class ConsentStore {
  private readonly revokedListeners = new Set<RevokedListener>();

  constructor(private readonly prisma: PrismaClient) {}

  /** A new consent of `clientId`, AwaitingAuthorisation, with an unguessable id (aac-<uuid>). */
  async create(clientId: string, req: NewConsent): Promise<Consent> {
    const now = new Date();
    const row = await this.prisma.accountAccessConsent.create({
      data: {
        id: `aac-${randomUUID()}`, clientId, status: 'AwaitingAuthorisation', permissions: JSON.stringify(req.permissions),
        expirationDateTime: req.expirationDateTime ?? null, transactionFromDateTime: req.transactionFromDateTime ?? null,
        transactionToDateTime: req.transactionToDateTime ?? null, createdAt: now, statusUpdatedAt: now,
      },
    });
    return toConsent(row);
  }

  async find(id: string): Promise<Consent | null> {
    // Ids this store gives are aac-<uuid>, always: another id (a payment consent's pdc-) is no consent of it, without a query.
    if (!id.startsWith('aac-')) return null;
    const row = await this.prisma.accountAccessConsent.findUnique({ where: { id } });
    return row ? toConsent(row) : null;
  }

  /** The consent an IdP grant was created for (set when the customer authorised it). */
  async findByGrant(grantId: string): Promise<Consent | null> {
    const row = await this.prisma.accountAccessConsent.findUnique({ where: { grantId } });
    return row ? toConsent(row) : null;
  }

  /** Moves the consent from one of `from` to `to` atomically (a concurrent change wins, this one fails). */
  private async transition(id: string, from: ConsentStatus[], to: ConsentStatus, data: Partial<AccountAccessConsent> = {}): Promise<Consent> {
    const { count } = await this.prisma.accountAccessConsent.updateMany({
      where: { id, status: { in: from } },
      data: { ...data, status: to, statusUpdatedAt: new Date() },
    });
    const after = await this.find(id);
    if (!after) throw new Error(`consent ${id} does not exist`);
    if (count !== 1) throw new ConsentStateError(after, to);
    return after;
  }

  /** The customer approved on the consent page: bind the consent to them, their selected accounts and the grant. */
  authorise(id: string, by: { customerId: string; accountIds: string[]; grantId: string }): Promise<Consent> {
    return this.transition(id, ['AwaitingAuthorisation'], 'Authorised', {
      customerId: by.customerId, accountIds: JSON.stringify(by.accountIds), grantId: by.grantId,
    });
  }

  /** The customer declined on the consent page. */
  reject(id: string): Promise<Consent> {
    return this.transition(id, ['AwaitingAuthorisation'], 'Rejected');
  }

  /**
   * The TPP deleted the consent (or its grant was revoked): Revoked, and the listeners (the IdP)
   * revoke the grant's tokens. A consent already Rejected or Revoked is returned unchanged.
   */
  async revoke(id: string): Promise<Consent | null> {
    const current = await this.find(id);
    if (!current || current.status === 'Rejected' || current.status === 'Revoked') return current;
    let revoked: Consent;
    try {
      revoked = await this.transition(id, ['AwaitingAuthorisation', 'Authorised'], 'Revoked');
    } catch (err) {
      if (err instanceof ConsentStateError) return err.consent;
      throw err;
    }
    for (const listener of this.revokedListeners) await listener(revoked);
    return revoked;
  }

  /** Revokes the consent bound to an IdP grant, if any (the IdP revoked the grant, e.g. on code replay). */
  async revokeByGrant(grantId: string): Promise<Consent | null> {
    const consent = await this.findByGrant(grantId);
    return consent ? this.revoke(consent.id) : null;
  }

  /** Calls `listener` (awaited) after each revocation; returns the unsubscribe function. */
  onRevoked(listener: RevokedListener): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }
}
