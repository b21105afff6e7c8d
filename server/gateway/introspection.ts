// The phantom-token pattern's lookup: the gateway introspects an opaque token at the IdP's mTLS
// introspection alias (RFC 7662 §2.1), authenticating as client fapi-gateway with its own
// certificate (RFC 8705 §2.1). Active results are cached until their exp.
import https from 'node:https';

export type IntrospectionResult =
  | { ok: true; endpoint: string; cached: boolean; response: { active?: unknown; [claim: string]: unknown } }
  | { ok: false; endpoint: string; reason: string };

export type Introspector = (token: string, now: number) => Promise<IntrospectionResult>;

export interface IntrospectorOptions {
  endpoint: string;
  clientId: string;
  /** Client certificate chain and key, and the CA to trust for the IdP. */
  cert: string;
  key: string;
  ca: string;
}

export function createIntrospector(opts: IntrospectorOptions): { introspect: Introspector; close(): void } {
  const agent = new https.Agent({ keepAlive: true, cert: opts.cert, key: opts.key, ca: opts.ca, maxSockets: 16 });
  const cache = new Map<string, { exp: number; response: Record<string, unknown> }>();

  const introspect: Introspector = async (token, now) => {
    const hit = cache.get(token);
    if (hit && hit.exp > now) return { ok: true, endpoint: opts.endpoint, cached: true, response: hit.response };
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
      if (response.active === true && typeof response.exp === 'number') {
        if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
        cache.set(token, { exp: response.exp, response });
      }
      return { ok: true, endpoint: opts.endpoint, cached: false, response };
    } catch (err) {
      return { ok: false, endpoint: opts.endpoint, reason: (err as Error).message };
    }
  };
  return { introspect, close: () => agent.destroy() };
}
