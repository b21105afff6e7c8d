// Starts the whole bundled stack for a test file: free ports, no web UI, a fresh database, the
// shared certs/. Also signs access tokens with the IdP's own keys, so claim edge cases can be
// tested without bending the IdP.
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { startStack, type Stack } from '../../server/stack.ts';
import { send, type Exchange } from '../../server/engine/http-client.ts';
import type { CertMaterial } from '../../server/engine/target.ts';
import { certsDir, tempDataDir } from './paths.ts';

export interface TestStack {
  stack: Stack;
  stop(): Promise<void>;
}

export async function startTestStack(label: string, overrides: Parameters<typeof startStack>[0] = {}): Promise<TestStack> {
  const data = tempDataDir(label);
  const stack = await startStack({
    ui: false, quiet: true, dataDir: data.dir, certsDir: certsDir(),
    ports: { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0 },
    ...overrides,
  });
  return {
    stack,
    async stop() {
      await stack.stop();
      data.remove();
    },
  };
}

export function material(stack: Stack, name: string): CertMaterial {
  const m = stack.pki.cert(name);
  return { name, chain: m.chain, key: m.key, summary: m.entry };
}

/** Signs an access token with the IdP's PS256 key (or the alg given), with sensible defaults. */
export async function idpToken(stack: Stack, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const alg = (header.alg as string | undefined) ?? 'PS256';
  const jwk = stack.pki.idpJwks.keys.find((k) => k.alg === alg) as JWK & { kid: string };
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: stack.idp.issuer, aud: 'urn:fapi-sandbox:ob-api', client_id: 'tpp-alpha', scope: 'accounts',
    iat: now, exp: now + 300, jti: randomUUID(), ...claims,
  })
    .setProtectedHeader({ alg, typ: 'at+jwt', kid: jwk.kid, ...header })
    .sign(await importJWK(jwk, alg));
}

export const thumbprint = (stack: Stack, name: string) => stack.pki.cert(name).entry.thumbprint;

export interface CallOptions {
  cert?: string | null;
  token?: string;
  scheme?: string;
  headers?: Record<string, string | string[]>;
  method?: string;
  base?: string;
  body?: string;
}

/** GET (by default) on the gateway as the given certificate. */
export function callGateway(stack: Stack, path: string, opts: CallOptions = {}): Promise<Exchange> {
  const headers: Record<string, string | string[]> = { accept: 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `${opts.scheme ?? 'Bearer'} ${opts.token}`;
  return send({
    method: opts.method ?? 'GET', url: (opts.base ?? stack.urls.gateway) + path, headers, ca: stack.pki.rootCa,
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    cert: opts.cert === null || opts.cert === undefined ? null : material(stack, opts.cert),
  });
}

export const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The gateway's decision for an exchange, and the outcome of one check in it. */
export function decisionOf(stack: Stack, ex: Exchange) {
  const id = ex.response?.headers['x-fapi-interaction-id'];
  const [decision] = stack.decisions.peek(String(id));
  if (!decision) throw new Error(`no decision recorded for ${String(id)}`);
  return decision;
}

export function outcome(stack: Stack, ex: Exchange, check: string): string {
  return decisionOf(stack, ex).checks.find((c) => c.id === check)?.outcome ?? 'not run';
}

export function failedCheck(stack: Stack, ex: Exchange): string | null {
  return decisionOf(stack, ex).checks.find((c) => c.outcome === 'fail')?.id ?? null;
}
