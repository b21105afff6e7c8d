// POST, GET and DELETE /account-access-consents[/{ConsentId}]: OBIE v3.1 Account and Transaction API
// "Account Access Consents" (OBReadConsent1 in, OBReadConsentResponse1 out). A TPP creates a consent
// with a client-credentials token; the customer authorises it at the bank; DELETE revokes it.
import { z } from 'zod';
import type { Permission } from '../access.ts';
import { permissionProblems } from '../../consent/permissions.ts';
import type { Consent } from '../../consent/store.ts';
import type { ConsentHandler, ConsentRequest } from '../context.ts';
import { ObieError, isoDateTime, type ObieErrorItem } from '../obie.ts';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const dateTime = z.string().refine((v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)), {
  message: 'must be an ISO 8601 date-time with a time zone, e.g. 2030-01-31T00:00:00+00:00',
});

/** OBReadConsent1. */
const consentBody = z.object({
  Data: z.strictObject({
    Permissions: z.array(z.string().max(64)).max(32),
    ExpirationDateTime: dateTime.optional(),
    TransactionFromDateTime: dateTime.optional(),
    TransactionToDateTime: dateTime.optional(),
  }),
  Risk: z.looseObject({}),
});

function invalid(errors: ObieErrorItem[]): ObieError {
  return new ObieError(400, 'The consent request is invalid.', errors);
}

/** The value at a path of the raw body (undefined: absent). */
function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let node = body;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

/** zod issues as OBIE error items: a missing field, an unexpected one, or an invalid one. */
export function obieErrors(issues: z.core.$ZodIssue[], body: unknown, schema = 'OBReadConsent1'): ObieErrorItem[] {
  return issues.slice(0, 10).flatMap((issue): ObieErrorItem[] => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ ErrorCode: 'UK.OBIE.Field.Unexpected', Message: `${k} is not a field of ${schema} ${path || 'body'}.`, Path: path ? `${path}.${k}` : k }));
    }
    if (issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined) {
      return [{ ErrorCode: 'UK.OBIE.Field.Missing', Message: `${path} is required${path === 'Risk' ? ' (an empty object will do: "Risk": {})' : ''}.`, Path: path }];
    }
    const date = /DateTime$/.test(path);
    return [{ ErrorCode: date ? 'UK.OBIE.Field.InvalidDate' : 'UK.OBIE.Field.Invalid', Message: `${path || 'The body'} ${issue.message}.`, ...(path ? { Path: path } : {}) }];
  });
}

/** OBReadConsentResponse1. */
function response(r: ConsentRequest, c: Consent, status = 200) {
  const at = (d: Date | null) => (d ? isoDateTime(d) : undefined);
  return {
    status,
    body: {
      Data: {
        ConsentId: c.id,
        CreationDateTime: isoDateTime(c.createdAt),
        Status: c.status,
        StatusUpdateDateTime: isoDateTime(c.statusUpdatedAt),
        Permissions: c.permissions,
        ...(c.expirationDateTime ? { ExpirationDateTime: at(c.expirationDateTime) } : {}),
        ...(c.transactionFromDateTime ? { TransactionFromDateTime: at(c.transactionFromDateTime) } : {}),
        ...(c.transactionToDateTime ? { TransactionToDateTime: at(c.transactionToDateTime) } : {}),
      },
      Risk: {},
      Links: { Self: `${r.base}/open-banking/v3.1/aisp/account-access-consents/${encodeURIComponent(c.id)}` },
      Meta: { TotalPages: 1 },
    },
  };
}

/** The consent `ConsentId` if it belongs to the caller; another client's consent is answered like an unknown one. */
async function ownConsent(r: ConsentRequest): Promise<Consent> {
  const id = r.params.ConsentId ?? '';
  const consent = id.length <= 128 ? await r.consents.find(id) : null;
  if (!consent || consent.clientId !== r.caller.clientId) {
    throw new ObieError(404, 'Not found.', [{ ErrorCode: 'UK.OBIE.Resource.NotFound', Message: `No account-access consent ${id.slice(0, 128)} for client ${r.caller.clientId}.`, Path: 'ConsentId' }]);
  }
  return consent;
}

export const createConsent: ConsentHandler = async (r) => {
  if (r.body === undefined) throw invalid([{ ErrorCode: 'UK.OBIE.Field.Missing', Message: 'The request needs a JSON body (OBReadConsent1).', Path: 'Data' }]);
  const parsed = consentBody.safeParse(r.body);
  if (!parsed.success) throw invalid(obieErrors(parsed.error.issues, r.body));
  const { Data } = parsed.data;
  const problems = permissionProblems(Data.Permissions);
  if (problems.length) throw invalid(problems.map((Message) => ({ ErrorCode: 'UK.OBIE.Field.Invalid', Message, Path: 'Data.Permissions' })));
  const date = (v: string | undefined) => (v === undefined ? undefined : new Date(v));
  const expiration = date(Data.ExpirationDateTime);
  const from = date(Data.TransactionFromDateTime);
  const to = date(Data.TransactionToDateTime);
  if (expiration && expiration.getTime() <= Date.now()) {
    throw invalid([{ ErrorCode: 'UK.OBIE.Field.InvalidDate', Message: 'ExpirationDateTime is in the past.', Path: 'Data.ExpirationDateTime' }]);
  }
  if (from && to && to < from) {
    throw invalid([{ ErrorCode: 'UK.OBIE.Field.InvalidDate', Message: 'TransactionToDateTime is before TransactionFromDateTime.', Path: 'Data.TransactionToDateTime' }]);
  }
  const consent = await r.consents.create(r.caller.clientId, {
    permissions: [...new Set(Data.Permissions)] as Permission[],
    ...(expiration ? { expirationDateTime: expiration } : {}),
    ...(from ? { transactionFromDateTime: from } : {}),
    ...(to ? { transactionToDateTime: to } : {}),
  });
  return response(r, consent, 201);
};

export const getConsent: ConsentHandler = async (r) => response(r, await ownConsent(r));

/** 204 No Content; the consent stays readable with status Revoked (a real bank may delete it). */
export const deleteConsent: ConsentHandler = async (r) => {
  const consent = await ownConsent(r);
  await r.consents.revoke(consent.id);
  return { status: 204, body: null };
};
