// The access-token keys of an external authorization server (mixed mode: your AS, the bundled
// gateway): its JWKS fetched over HTTPS with the target's CA bundle, cached and refreshed by jose
// (a new kid triggers a refetch, at most every 30 s), so the hot path never waits on the network.
import https from 'node:https';
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';

/** fetch() for jose that trusts `ca` (Node's global fetch only trusts the system store). */
function fetchTrusting(ca: string) {
  return (url: string, options: { headers: Headers; signal: AbortSignal }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const req = https.get(url, { ca, headers: Object.fromEntries(options.headers.entries()), signal: options.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
    });
}

export function remoteJwks(jwksUri: string, ca: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUri), {
    timeoutDuration: 5_000,
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
    [customFetch]: fetchTrusting(ca),
  });
}
