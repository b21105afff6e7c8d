// What a route handler of the mock OBIE v3.1 Account and Transaction API receives and returns.
import type { PrismaClient } from '../db/client.ts';
import type { Access } from './access.ts';

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

/** Links.Self of a response that is not paginated. */
export const selfLink = (r: ApiRequest) => ({ Self: `${r.base}${r.url.pathname}${r.url.search}` });
