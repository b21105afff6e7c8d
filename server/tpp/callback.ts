// The redirect_uri the seeded clients registered (http://localhost:3000/callback): a stand-in for the
// app's own page, so a person following the README with curl and a browser can read the authorization
// response (RFC 6749 §4.1.2: code and state, or error; RFC 9207: iss) and copy the code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml } from '../idp/interactions/html.ts';
import type { StackUrls } from '../config.ts';

export const CALLBACK_PATH = '/callback';

export function isCallback(req: IncomingMessage): boolean {
  return (req.url ?? '').split('?')[0] === CALLBACK_PATH;
}

const row = (name: string, value: string | null) =>
  value === null ? '' : `<tr><th scope="row">${escapeHtml(name)}</th><td><code>${escapeHtml(value)}</code></td></tr>`;

export function callbackPage(req: IncomingMessage, res: ServerResponse, urls: StackUrls): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET only');
    return;
  }
  const q = new URL(req.url ?? '/', 'http://callback.invalid').searchParams;
  const code = q.get('code');
  const error = q.get('error');
  const exchange = code
    ? `curl $ALPHA -d grant_type=authorization_code -d client_id=tpp-alpha -d code=${code} \\\n  -d code_verifier=$VERIFIER -d redirect_uri=${urls.ui}${CALLBACK_PATH} ${urls.idpMtls}/token`
    : null;
  const body = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${code ? 'Authorization code received' : 'Authorization refused'} – fapi-sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#14213d;line-height:1.5}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #d5dbe5;vertical-align:top}
code{word-break:break-all}pre{background:#f3f5f9;padding:1rem;border-radius:.5rem;white-space:pre-wrap;word-break:break-all}</style></head>
<body><main>
<h1>${code ? 'Authorization code received' : 'Authorization refused'}</h1>
<p>This is the app's redirect URI (${escapeHtml(urls.ui + CALLBACK_PATH)}): the bank sent the browser here with the authorization response.</p>
<table><tbody>${row('code', code)}${row('state', q.get('state'))}${row('iss', q.get('iss'))}${row('error', error)}${row('error_description', q.get('error_description'))}</tbody></table>
${exchange ? `<h2>Exchange it (within 60 seconds, once; the README recipe, client tpp-alpha)</h2><pre>${escapeHtml(exchange)}</pre>` : ''}
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
