// What a route handler of the mock OBIE v3.1 Account and Transaction API receives and returns: data
// routes get the access the consent gives; consent routes get the calling client and the JSON body.
import type { PrismaClient } from '../db/client.ts';
import type { ConsentStore } from '../consent/store.ts';
import type { PaymentStore } from '../payments/store.ts';
import type { Access, Caller } from './access.ts';

export interface ApiRequest {
  prisma: PrismaClient;
  access: Access;
  /** The request URL as the API received it (path under /open-banking/v3.1/aisp, query). */
  url: URL;
  /** Path parameters, percent-decoded (e.g. AccountId). */
  params: Readonly<Record<string, string>>;
  /** Scheme, host and path prefix the client used at the gateway: where Links point. */
  base: string;
}

/** A successful answer; errors are thrown as ObieError. */
export interface ApiResponse {
  status?: number;
  body: unknown;
}

export type Handler = (r: ApiRequest) => Promise<ApiResponse>;

/** What every consent or payment request carries: the caller, the URL and its parameters, the body. */
interface ResourceRequest {
  caller: Caller;
  url: URL;
  params: Readonly<Record<string, string>>;
  base: string;
  /** The parsed JSON body (undefined without one). */
  body: unknown;
}

/** A request to a consent resource (client-credentials token; no customer data). */
export interface ConsentRequest extends ResourceRequest {
  consents: ConsentStore;
}

export type ConsentHandler = (r: ConsentRequest) => Promise<ApiResponse>;

/** Links.Self of a response that is not paginated. */
export const selfLink = (r: ApiRequest) => ({ Self: `${r.base}${r.url.pathname}${r.url.search}` });

/** A request to the Payment Initiation API (consents and payments of the calling client). */
export interface PaymentRequest extends ResourceRequest {
  prisma: PrismaClient;
  payments: PaymentStore;
}

export type PaymentHandler = (r: PaymentRequest) => Promise<ApiResponse>;
