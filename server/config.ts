// Sandbox configuration: ports, paths and protocol settings, from defaults, FAPI_* environment
// variables and explicit overrides (CLI flags, tests). Port 0 means "any free port".
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Binding } from '../lib/trace/decision.ts';

export interface Ports {
  ui: number;
  idp: number;
  idpMtls: number;
  gateway: number;
  gatewayStrict: number;
  api: number;
}

export interface SandboxConfig {
  /** The fapi-sandbox package root (scenarios/, prisma/migrations, the Next app). */
  rootDir: string;
  dataDir: string;
  certsDir: string;
  /** Address the listeners bind to (127.0.0.1; 0.0.0.0 in a container). The OB API always binds to loopback. */
  bind: string;
  /** Host name in every public URL (the server certificate covers localhost, 127.0.0.1, ::1). */
  publicHost: string;
  ports: Ports;
  /** Start the Next.js UI on ports.ui (the control API is served there either way). */
  ui: boolean;
  dev: boolean;
  quiet: boolean;
  /**
   * The bundled gateway's own key to the mock OB API (FAPI_BUNDLED_GATEWAY_KEY); null = random per
   * start. With it the API trusts the x-sandbox-* identity headers as the bundled gateway's: set it only
   * to let a stand-in (the benchmark's nginx) do exactly the bundled gateway's upstream work.
   */
  bundledGatewayKey: string | null;
  /**
   * The key an external gateway (yours: nginx, Envoy, Kong...) sends in x-sandbox-gateway-key to reach
   * the mock Open Banking API (FAPI_EXTERNAL_GATEWAY_KEY, at least 16 characters); null: only the
   * bundled gateway can. See server/api/external.ts.
   */
  externalGatewayKey: string | null;
  idp: {
    accessTokenAlg: 'PS256' | 'ES256';
    accessTokenTtlSeconds: number;
    /** Demand a server nonce in DPoP proofs at the token endpoint (RFC 9449 §8; FAPI_IDP_DPOP_NONCE=1). */
    dpopNonce: boolean;
  };
  gateway: {
    /** Binding policy of the main Open Banking route. */
    binding: Exclude<Binding, 'bearer'>;
    /** Leeway for exp / nbf / iat of access tokens (seconds). */
    clockToleranceSeconds: number;
    /** Accepted age of a DPoP proof iat, either side of now (seconds). */
    dpopIatWindowSeconds: number;
    /** Leeway for client certificate notBefore / notAfter (seconds). */
    certClockToleranceSeconds: number;
    /**
     * Gateway worker processes (FAPI_GATEWAY_WORKERS): 0 serves the gateway in the main process;
     * N hands its connections to N processes so it uses N cores (server/gateway/workers.ts).
     */
    workers: number;
    /**
     * Trust an external authorization server's tokens instead of the bundled IdP's (mixed mode: your
     * AS, the bundled gateway): its issuer, its JWKS (fetched and cached), and the aud of its tokens.
     */
    externalIssuer: { issuer: string; jwksUri: string; audience: string; ca: string } | null;
  };
}

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'fapi-sandbox') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the fapi-sandbox package root');
    dir = parent;
  }
}

export const ROOT_DIR = findRoot();

export const DEFAULT_PORTS: Ports = { ui: 3000, idp: 8443, idpMtls: 8444, gateway: 9443, gatewayStrict: 9444, api: 9080 };

const PORT_ENV: Record<keyof Ports, string> = {
  ui: 'FAPI_UI_PORT',
  idp: 'FAPI_IDP_PORT',
  idpMtls: 'FAPI_IDP_MTLS_PORT',
  gateway: 'FAPI_GATEWAY_PORT',
  gatewayStrict: 'FAPI_GATEWAY_STRICT_PORT',
  api: 'FAPI_API_PORT',
};

/** A bad setting (an environment variable out of range): the CLI prints its message, no stack trace. */
export class ConfigError extends Error {}

function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be an integer 0..65535, got "${raw}"`);
  return n;
}

function envCount(env: NodeJS.ProcessEnv, name: string, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${name} must be an integer 0..${max}, got "${raw}"`);
  return n;
}

function envKey(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (raw.length < 16) throw new Error(`${name} must be at least 16 characters, got ${raw.length}`);
  return raw;
}

function envChoice<T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}

function externalGatewayKey(key: string | null): string | null {
  if (key !== null && key.length < 16) throw new Error('FAPI_EXTERNAL_GATEWAY_KEY must be at least 16 characters');
  return key;
}

export type ConfigOverrides = Partial<Omit<SandboxConfig, 'ports' | 'idp' | 'gateway'>> & {
  ports?: Partial<Ports>;
  idp?: Partial<SandboxConfig['idp']>;
  gateway?: Partial<SandboxConfig['gateway']>;
};

/** Builds the configuration: defaults < environment < overrides. */
export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const ports = Object.fromEntries(
    (Object.keys(DEFAULT_PORTS) as (keyof Ports)[]).map((k) => [k, envInt(env, PORT_ENV[k], DEFAULT_PORTS[k])]),
  ) as unknown as Ports;
  const rootDir = overrides.rootDir ?? ROOT_DIR;
  return {
    rootDir,
    dataDir: path.resolve(overrides.dataDir ?? env.FAPI_DATA_DIR ?? path.join(rootDir, 'data')),
    certsDir: path.resolve(overrides.certsDir ?? env.FAPI_CERTS_DIR ?? path.join(rootDir, 'certs')),
    bind: overrides.bind ?? env.FAPI_BIND ?? '127.0.0.1',
    publicHost: overrides.publicHost ?? env.FAPI_PUBLIC_HOST ?? 'localhost',
    ports: { ...ports, ...overrides.ports },
    ui: overrides.ui ?? true,
    dev: overrides.dev ?? env.NODE_ENV === 'development',
    quiet: overrides.quiet ?? false,
    bundledGatewayKey: overrides.bundledGatewayKey ?? envKey(env, 'FAPI_BUNDLED_GATEWAY_KEY'),
    externalGatewayKey: externalGatewayKey(overrides.externalGatewayKey !== undefined ? overrides.externalGatewayKey : (env.FAPI_EXTERNAL_GATEWAY_KEY || null)),
    idp: {
      accessTokenAlg: envChoice(env, 'FAPI_ACCESS_TOKEN_ALG', ['PS256', 'ES256'] as const, 'PS256'),
      accessTokenTtlSeconds: 600,
      dpopNonce: envChoice(env, 'FAPI_IDP_DPOP_NONCE', ['0', '1'] as const, '0') === '1',
      ...overrides.idp,
    },
    gateway: {
      binding: envChoice(env, 'FAPI_GATEWAY_BINDING', ['mtls', 'dpop', 'either'] as const, 'either'),
      clockToleranceSeconds: 5,
      dpopIatWindowSeconds: 60,
      certClockToleranceSeconds: 0,
      workers: envCount(env, 'FAPI_GATEWAY_WORKERS', 64),
      externalIssuer: null,
      ...overrides.gateway,
    },
  };
}
