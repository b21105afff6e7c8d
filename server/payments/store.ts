// The bank's domestic payment consents and payments (OBIE v3.1 Payment Initiation API, "Domestic
// Payment Consents" / "Domestic Payments") and their life cycles: a consent AwaitingAuthorisation ->
// Authorised | Rejected, then Consumed by exactly one payment; a payment AcceptedSettlementInProcess ->
// AcceptedSettlementCompleted. Every status change is one conditional update (no lost races).
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';
import type { DomesticPayment as PaymentRow, PaymentConsent as ConsentRow } from '../../generated/prisma/client.ts';

export type PaymentConsentStatus = 'AwaitingAuthorisation' | 'Authorised' | 'Rejected' | 'Consumed';
export type PaymentStatus = 'AcceptedSettlementInProcess' | 'AcceptedSettlementCompleted';

/** OBWriteDomestic2DataInitiation as the TPP sent it (validated by the route). */
export type Initiation = Record<string, unknown> & {
  InstructedAmount: { Amount: string; Currency: string };
  CreditorAccount: { SchemeName: string; Identification: string; Name: string };
  RemittanceInformation?: { Reference?: string; Unstructured?: string };
};

export interface PaymentConsent {
  id: string;
  clientId: string;
  status: PaymentConsentStatus;
  initiation: Initiation;
  risk: Record<string, unknown>;
  createdAt: Date;
  statusUpdatedAt: Date;
  customerId: string | null;
  debtorAccountId: string | null;
  grantId: string | null;
}

export interface DomesticPayment {
  id: string;
  consentId: string;
  clientId: string;
  status: PaymentStatus;
  createdAt: Date;
  statusUpdatedAt: Date;
}

/** A status change the consent's current status does not allow (e.g. a second payment on one consent). */
export class PaymentConsentStateError extends Error {
  constructor(readonly consent: PaymentConsent, wanted: string) {
    super(`payment consent ${consent.id} is ${consent.status}; it cannot become ${wanted}`);
  }
}

const toConsent = (row: ConsentRow): PaymentConsent => ({
  id: row.id, clientId: row.clientId, status: row.status as PaymentConsentStatus,
  initiation: JSON.parse(row.initiation) as Initiation, risk: JSON.parse(row.risk) as Record<string, unknown>,
  createdAt: row.createdAt, statusUpdatedAt: row.statusUpdatedAt,
  customerId: row.customerId, debtorAccountId: row.debtorAccountId, grantId: row.grantId,
});

const toPayment = (row: PaymentRow): DomesticPayment => ({
  id: row.id, consentId: row.consentId, clientId: row.clientId, status: row.status as PaymentStatus,
  createdAt: row.createdAt, statusUpdatedAt: row.statusUpdatedAt,
});

/** Whether an id looks like one of ours (bounded, so a long path parameter costs no query). */
const plausible = (id: string) => id.length > 0 && id.length <= 128;
/** Consent ids this store gives are pdc-<uuid>, always: another id (an account consent's aac-) is no consent of it, without a query. */
const consentId = (id: string) => plausible(id) && id.startsWith('pdc-');

export class PaymentStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** A new consent of `clientId`, AwaitingAuthorisation, with an unguessable id (pdc-<uuid>). */
  async createConsent(clientId: string, initiation: Initiation, risk: Record<string, unknown>): Promise<PaymentConsent> {
    const now = new Date();
    const row = await this.prisma.paymentConsent.create({
      data: {
        id: `pdc-${randomUUID()}`, clientId, status: 'AwaitingAuthorisation', initiation: JSON.stringify(initiation),
        risk: JSON.stringify(risk), createdAt: now, statusUpdatedAt: now,
      },
    });
    return toConsent(row);
  }

  async findConsent(id: string): Promise<PaymentConsent | null> {
    if (!consentId(id)) return null;
    const row = await this.prisma.paymentConsent.findUnique({ where: { id } });
    return row ? toConsent(row) : null;
  }

  async findConsentByGrant(grantId: string): Promise<PaymentConsent | null> {
    const row = await this.prisma.paymentConsent.findUnique({ where: { grantId } });
    return row ? toConsent(row) : null;
  }

  private async transition(id: string, from: PaymentConsentStatus, to: PaymentConsentStatus, data: Partial<ConsentRow> = {}): Promise<PaymentConsent> {
    const { count } = await this.prisma.paymentConsent.updateMany({ where: { id, status: from }, data: { ...data, status: to, statusUpdatedAt: new Date() } });
    const after = await this.findConsent(id);
    if (!after) throw new Error(`payment consent ${id} does not exist`);
    if (count !== 1) throw new PaymentConsentStateError(after, to);
    return after;
  }

  /** The customer approved: bind the consent to them, the debtor account they chose and the grant. */
  authorise(id: string, by: { customerId: string; debtorAccountId: string; grantId: string }): Promise<PaymentConsent> {
    return this.transition(id, 'AwaitingAuthorisation', 'Authorised', by);
  }

  reject(id: string): Promise<PaymentConsent> {
    return this.transition(id, 'AwaitingAuthorisation', 'Rejected');
  }

  /**
   * The payment of an Authorised consent: the consent becomes Consumed and the payment
   * AcceptedSettlementInProcess in one transaction; a consent not Authorised (already Consumed by
   * another payment, say) throws PaymentConsentStateError and nothing is written.
   */
  async submit(consentId: string): Promise<DomesticPayment> {
    const now = new Date();
    const row = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.paymentConsent.updateMany({ where: { id: consentId, status: 'Authorised' }, data: { status: 'Consumed', statusUpdatedAt: now } });
      if (count !== 1) return null;
      const consent = await tx.paymentConsent.findUniqueOrThrow({ where: { id: consentId } });
      return tx.domesticPayment.create({
        data: { id: `dp-${randomUUID()}`, consentId, clientId: consent.clientId, status: 'AcceptedSettlementInProcess', createdAt: now, statusUpdatedAt: now },
      });
    });
    if (!row) {
      const consent = await this.findConsent(consentId);
      if (!consent) throw new Error(`payment consent ${consentId} does not exist`);
      throw new PaymentConsentStateError(consent, 'Consumed');
    }
    return toPayment(row);
  }

  async findPayment(id: string): Promise<DomesticPayment | null> {
    if (!plausible(id)) return null;
    const row = await this.prisma.domesticPayment.findUnique({ where: { id } });
    return row ? toPayment(row) : null;
  }

  /**
   * Settlement: the mock bank settles a payment by the time the TPP first asks about it, so a read
   * after submission moves AcceptedSettlementInProcess to AcceptedSettlementCompleted (once).
   */
  async settle(id: string): Promise<DomesticPayment | null> {
    await this.prisma.domesticPayment.updateMany({ where: { id, status: 'AcceptedSettlementInProcess' }, data: { status: 'AcceptedSettlementCompleted', statusUpdatedAt: new Date() } });
    return this.findPayment(id);
  }
}
