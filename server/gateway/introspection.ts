// The phantom-token pattern's lookup: the gateway introspects an opaque token at the IdP's mTLS
// introspection alias (RFC 7662 §2.1), authenticating as client fapi-gateway with its own
// certificate (RFC 8705 §2.1). Active results are cached for a short, configurable time (never past
// their exp), so a token revoked at the IdP is refused soon after (FAPI 2.0 SP 5.3.4, RFC 7009).
import https from 'node:https';

export type IntrospectionResult =
  | { ok: true; endpoint: string; cached: boolean; response: IntrospectionResponse }
  | { ok: false; endpoint: string; reason: string };

export type Introspector = (token: string, now: number) => Promise<IntrospectionResult>;

export interface IntrospectorOptions {
  endpoint: string;
  clientId: string;
  /** Client certificate chain and key, and the CA to trust for the IdP. */
  cert: string;
  key: string;
  ca: string;
  /** How long an active result is reused (seconds; 0: every request asks the IdP). */
  cacheSeconds: number;
}

type IntrospectionResponse = { active?: unknown; [claim: string]: unknown };

/** Active introspection results, kept for min(ttl, exp): a revocation at the IdP shows within ttl. */
export class IntrospectionCache {
  private readonly entries = new Map<string, { until: number; response: IntrospectionResponse }>();

  constructor(private readonly ttlSeconds: number) {}

  get(token: string, now: number): IntrospectionResponse | undefined {
    const hit = this.entries.get(token);
    if (hit && hit.until > now) return hit.response;
    if (hit) this.entries.delete(token);
    return undefined;
  }

  set(token: string, response: IntrospectionResponse, now: number): void {
    if (this.ttlSeconds <= 0 || response.active !== true || typeof response.exp !== 'number') return;
    if (this.entries.size > 10_000) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { until: Math.min(response.exp, now + this.ttlSeconds), response });
  }
}

export function createIntrospector(opts: IntrospectorOptions): { introspect: Introspector; close(): void } {
  const agent = new https.Agent({ keepAlive: true, cert: opts.cert, key: opts.key, ca: opts.ca, maxSockets: 16 });
  const cache = new IntrospectionCache(opts.cacheSeconds);

  const introspect: Introspector = async (token, now) => {
    const hit = cache.get(token, now);
    if (hit) return { ok: true, endpoint: opts.endpoint, cached: true, response: hit };
    const body = new URLSearchParams({ token, client_id: opts.clientId }).toString();
    try {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = https.request(opts.endpoint, {
          method: 'POST', agent, timeout: 5_000,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
        }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', reject);
        req.end(body);
      });
      if (status !== 200) return { ok: false, endpoint: opts.endpoint, reason: `HTTP ${status} ${text.slice(0, 200)}` };
      const response = JSON.parse(text) as Record<string, unknown>;
      cache.set(token, response, now);
      return { ok: true, endpoint: opts.endpoint, cached: false, response };
    } catch (err) {
      return { ok: false, endpoint: opts.endpoint, reason: (err as Error).message };
    }
  };
  return { introspect, close: () => agent.destroy() };
}
