// OBIE Read/Write API v3.1 building blocks: the error response (Read/Write Data API "Error Response
// Structure", OBErrorResponse1), ISODateTime and amount formatting, and the Links / Meta of a
// response built from the gateway's forwarded URL (Read/Write Data API "Pagination").
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The OBIE error codes this API answers with (OBErrorResponseError1.ErrorCode). */
export type ObieErrorCode =
  | 'UK.OBIE.Field.Expected'
  | 'UK.OBIE.Field.Invalid'
  | 'UK.OBIE.Field.InvalidDate'
  | 'UK.OBIE.Field.Missing'
  | 'UK.OBIE.Field.Unexpected'
  | 'UK.OBIE.Header.Invalid'
  | 'UK.OBIE.Header.Missing'
  | 'UK.OBIE.Resource.ConsentMismatch'
  | 'UK.OBIE.Resource.InvalidConsentStatus'
  | 'UK.OBIE.Resource.InvalidFormat'
  | 'UK.OBIE.Resource.NotFound'
  | 'UK.OBIE.Signature.Invalid'
  | 'UK.OBIE.Signature.InvalidClaim'
  | 'UK.OBIE.Signature.Malformed'
  | 'UK.OBIE.Signature.Missing'
  | 'UK.OBIE.Signature.MissingClaim'
  | 'UK.OBIE.UnexpectedError';

export interface ObieErrorItem {
  ErrorCode: ObieErrorCode;
  Message: string;
  Path?: string;
}

/** OBErrorResponse1. */
export interface ObieErrorBody {
  Code: string;
  Id: string;
  Message: string;
  Errors: ObieErrorItem[];
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  500: 'InternalServerError',
};

/** A 4xx/5xx answer with an OBIE error body; route handlers throw it, index.ts serializes it. */
export class ObieError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: ObieErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ObieError';
  }

  body(): ObieErrorBody {
    return { Code: `${this.status} ${REASONS[this.status] ?? 'Error'}`, Id: randomUUID(), Message: this.message, Errors: this.errors };
  }
}

/** 400 with one error item naming the offending field. */
export const badRequest = (code: ObieErrorCode, message: string, path?: string) =>
  new ObieError(400, 'The request is invalid.', [{ ErrorCode: code, Message: message, ...(path === undefined ? {} : { Path: path }) }]);

export const forbidden = (code: ObieErrorCode, message: string, path?: string) =>
  new ObieError(403, 'The request is not allowed.', [{ ErrorCode: code, Message: message, ...(path === undefined ? {} : { Path: path }) }]);

/** Writes a JSON response with the OBIE headers (content type, interaction id, no caching). */
export function sendJson(res: ServerResponse, status: number, body: unknown, interactionId: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-fapi-interaction-id': interactionId,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** OBIE ISODateTime as in the specification's examples: `2017-04-05T10:43:07+00:00`. */
export function isoDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Pence (an integer, may be negative) as an OBIE amount string without sign: 123456 -> "1234.56". */
export function formatPence(pence: number): string {
  if (!Number.isSafeInteger(pence)) throw new RangeError(`not an integer amount of pence: ${pence}`);
  const abs = Math.abs(pence);
  return `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A stored signed decimal ("-12.30") as an OBIE amount and indicator. */
export function signedAmount(value: string): { Amount: string; CreditDebitIndicator: 'Credit' | 'Debit' } {
  return value.startsWith('-')
    ? { Amount: value.slice(1), CreditDebitIndicator: 'Debit' }
    : { Amount: value, CreditDebitIndicator: 'Credit' };
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
const PREFIX = /^(?:\/[A-Za-z0-9._~-]+){0,8}$/;

/**
 * The public origin and path prefix the client used, from the gateway's x-forwarded-proto / -host /
 * -prefix; values that do not look like a scheme, host or path prefix fall back to this listener's.
 */
export function publicBase(req: IncomingMessage): string {
  const one = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const proto = one('x-forwarded-proto')?.toLowerCase();
  const fwdHost = one('x-forwarded-host');
  const prefix = one('x-forwarded-prefix') ?? '';
  const scheme = proto === 'https' || proto === 'http' ? proto : 'http';
  const host = fwdHost && HOST.test(fwdHost) ? fwdHost : req.headers.host && HOST.test(req.headers.host) ? req.headers.host : '127.0.0.1';
  return `${scheme}://${host}${PREFIX.test(prefix) ? prefix : ''}`;
}

/** OBIE Links: Self always; First / Prev / Next / Last only where the page has them. */
export interface Links {
  Self: string;
  First?: string;
  Prev?: string;
  Next?: string;
  Last?: string;
}

/**
 * Links for page `page` of `totalPages` of the request URL `url` (path + query as received): Self is
 * the URL as requested; the others keep every query parameter and set `page`.
 */
export function pageLinks(base: string, url: URL, page: number, totalPages: number): Links {
  const self = `${base}${url.pathname}${url.search}`;
  const at = (n: number) => {
    const q = new URLSearchParams(url.searchParams);
    q.set('page', String(n));
    return `${base}${url.pathname}?${q.toString()}`;
  };
  const links: Links = { Self: self };
  if (totalPages > 1) links.First = at(1);
  if (page > 1) links.Prev = at(page - 1);
  if (page < totalPages) links.Next = at(page + 1);
  if (totalPages > 1) links.Last = at(totalPages);
  return links;
}
