// Test harness for the mock Open Banking API: a fresh seeded database and the API on an ephemeral
// loopback port, called the way the gateway calls it (x-sandbox-* and x-forwarded-* headers).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../server/db/client.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { createBankApi, seedBank, type BankApiOptions } from '../../server/api/index.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';
import { loadPki } from '../../server/pki/load.ts';
import { Directory } from '../../server/directory/index.ts';

export const BASE = '/open-banking/v3.1/aisp';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export interface ApiHarness {
  db: Db;
  /** The sandbox directory of the shared certs/ (signing keys). */
  directory: Directory;
  secret: string;
  url: string;
  /** A request as the gateway forwards it; `headers` override (null removes a default header). */
  call(path: string, opts?: { method?: string; headers?: Record<string, string | null>; body?: string }): Promise<Reply>;
  /** Another listener on the same database with other options (e.g. an access resolver). */
  withOptions(extra: Partial<BankApiOptions>): Promise<{ call: ApiHarness['call']; close(): Promise<void> }>;
  close(): Promise<void>;
}

export const GATEWAY_HEADERS = (secret: string): Record<string, string> => ({
  'x-sandbox-gateway-key': secret,
  'x-sandbox-client-id': 'tpp-alpha',
  'x-sandbox-scope': 'openid accounts',
  'x-sandbox-binding': 'mtls',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'localhost:9443',
  'x-forwarded-prefix': '',
});

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function caller(url: string, secret: string): ApiHarness['call'] {
  return async (path, opts = {}) => {
    const headers: Record<string, string> = { ...GATEWAY_HEADERS(secret) };
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v === null) delete headers[k];
      else headers[k] = v;
    }
    const res = await fetch(`${url}${path}`, { method: opts.method ?? 'GET', headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
}

export async function startApi(label: string, options: Partial<BankApiOptions> = {}): Promise<ApiHarness> {
  const data = tempDataDir(label);
  const db = await openDb(data.dir, ROOT_DIR);
  await seedBank(db.prisma);
  const secret = randomBytes(32).toString('base64url');
  const directory = await Directory.fromPki(await loadPki(certsDir()));
  const main = await listen(createBankApi({ prisma: db.prisma, gatewaySecret: secret, directory, ...options }));
  const extras: { close(): Promise<void> }[] = [];
  return {
    db,
    directory,
    secret,
    url: main.url,
    call: caller(main.url, secret),
    async withOptions(extra) {
      const l = await listen(createBankApi({ prisma: db.prisma, gatewaySecret: secret, directory, ...options, ...extra }));
      extras.push(l);
      return { call: caller(l.url, secret), close: l.close };
    },
    async close() {
      await Promise.all([main.close(), ...extras.map((e) => e.close())]);
      await db.close();
      data.remove();
    },
  };
}

/** Asserts-friendly view of an OBIE error body. */
export function obieError(body: unknown): { Code: string; Id: string; Message: string; Errors: { ErrorCode: string; Message: string; Path?: string }[] } {
  return body as never;
}
