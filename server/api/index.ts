// The mock Open Banking API (UK OBIE Read/Write API v3.1: Account and Transaction API under /aisp,
// Payment Initiation API domestic payments under /pisp), the gateway's plain-HTTP upstream on loopback: gateway key -> route -> scope -> access (consent) -> handler, errors
// as OBErrorResponse1. The route table below is the whole API surface.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrismaClient } from '../db/client.ts';
import { ConsentStore } from '../consent/store.ts';
import { callerFrom, consentAccess, forbiddenUnlessClientToken, requireGateway, requireScope, type AccessResolver } from './access.ts';
import type { ConsentHandler, Handler, PaymentHandler } from './context.ts';
import { ObieError, badRequest, publicBase, sendJson } from './obie.ts';
import { externalCaller, fromExternalGateway, type ExternalGatewayOptions } from './external.ts';
import { getAccount, listAccounts } from './routes/accounts.ts';
import { accountBalances, bulkBalances } from './routes/balances.ts';
import { accountTransactions, bulkTransactions } from './routes/transactions.ts';
import { createConsent, deleteConsent, getConsent } from './routes/consents.ts';
import { PISP_BASE, createDomesticPayment, createPaymentConsent, fundsConfirmation, getDomesticPayment, getPaymentConsent } from './routes/payments.ts';
import { PaymentStore } from '../payments/store.ts';
import { IdempotencyStore, idempotencyKey } from './idempotency.ts';
import { verifyRequestSignature } from './signature.ts';
import type { Directory } from '../directory/index.ts';
import { JWS_SIGNATURE_HEADER, signDetached } from '../directory/jws.ts';

export { seedBank } from './seed.ts';

export const BASE_PATH = '/open-banking/v3.1/aisp';

/**
 * data: customer data, read with the access a consent (or the demo shortcut) gives; consent: the consent
 * resources; payment: the Payment Initiation API (base PISP_BASE; each handler checks its token kind).
 */
type Route = { method: 'GET' | 'POST' | 'DELETE'; path: string; scope: string }
  & ({ kind: 'data'; handler: Handler } | { kind: 'consent'; handler: ConsentHandler } | { kind: 'payment'; handler: PaymentHandler; idempotent?: true; signed?: true });

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/account-access-consents', scope: 'accounts', kind: 'consent', handler: createConsent },
  { method: 'GET', path: '/account-access-consents/{ConsentId}', scope: 'accounts', kind: 'consent', handler: getConsent },
  { method: 'DELETE', path: '/account-access-consents/{ConsentId}', scope: 'accounts', kind: 'consent', handler: deleteConsent },
  { method: 'GET', path: '/accounts', scope: 'accounts', kind: 'data', handler: listAccounts },
  { method: 'GET', path: '/accounts/{AccountId}', scope: 'accounts', kind: 'data', handler: getAccount },
  { method: 'GET', path: '/accounts/{AccountId}/balances', scope: 'accounts', kind: 'data', handler: accountBalances },
  { method: 'GET', path: '/accounts/{AccountId}/transactions', scope: 'accounts', kind: 'data', handler: accountTransactions },
  { method: 'GET', path: '/balances', scope: 'accounts', kind: 'data', handler: bulkBalances },
  { method: 'GET', path: '/transactions', scope: 'accounts', kind: 'data', handler: bulkTransactions },
  { method: 'POST', path: '/domestic-payment-consents', scope: 'payments', kind: 'payment', handler: createPaymentConsent, idempotent: true, signed: true },
  { method: 'GET', path: '/domestic-payment-consents/{ConsentId}', scope: 'payments', kind: 'payment', handler: getPaymentConsent },
  { method: 'GET', path: '/domestic-payment-consents/{ConsentId}/funds-confirmation', scope: 'payments', kind: 'payment', handler: fundsConfirmation },
  { method: 'POST', path: '/domestic-payments', scope: 'payments', kind: 'payment', handler: createDomesticPayment, idempotent: true, signed: true },
  { method: 'GET', path: '/domestic-payments/{DomesticPaymentId}', scope: 'payments', kind: 'payment', handler: getDomesticPayment },
];

/** The full path of a route: the Account and Transaction API's under BASE_PATH, payments under PISP_BASE. */
export const routePath = (route: Route) => `${route.kind === 'payment' ? PISP_BASE : BASE_PATH}${route.path}`;

const BODY_LIMIT = 64 * 1024;

/** The JSON body of a POST and its bytes: 415 unless application/json, 413 over 64 KiB, 400 when not JSON; json undefined when empty. */
async function readBody(req: IncomingMessage): Promise<{ raw: Buffer; json: unknown }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new ObieError(413, 'The request body is too large.', [{ ErrorCode: 'UK.OBIE.Field.Invalid', Message: `The body is over ${BODY_LIMIT} bytes.` }]);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  if (!size) return { raw, json: undefined };
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ObieError(415, 'Unsupported media type.', [{ ErrorCode: 'UK.OBIE.Header.Invalid', Message: 'Send the body as Content-Type: application/json.', Path: 'Content-Type' }]);
  }
  try {
    return { raw, json: JSON.parse(raw.toString('utf8')) };
  } catch {
    throw new ObieError(400, 'The request is invalid.', [{ ErrorCode: 'UK.OBIE.Resource.InvalidFormat', Message: 'The body is not valid JSON.' }]);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const COMPILED = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, pattern: new RegExp(`^${routePath({ ...route, path: source })}$`) };
});

/** The route for `path` and `method`; 404 for an unknown path, 405 (with Allow) for another method. */
function match(method: string, path: string): { route: Route; params: Record<string, string> } {
  const hits = COMPILED.map((c) => ({ c, m: c.pattern.exec(path) })).filter((h) => h.m !== null);
  if (!hits.length) {
    throw new ObieError(404, 'Not found.', [{ ErrorCode: 'UK.OBIE.Resource.NotFound', Message: `No resource at ${path.slice(0, 200)}.`, Path: 'path' }]);
  }
  const hit = hits.find((h) => h.c.route.method === method);
  if (!hit) {
    const allow = [...new Set(hits.map((h) => h.c.route.method))].join(', ');
    throw new ObieError(405, 'Method not allowed.', [{ ErrorCode: 'UK.OBIE.Field.Invalid', Message: `${method} is not allowed here; use ${allow}.`, Path: 'method' }], { allow });
  }
  const params: Record<string, string> = {};
  hit.c.names.forEach((name, i) => {
    try {
      params[name] = decodeURIComponent(hit.m![i + 1]!);
    } catch {
      throw badRequest('UK.OBIE.Field.Invalid', `${name} is not valid percent-encoding.`, name);
    }
  });
  return { route: hit.c.route, params };
}

export interface BankApiOptions {
  prisma: PrismaClient;
  /** The secret the gateway sends in x-sandbox-gateway-key. */
  gatewaySecret: string;
  /** The bank's account-access consents (default: a store on `prisma`). */
  consents?: ConsentStore;
  /** The bank's payment consents and payments (default: a store on `prisma`). */
  payments?: PaymentStore;
  /** The idempotency keys of the payment POSTs (default: a store on `prisma`, 24-hour keys). */
  idempotency?: IdempotencyStore;
  /** The sandbox directory: TPP keys that sign payment requests, and the bank's key that signs payment answers. */
  directory: Directory;
  /** Which customer, accounts and permissions a request gets (default: consentAccess(consents)). */
  resolveAccess?: AccessResolver;
  /** Also accept requests from an external gateway, which forwards the access token (external.ts). */
  externalGateway?: ExternalGatewayOptions | null;
  /** Where crashes inside handlers are reported (default console.error). */
  log?: (message: string, err: unknown) => void;
}

/** The request listener of the mock Open Banking API. */
export function createBankApi(opts: BankApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  if (typeof opts.gatewaySecret !== 'string' || opts.gatewaySecret.length < 16) {
    throw new Error('createBankApi: gatewaySecret must be a string of at least 16 characters');
  }
  const consents = opts.consents ?? new ConsentStore(opts.prisma);
  const payments = opts.payments ?? new PaymentStore(opts.prisma);
  const idempotency = opts.idempotency ?? new IdempotencyStore(opts.prisma);
  const resolve = opts.resolveAccess ?? consentAccess(consents);
  const log = opts.log ?? ((message: string, err: unknown) => console.error(`[fapi-sandbox] ${message}`, err));

  const bank = opts.directory.signer('bank-signing');
  /** Payment Initiation API answers carry the bank's detached signature of their body (OBIE Message Signing). */
  async function signed(req: IncomingMessage, body: unknown): Promise<Record<string, string>> {
    if (!(req.url ?? '').split('?')[0]!.startsWith(PISP_BASE)) return {};
    return { [JWS_SIGNATURE_HEADER]: await signDetached(JSON.stringify(body), { privateKey: bank.privateKey, kid: bank.kid, iss: bank.iss }) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, interactionId: string): Promise<void> {
    try {
      const external = fromExternalGateway(req, opts.externalGateway ?? null);
      if (!external) requireGateway(req, opts.gatewaySecret);
      const raw = req.url ?? '';
      if (!raw.startsWith('/')) throw new ObieError(404, 'Not found.', [{ ErrorCode: 'UK.OBIE.Resource.NotFound', Message: 'No such resource.', Path: 'path' }]);
      const url = new URL(`http://upstream${raw}`);
      const { route, params } = match(req.method ?? 'GET', url.pathname);
      const caller = external ? await externalCaller(req, opts.externalGateway!) : callerFrom(req);
      requireScope(caller, route.scope);
      const base = publicBase(req);
      let result;
      if (route.kind === 'consent') {
        forbiddenUnlessClientToken(caller);
        const body = route.method === 'POST' ? (await readBody(req)).json : undefined;
        result = await route.handler({ consents, caller, url, params, base, body });
      } else if (route.kind === 'payment') {
        const key = route.idempotent ? idempotencyKey(req) : null;
        const read = route.method === 'POST' ? await readBody(req) : null;
        if (route.signed) {
          await verifyRequestSignature({ value: req.headers[JWS_SIGNATURE_HEADER], body: read!.raw, clientId: caller.clientId, now: Math.floor(Date.now() / 1000), directory: opts.directory });
        }
        const body = read?.json;
        const run = () => route.handler({ prisma: opts.prisma, payments, caller, url, params, base, body });
        result = key === null ? await run() : await idempotency.once({ clientId: caller.clientId, resource: route.path, key, body }, run);
      } else {
        result = await route.handler({ prisma: opts.prisma, access: await resolve(opts.prisma, caller), url, params, base });
      }
      if (result.status === 204) {
        res.writeHead(204, { 'x-fapi-interaction-id': interactionId, 'cache-control': 'no-store' }).end();
        return;
      }
      sendJson(res, result.status ?? 200, result.body, interactionId, await signed(req, result.body));
    } catch (err) {
      if (res.headersSent) {
        log(`OB API: ${req.method} ${req.url} failed after the response started (interaction ${interactionId})`, err);
        res.destroy();
        return;
      }
      if (err instanceof ObieError) {
        const body = err.body();
        const headers = await signed(req, body).catch(() => ({}));
        if (!res.headersSent) sendJson(res, err.status, body, interactionId, { ...err.headers, ...headers });
        return;
      }
      const failure = new ObieError(500, 'Internal server error.', [{ ErrorCode: 'UK.OBIE.UnexpectedError', Message: 'The request could not be completed.' }]);
      const body = failure.body();
      log(`OB API: ${req.method} ${req.url} crashed (interaction ${interactionId}, error ${body.Id})`, err);
      sendJson(res, 500, body, interactionId);
    }
  }

  return (req, res) => {
    const received = req.headers['x-fapi-interaction-id'];
    const interactionId = typeof received === 'string' && UUID.test(received) ? received : randomUUID();
    handle(req, res, interactionId).catch((err: unknown) => {
      log(`OB API: could not answer ${req.method} ${req.url} (interaction ${interactionId})`, err);
      res.destroy();
    });
  };
}
