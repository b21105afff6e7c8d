// The redirect_uri the seeded clients registered (http://localhost:3000/callback): a stand-in for the
// app's own page, so a person following the README with curl and a browser can read the authorization
// response (RFC 6749 §4.1.2: code and state, or error; RFC 9207: iss) and copy the code. A JARM response
// (response_mode=jwt: one `response` parameter) is verified here with the bank's keys (signature, iss,
// exp) before its claims are shown; its aud names the client the code is for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { escapeHtml } from '../idp/interactions/html.ts';
import { JARM_ALGS } from '../engine/crypto/jarm.ts';
import type { StackUrls } from '../config.ts';

/** What the page needs of the bank to verify a JARM response. */
export interface CallbackIssuer {
  issuer: string;
  publicJwks: { keys: JWK[] };
}

/** The authorization response's parameters: the query's, or a verified JARM JWT's claims. */
interface AuthorizationResponse {
  get(name: string): string | null;
  /** The JARM JWT and what its verification found; null for a plain query response. */
  jarm: { jwt: string; verified: string | null; refused: string | null; clientId: string | null } | null;
}

async function readResponse(q: URLSearchParams, idp: CallbackIssuer): Promise<AuthorizationResponse> {
  const jwt = q.get('response');
  if (jwt === null) return { get: (n) => q.get(n), jarm: null };
  try {
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(idp.publicJwks), { issuer: idp.issuer, algorithms: JARM_ALGS, requiredClaims: ['exp', 'aud'] });
    const claim = (n: string) => (typeof payload[n] === 'string' ? (payload[n] as string) : null);
    const clientId = typeof payload.aud === 'string' ? payload.aud : Array.isArray(payload.aud) ? (payload.aud[0] ?? null) : null;
    const verified = `signature (${protectedHeader.alg}, kid ${protectedHeader.kid ?? 'none'}), iss and exp (${new Date(payload.exp! * 1000).toISOString()}) verified with the bank's keys`;
    return { get: claim, jarm: { jwt, verified, refused: null, clientId } };
  } catch (err) {
    // An unverified response is not shown as if it were one: no code, only why.
    return { get: () => null, jarm: { jwt, verified: null, refused: (err as Error).message, clientId: null } };
  }
}

export const CALLBACK_PATH = '/callback';

export function isCallback(req: IncomingMessage): boolean {
  return (req.url ?? '').split('?')[0] === CALLBACK_PATH;
}

const row = (name: string, value: string | null) =>
  value === null ? '' : `<tr><th scope="row">${escapeHtml(name)}</th><td><code>${escapeHtml(value)}</code></td></tr>`;

export async function callbackPage(req: IncomingMessage, res: ServerResponse, urls: StackUrls, idp: CallbackIssuer): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET only');
    return;
  }
  const q = await readResponse(new URL(req.url ?? '/', 'http://callback.invalid').searchParams, idp);
  const code = q.get('code');
  const error = q.get('error');
  const clientId = q.jarm?.clientId ?? 'tpp-alpha';
  const exchange = code
    ? `curl $ALPHA -d grant_type=authorization_code -d client_id=${clientId} -d code=${code} \\\n  -d code_verifier=$VERIFIER -d redirect_uri=${urls.ui}${CALLBACK_PATH} ${urls.idpMtls}/token`
    : null;
  const jarm = q.jarm
    ? `<h2>Signed response (JARM)</h2><p>${q.jarm.verified ? `The bank sent one <code>response</code> JWT: ${escapeHtml(q.jarm.verified)}. Its claims are above; an app checks the same before it uses the code.` : `The bank's <code>response</code> JWT does not verify (${escapeHtml(q.jarm.refused ?? '')}): an app must not use it, so nothing in it is shown as a code.`}</p><pre>${escapeHtml(q.jarm.jwt)}</pre>`
    : '';
  const body = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${code ? 'Authorization code received' : 'Authorization refused'} – fapi-sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#14213d;line-height:1.5}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #d5dbe5;vertical-align:top}
code,p{overflow-wrap:anywhere}code{word-break:break-all}pre{background:#f3f5f9;padding:1rem;border-radius:.5rem;white-space:pre-wrap;word-break:break-all}</style></head>
<body><main>
<h1>${code ? 'Authorization code received' : 'Authorization refused'}</h1>
<p>This is the app's redirect URI (${escapeHtml(urls.ui + CALLBACK_PATH)}): the bank sent the browser here with the authorization response.</p>
<table><tbody>${row('code', code)}${row('state', q.get('state'))}${row('iss', q.get('iss'))}${q.jarm ? row('aud', q.jarm.clientId) : ''}${row('error', error)}${row('error_description', q.get('error_description'))}</tbody></table>
${exchange ? `<h2>Exchange it (within 60 seconds, once; the README recipe, client ${escapeHtml(clientId)})</h2><pre>${escapeHtml(exchange)}</pre>` : ''}
${jarm}
</main></body></html>`;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-length': Buffer.byteLength(body),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
