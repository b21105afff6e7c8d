// OBIE v3.1 Payment Initiation API, domestic payments: POST / GET /domestic-payment-consents[/{ConsentId}]
// (OBWriteDomesticConsent4 in, OBWriteDomesticConsentResponse5 out), GET .../{ConsentId}/funds-confirmation
// (OBWriteFundsConfirmationResponse1), POST / GET /domestic-payments[/{DomesticPaymentId}] (OBWriteDomestic2
// in, OBWriteDomesticResponse5 out). The payment must repeat the consent's Initiation and Risk exactly.
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { forbiddenUnlessClientToken } from '../access.ts';
import type { PaymentHandler, PaymentRequest } from '../context.ts';
import { ObieError, badRequest, forbidden, isoDateTime, type ObieErrorItem } from '../obie.ts';
import { obieErrors } from './consents.ts';
import { PaymentConsentStateError, type DomesticPayment, type Initiation, type PaymentConsent } from '../../payments/store.ts';

export const PISP_BASE = '/open-banking/v3.1/pisp';

const text = (max: number) => z.string().min(1).max(max);
const AMOUNT = /^\d{1,13}$|^\d{1,13}\.\d{1,5}$/;

const account = (nameRequired: boolean) => z.strictObject({
  SchemeName: text(40),
  Identification: text(256),
  Name: nameRequired ? text(350) : text(350).optional(),
  SecondaryIdentification: text(34).optional(),
});

/** OBWriteDomestic2DataInitiation (the fields this bank supports). */
const initiation = z.strictObject({
  InstructionIdentification: text(35),
  EndToEndIdentification: text(35),
  LocalInstrument: text(50).optional(),
  InstructedAmount: z.strictObject({
    Amount: z.string().regex(AMOUNT, 'must be a decimal amount such as 165.88').refine((v) => Number(v) > 0, 'must be more than zero'),
    Currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP'),
  }),
  DebtorAccount: account(false).optional(),
  CreditorAccount: account(true),
  RemittanceInformation: z.strictObject({ Unstructured: text(140).optional(), Reference: text(35).optional() }).optional(),
});

/** OBWriteDomesticConsent4. */
const consentBody = z.object({
  Data: z.strictObject({ ReadRefundAccount: z.enum(['Yes', 'No']).optional(), Initiation: initiation }),
  Risk: z.looseObject({}),
});

/** OBWriteDomestic2. */
const paymentBody = z.object({
  Data: z.strictObject({ ConsentId: text(128), Initiation: initiation }),
  Risk: z.looseObject({}),
});

function parse<T>(schema: z.ZodType<T>, body: unknown, name: string): T {
  if (body === undefined) throw new ObieError(400, 'The request is invalid.', [{ ErrorCode: 'UK.OBIE.Field.Missing', Message: `The request needs a JSON body (${name}).`, Path: 'Data' }]);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ObieError(400, 'The request is invalid.', obieErrors(parsed.error.issues, body, name));
  return parsed.data;
}

const notFound = (what: string, id: string, clientId: string, path: string) =>
  new ObieError(404, 'Not found.', [{ ErrorCode: 'UK.OBIE.Resource.NotFound', Message: `No ${what} ${id.slice(0, 128)} for client ${clientId}.`, Path: path }]);

const consentLink = (r: PaymentRequest, id: string) => `${r.base}${PISP_BASE}/domestic-payment-consents/${encodeURIComponent(id)}`;

/** OBWriteDomesticConsentResponse5. */
function consentResponse(r: PaymentRequest, c: PaymentConsent, status = 200) {
  return {
    status,
    body: {
      Data: {
        ConsentId: c.id,
        CreationDateTime: isoDateTime(c.createdAt),
        Status: c.status,
        StatusUpdateDateTime: isoDateTime(c.statusUpdatedAt),
        Initiation: c.initiation,
      },
      Risk: c.risk,
      Links: { Self: consentLink(r, c.id) },
      Meta: {},
    },
  };
}

/** OBWriteDomesticResponse5. */
function paymentResponse(r: PaymentRequest, p: DomesticPayment, c: PaymentConsent, status = 200) {
  return {
    status,
    body: {
      Data: {
        DomesticPaymentId: p.id,
        ConsentId: p.consentId,
        CreationDateTime: isoDateTime(p.createdAt),
        Status: p.status,
        StatusUpdateDateTime: isoDateTime(p.statusUpdatedAt),
        Initiation: c.initiation,
      },
      Links: { Self: `${r.base}${PISP_BASE}/domestic-payments/${encodeURIComponent(p.id)}` },
      Meta: {},
    },
  };
}

/** The consent `id` if it is the caller's; another client's consent is answered like an unknown one. */
async function ownConsent(r: PaymentRequest, id: string): Promise<PaymentConsent> {
  const consent = await r.payments.findConsent(id);
  if (!consent || consent.clientId !== r.caller.clientId) throw notFound('domestic payment consent', id, r.caller.clientId, 'ConsentId');
  return consent;
}

/**
 * The consent the customer's access token was issued for (openbanking_intent_id), which must be
 * `named` (path or body), this client's, Authorised and authorised by the token's subject.
 */
async function tokenConsent(r: PaymentRequest, named: string, path: string): Promise<PaymentConsent> {
  if (r.caller.consentId === null) {
    throw forbidden('UK.OBIE.Resource.ConsentMismatch', 'This resource takes the access token the customer authorised the payment consent with (authorization code grant), not a client-credentials token.', 'Authorization');
  }
  if (r.caller.consentId !== named) {
    throw badRequest('UK.OBIE.Resource.ConsentMismatch', `${path} ${named.slice(0, 128)} is not the consent the access token was issued for (${r.caller.consentId.slice(0, 128)}).`, path);
  }
  const consent = await r.payments.findConsent(named);
  if (!consent || consent.clientId !== r.caller.clientId) {
    throw forbidden('UK.OBIE.Resource.ConsentMismatch', `The access token names ${named.slice(0, 128)}, which is not a payment consent of this client.`, path);
  }
  if (consent.status !== 'Authorised') {
    throw forbidden('UK.OBIE.Resource.InvalidConsentStatus', `The payment consent ${consent.id} is ${consent.status}, not Authorised.`, path);
  }
  if (r.caller.subject !== consent.customerId) {
    throw forbidden('UK.OBIE.Resource.ConsentMismatch', `The payment consent ${consent.id} was not authorised by the customer this token was issued for.`, 'Authorization');
  }
  return consent;
}

/** Where the payment's Initiation or Risk differs from the consent's (OBIE: the ASPSP must not process it). */
function mismatches(consent: PaymentConsent, initiationSent: Initiation, risk: Record<string, unknown>): ObieErrorItem[] {
  const items: ObieErrorItem[] = [];
  const keys = new Set([...Object.keys(consent.initiation), ...Object.keys(initiationSent)]);
  for (const key of keys) {
    if (!isDeepStrictEqual(consent.initiation[key], initiationSent[key])) {
      items.push({ ErrorCode: 'UK.OBIE.Resource.ConsentMismatch', Message: `Data.Initiation.${key} differs from the consent's.`, Path: `Data.Initiation.${key}` });
    }
  }
  if (!isDeepStrictEqual(consent.risk, risk)) items.push({ ErrorCode: 'UK.OBIE.Resource.ConsentMismatch', Message: "Risk differs from the consent's.", Path: 'Risk' });
  return items;
}

export const createPaymentConsent: PaymentHandler = async (r) => {
  forbiddenUnlessClientToken(r.caller);
  const { Data, Risk } = parse(consentBody, r.body, 'OBWriteDomesticConsent4');
  const consent = await r.payments.createConsent(r.caller.clientId, Data.Initiation as Initiation, Risk);
  return consentResponse(r, consent, 201);
};

export const getPaymentConsent: PaymentHandler = async (r) => {
  forbiddenUnlessClientToken(r.caller);
  return consentResponse(r, await ownConsent(r, r.params.ConsentId ?? ''));
};

/** Funds available when the debtor account's InterimAvailable balance covers the amount (same currency). */
export const fundsConfirmation: PaymentHandler = async (r) => {
  const consent = await tokenConsent(r, r.params.ConsentId ?? '', 'ConsentId');
  const balance = await r.prisma.balance.findFirst({ where: { accountId: consent.debtorAccountId ?? '', type: 'InterimAvailable' } });
  const { Amount, Currency } = consent.initiation.InstructedAmount;
  const available = balance !== null && balance.currency === Currency && balance.creditDebit === 'Credit' && Number(balance.amount) >= Number(Amount);
  return {
    body: {
      Data: { FundsAvailableResult: { FundsAvailableDateTime: isoDateTime(new Date()), FundsAvailable: available } },
      Links: { Self: `${consentLink(r, consent.id)}/funds-confirmation` },
      Meta: {},
    },
  };
};

export const createDomesticPayment: PaymentHandler = async (r) => {
  const { Data, Risk } = parse(paymentBody, r.body, 'OBWriteDomestic2');
  const consent = await tokenConsent(r, Data.ConsentId, 'Data.ConsentId');
  const problems = mismatches(consent, Data.Initiation as Initiation, Risk);
  if (problems.length) throw new ObieError(400, 'The payment does not match its consent.', problems);
  try {
    return paymentResponse(r, await r.payments.submit(consent.id), consent, 201);
  } catch (err) {
    if (err instanceof PaymentConsentStateError) throw forbidden('UK.OBIE.Resource.InvalidConsentStatus', `The payment consent ${consent.id} is ${err.consent.status}, not Authorised.`, 'Data.ConsentId');
    throw err;
  }
};

export const getDomesticPayment: PaymentHandler = async (r) => {
  forbiddenUnlessClientToken(r.caller);
  const id = r.params.DomesticPaymentId ?? '';
  const found = await r.payments.findPayment(id);
  if (!found || found.clientId !== r.caller.clientId) throw notFound('domestic payment', id, r.caller.clientId, 'DomesticPaymentId');
  const payment = (await r.payments.settle(found.id))!;
  const consent = (await r.payments.findConsent(payment.consentId))!;
  return paymentResponse(r, payment, consent);
};
