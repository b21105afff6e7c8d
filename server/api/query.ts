// Query parameters of the OBIE v3.1 Account and Transaction API "Filtering" section
// (fromBookingDateTime / toBookingDateTime) and this API's `page` parameter ("Pagination").
import { badRequest } from './obie.ts';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The value of a query parameter given at most once; 400 when it is repeated. */
export function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) throw badRequest('UK.OBIE.Field.Invalid', `${name} is given ${all.length} times; give it once.`, name);
  return all[0];
}

/**
 * An OBIE booking date-time filter. The specification: "The UTC ISO 8601 Date Time to filter
 * transactions ... Time component is optional - set to 00:00:00 for just Date. If the Date Time
 * contains a timezone, the ASPSP must ignore the timezone component." So the wall-clock time is read
 * as UTC and a date alone means midnight (for `to` too). Anything else is 400 UK.OBIE.Field.InvalidDate.
 */
export function parseBookingDateTime(value: string, name: string): Date {
  const invalid = () => badRequest('UK.OBIE.Field.InvalidDate', `${name} must be an ISO 8601 date or date-time such as 2024-01-31 or 2024-01-31T09:30:00.`, name);
  const m = DATE_TIME.exec(value);
  if (!m) throw invalid();
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (zone && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(-2));
    if (zh > 23 || zm > 59) throw invalid();
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw invalid();
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, Number(frac.slice(0, 3).padEnd(3, '0'))));
  date.setUTCFullYear(year);
  if (date.getUTCDate() !== day) throw invalid(); // 2024-02-30 rolled over
  return date;
}

/** The optional from/to filters; 400 when `to` is before `from`. */
export function bookingRange(params: URLSearchParams): { from?: Date; to?: Date } {
  const rawFrom = single(params, 'fromBookingDateTime');
  const rawTo = single(params, 'toBookingDateTime');
  const from = rawFrom === undefined ? undefined : parseBookingDateTime(rawFrom, 'fromBookingDateTime');
  const to = rawTo === undefined ? undefined : parseBookingDateTime(rawTo, 'toBookingDateTime');
  if (from && to && to < from) {
    throw badRequest('UK.OBIE.Field.InvalidDate', 'toBookingDateTime must not be before fromBookingDateTime.', 'toBookingDateTime');
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** The requested page number (default 1); 400 unless a positive integer. The upper bound is checked once the total is known. */
export function parsePage(params: URLSearchParams): number {
  const raw = single(params, 'page');
  if (raw === undefined) return 1;
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw badRequest('UK.OBIE.Field.Invalid', 'page must be a positive integer.', 'page');
  return Number(raw);
}
