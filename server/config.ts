// Sandbox configuration: ports, paths and protocol settings, from defaults, FAPI_* environment
// variables and explicit overrides (CLI flags, tests). Port 0 means "any free port".
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Binding } from '../lib/trace/decision.ts';
import { MUTANT_IDS, isMutantId } from '../lib/checks/mutants.ts';

export interface Ports {
  ui: number;
  idp: number;
  idpMtls: number;
  gateway: number;
  gatewayStrict: number;
  api: number;
}

/** The base URL of each listener, once bound. */
export type StackUrls = Record<keyof Ports, string>;

export interface SandboxConfig {
  /** The fapi-sandbox package root (scenarios/, prisma/migrations, the Next app). */
  rootDir: string;
  dataDir: string;
  /**
   * FAPI_DATABASE_URL: `postgresql://...` keeps every store in PostgreSQL (server/db/client.ts); unset,
   * SQLite in `<dataDir>/sandbox.db`; `file:<path>` another SQLite file.
   */
  databaseUrl: string | null;
  certsDir: string;
  /** Address the listeners bind to (127.0.0.1; 0.0.0.0 in a container). The OB API always binds to loopback. */
  bind: string;
  /** Host name in every public URL (the server certificate covers localhost, 127.0.0.1, ::1). */
  publicHost: string;
  /**
   * A listener's public origin when clients reach it through something else, such as a TCP (TLS
   * passthrough) load balancer in front of several instances (FAPI_PUBLIC_IDP_URL, ... see
   * PUBLIC_URL_ENV): the issuer, the DPoP htu check, discovery and the UI's links use it instead of
   * publicHost and the bound port. Unset listeners keep publicHost and their port.
   */
  publicUrls: PublicUrls;
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
    /** Registration (RFC 7591 §3) requires this initial access token as a Bearer token (FAPI_DCR_INITIAL_ACCESS_TOKEN); null: open. */
    dcrInitialAccessToken: string | null;
  };
  gateway: {
    /** Binding policy of the main Open Banking route. */
    binding: Exclude<Binding, 'bearer'>;
    /** Leeway for exp / nbf / iat of access tokens (seconds; FAPI_CLOCK_TOLERANCE_SECONDS). */
    clockToleranceSeconds: number;
    /** Accepted age of a DPoP proof iat, either side of now (seconds; FAPI_DPOP_IAT_WINDOW_SECONDS). */
    dpopIatWindowSeconds: number;
    /** Leeway for client certificate notBefore / notAfter (seconds; FAPI_CERT_CLOCK_TOLERANCE_SECONDS). */
    certClockToleranceSeconds: number;
    /** Client certificate revocation on the chain-checking routes (FAPI_GATEWAY_REVOCATION): ignore, crl (default: unknown status accepted) or strict (refused). */
    revocation: 'ignore' | 'crl' | 'strict';
    /** How long the phantom route reuses an active introspection result (seconds, 0 = never; FAPI_INTROSPECTION_CACHE_SECONDS). */
    introspectionCacheSeconds: number;
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
    /**
     * Mutants (FAPI_GATEWAY_DISABLE_CHECK, comma-separated ids of lib/checks/mutants.ts): gateway checks
     * that always pass. Tests and benchmarks only: refused unless FAPI_ALLOW_MUTANTS=1 or NODE_ENV=test.
     */
    disabledChecks: readonly string[];
  };
  /** Limits every listener enforces (see server/limits.ts). */
  limits: ServerLimits;
  /**
   * Host names the UI port answers to (DNS-rebinding protection): the loopback names, publicHost, a
   * specific bind address, and FAPI_ALLOWED_HOSTS (comma-separated; "*" turns the check off).
   */
  allowedHosts: readonly string[];
  /**
   * Folders the file paths of targets added through the control API may name (FAPI_TARGET_FILE_DIRS,
   * separated by the system's path delimiter, added to certsDir). Target files the CLI loads name any path.
   */
  targetFileDirs: readonly string[];
  /** Runs started through the control API: how many execute at once, how many more may wait (else 429). */
  runs: { concurrency: number; queue: number };
  /**
   * Other instances share this database (FAPI_SHARED_DATABASE=1, several instances behind a load
   * balancer; implied by a postgresql:// FAPI_DATABASE_URL): decisions are written through so every
   * instance's engine and UI can join them (server/decisions/store.ts).
   */
  sharedDatabase: boolean;
  /** Stored run history: the newest `keepRuns` runs no older than `keepDays` days are kept (0: no bound). */
  retention: { keepRuns: number; keepDays: number };
}

export interface ServerLimits {
  /** Time for a client to send the request head, from the connection (FAPI_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** Time for a client to send the whole request, body included (FAPI_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (FAPI_KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** A TLS handshake that does not finish in this time is dropped (FAPI_TLS_HANDSHAKE_TIMEOUT_MS). */
  tlsHandshakeTimeoutMs: number;
  /** Total size of the request line and headers; larger is 431 (FAPI_MAX_HEADER_BYTES). */
  maxHeaderBytes: number;
  /** Number of header fields; more is 431 (FAPI_MAX_HEADER_COUNT). */
  maxHeaderCount: number;
  /** Request body size; larger is 413 (FAPI_MAX_BODY_BYTES). */
  maxBodyBytes: number;
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

/** The listeners clients reach (the mock OB API is loopback only, never public). */
export type PublicListener = Exclude<keyof Ports, 'api'>;
export type PublicUrls = Partial<Record<PublicListener, string>>;

export const PUBLIC_URL_ENV: Record<PublicListener, string> = {
  ui: 'FAPI_PUBLIC_UI_URL',
  idp: 'FAPI_PUBLIC_IDP_URL',
  idpMtls: 'FAPI_PUBLIC_IDP_MTLS_URL',
  gateway: 'FAPI_PUBLIC_GATEWAY_URL',
  gatewayStrict: 'FAPI_PUBLIC_GATEWAY_STRICT_URL',
};

/** A bad setting (an environment variable out of range): the CLI prints its message, no stack trace. */
export class ConfigError extends Error {}

/** Environment variables (process.env, or a plain object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** An integer setting from the environment, within [min, max]. */
function envInt(env: Env, name: string, fallback: number, min = 0, max = 65535): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer ${min}..${max}, got "${raw}"`);
  return n;
}

/** A secret from the environment, or null; too short is an error. */
function envKey(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (raw.length < 16) throw new ConfigError(`${name} must be at least 16 characters, got ${raw.length}`);
  return raw;
}

/** The settings of config.gateway and config.limits: environment variable, default, bounds. */
export const SETTINGS = {
  clockToleranceSeconds: { env: 'FAPI_CLOCK_TOLERANCE_SECONDS', fallback: 5, min: 0, max: 3600, help: 'leeway for access token exp / nbf / iat (s)' },
  dpopIatWindowSeconds: { env: 'FAPI_DPOP_IAT_WINDOW_SECONDS', fallback: 60, min: 1, max: 3600, help: 'DPoP proof iat accepted either side of now (s)' },
  certClockToleranceSeconds: { env: 'FAPI_CERT_CLOCK_TOLERANCE_SECONDS', fallback: 0, min: 0, max: 86_400, help: 'leeway for client certificate validity (s)' },
  introspectionCacheSeconds: { env: 'FAPI_INTROSPECTION_CACHE_SECONDS', fallback: 5, min: 0, max: 3600, help: 'phantom route: reuse an active introspection result for (s; 0 = never)' },
  headersTimeoutMs: { env: 'FAPI_HEADERS_TIMEOUT_MS', fallback: 10_000, min: 100, max: 600_000, help: 'time to send the request head (ms)' },
  requestTimeoutMs: { env: 'FAPI_REQUEST_TIMEOUT_MS', fallback: 30_000, min: 100, max: 3_600_000, help: 'time to send the whole request (ms)' },
  keepAliveTimeoutMs: { env: 'FAPI_KEEP_ALIVE_TIMEOUT_MS', fallback: 5_000, min: 100, max: 600_000, help: 'idle keep-alive connections closed after (ms)' },
  tlsHandshakeTimeoutMs: { env: 'FAPI_TLS_HANDSHAKE_TIMEOUT_MS', fallback: 10_000, min: 100, max: 600_000, help: 'time to finish a TLS handshake (ms)' },
  maxHeaderBytes: { env: 'FAPI_MAX_HEADER_BYTES', fallback: 16_384, min: 1024, max: 1_048_576, help: 'request line + headers, else 431' },
  maxHeaderCount: { env: 'FAPI_MAX_HEADER_COUNT', fallback: 100, min: 10, max: 10_000, help: 'header fields, else 431' },
  maxBodyBytes: { env: 'FAPI_MAX_BODY_BYTES', fallback: 1_048_576, min: 1024, max: 1_073_741_824, help: 'request body, else 413' },
} as const;

const setting = (env: Env, key: keyof typeof SETTINGS) => {
  const s = SETTINGS[key];
  return envInt(env, s.env, s.fallback, s.min, s.max);
};

/** Host names the UI always answers to. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** FAPI_GATEWAY_DISABLE_CHECK: known mutant ids, and only with an explicit opt-in. */
function disabledChecks(env: Env): string[] {
  const ids = (env.FAPI_GATEWAY_DISABLE_CHECK ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!ids.length) return [];
  const unknown = ids.filter((id) => !isMutantId(id));
  if (unknown.length) throw new ConfigError(`FAPI_GATEWAY_DISABLE_CHECK: unknown ${unknown.join(', ')}; one of ${MUTANT_IDS.join(', ')}`);
  if (env.FAPI_ALLOW_MUTANTS !== '1' && env.NODE_ENV !== 'test') {
    throw new ConfigError('FAPI_GATEWAY_DISABLE_CHECK turns gateway checks off (a broken gateway, for tests and demos): set FAPI_ALLOW_MUTANTS=1 as well');
  }
  return [...new Set(ids)];
}

/** FAPI_PUBLIC_*_URL: an origin (scheme, host, optional port; no path), https except the UI's plain http listener. */
function publicUrls(env: Env): PublicUrls {
  const out: PublicUrls = {};
  for (const [key, name] of Object.entries(PUBLIC_URL_ENV) as [PublicListener, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const url = URL.parse(raw);
    const scheme = key === 'ui' ? 'http:' : 'https:';
    if (!url || url.protocol !== scheme || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
      throw new ConfigError(`${name} must be an origin like ${scheme}//host:port (no path, query or credentials), got "${raw}"`);
    }
    out[key] = url.origin;
  }
  return out;
}

function envChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}

function externalGatewayKey(key: string | null): string | null {
  if (key !== null && key.length < 16) throw new Error('FAPI_EXTERNAL_GATEWAY_KEY must be at least 16 characters');
  return key;
}

export type ConfigOverrides = Partial<Omit<SandboxConfig, 'ports' | 'idp' | 'gateway' | 'limits'>> & {
  ports?: Partial<Ports>;
  idp?: Partial<SandboxConfig['idp']>;
  gateway?: Partial<SandboxConfig['gateway']>;
  limits?: Partial<ServerLimits>;
};

/** Builds the configuration: defaults < environment < overrides. */
/** FAPI_DATABASE_URL: a PostgreSQL URL or a SQLite `file:` URL. */
function databaseUrl(url: string | null): string | null {
  if (url === null || /^(postgres|postgresql):\/\/./i.test(url) || /^file:./i.test(url)) return url;
  throw new ConfigError(`FAPI_DATABASE_URL must be postgresql://user:password@host:port/database or file:<path of a SQLite file>; got ${url.split(':')[0]}:...`);
}

export function loadConfig(overrides: ConfigOverrides = {}, env: Env = process.env): SandboxConfig {
  const ports = Object.fromEntries(
    (Object.keys(DEFAULT_PORTS) as (keyof Ports)[]).map((k) => [k, envInt(env, PORT_ENV[k], DEFAULT_PORTS[k])]),
  ) as unknown as Ports;
  const rootDir = overrides.rootDir ?? ROOT_DIR;
  const publicHost = overrides.publicHost ?? env.FAPI_PUBLIC_HOST ?? 'localhost';
  const publicUrlsOf = overrides.publicUrls ?? publicUrls(env);
  const limits: ServerLimits = {
    headersTimeoutMs: setting(env, 'headersTimeoutMs'),
    requestTimeoutMs: setting(env, 'requestTimeoutMs'),
    keepAliveTimeoutMs: setting(env, 'keepAliveTimeoutMs'),
    tlsHandshakeTimeoutMs: setting(env, 'tlsHandshakeTimeoutMs'),
    maxHeaderBytes: setting(env, 'maxHeaderBytes'),
    maxHeaderCount: setting(env, 'maxHeaderCount'),
    maxBodyBytes: setting(env, 'maxBodyBytes'),
    ...overrides.limits,
  };
  if (limits.requestTimeoutMs < limits.headersTimeoutMs) {
    throw new ConfigError(`FAPI_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs}) must be at least FAPI_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs})`);
  }
  const extraHosts = (env.FAPI_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  const bind = overrides.bind ?? env.FAPI_BIND ?? '127.0.0.1';
  // A specific bind address is a name the UI answers to as well (the web UI's own server-side fetches use it).
  const bindHost = bind === '0.0.0.0' || bind === '::' ? [] : [bind.includes(':') ? `[${bind}]` : bind];
  return {
    rootDir,
    dataDir: path.resolve(overrides.dataDir ?? env.FAPI_DATA_DIR ?? path.join(rootDir, 'data')),
    databaseUrl: databaseUrl(overrides.databaseUrl !== undefined ? overrides.databaseUrl : (env.FAPI_DATABASE_URL || null)),
    certsDir: path.resolve(overrides.certsDir ?? env.FAPI_CERTS_DIR ?? path.join(rootDir, 'certs')),
    bind,
    publicHost,
    publicUrls: publicUrlsOf,
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
      dcrInitialAccessToken: env.FAPI_DCR_INITIAL_ACCESS_TOKEN || null,
      ...overrides.idp,
    },
    gateway: {
      binding: envChoice(env, 'FAPI_GATEWAY_BINDING', ['mtls', 'dpop', 'either'] as const, 'either'),
      clockToleranceSeconds: setting(env, 'clockToleranceSeconds'),
      dpopIatWindowSeconds: setting(env, 'dpopIatWindowSeconds'),
      certClockToleranceSeconds: setting(env, 'certClockToleranceSeconds'),
      introspectionCacheSeconds: setting(env, 'introspectionCacheSeconds'),
      revocation: envChoice(env, 'FAPI_GATEWAY_REVOCATION', ['ignore', 'crl', 'strict'] as const, 'crl'),
      workers: envInt(env, 'FAPI_GATEWAY_WORKERS', 0, 0, 64),
      externalIssuer: null,
      disabledChecks: disabledChecks(env),
      ...overrides.gateway,
    },
    limits,
    allowedHosts: overrides.allowedHosts ?? [...new Set([...LOOPBACK_HOSTS, publicHost.toLowerCase(), ...(publicUrlsOf.ui ? [new URL(publicUrlsOf.ui).hostname] : []), ...bindHost, ...extraHosts])],
    targetFileDirs: [
      path.resolve(overrides.certsDir ?? env.FAPI_CERTS_DIR ?? path.join(rootDir, 'certs')),
      ...(env.FAPI_TARGET_FILE_DIRS ?? '').split(path.delimiter).filter(Boolean).map((d) => path.resolve(rootDir, d)),
    ],
    runs: overrides.runs ?? { concurrency: envInt(env, 'FAPI_RUN_CONCURRENCY', 2, 1, 64), queue: envInt(env, 'FAPI_RUN_QUEUE', 50, 0, 10_000) },
    sharedDatabase: overrides.sharedDatabase ?? (envChoice(env, 'FAPI_SHARED_DATABASE', ['0', '1'] as const, '0') === '1' || /^postgres(ql)?:/.test(env.FAPI_DATABASE_URL ?? '')),
    retention: overrides.retention ?? { keepRuns: envInt(env, 'FAPI_KEEP_RUNS', 200, 0, 1_000_000), keepDays: envInt(env, 'FAPI_KEEP_DAYS', 30, 0, 36_500) },
  };
}
