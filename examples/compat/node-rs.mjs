// What the Node resource servers of the compatibility matrix share, so each server file shows only its
// library's own check: the HTTPS listener (the sandbox's server certificate; client certificates asked
// for and verified against the CA and CRL by Node, never required, so the app decides) and the hand-off
// to the upstream Open Banking API (the sandbox's mock OB API with its external gateway key).
// Settings from the environment: PORT, TLS_CERT, TLS_KEY, CLIENT_CA, CLIENT_CRL (files), UPSTREAM
// (http://127.0.0.1:9080), GATEWAY_KEY (FAPI_EXTERNAL_GATEWAY_KEY), REQUEST_CERT (0: no client certificates).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

// Node reads one CRL per array entry (the file holds the issuing CA's and the root's).
const pemBlocks = (file) => readFileSync(file, 'utf8').match(/-----BEGIN [A-Z0-9 ]+-----[\s\S]+?-----END [A-Z0-9 ]+-----/g) ?? [];

/** Serves `app` over HTTPS on 127.0.0.1:PORT and prints "listening" once bound. */
export function listen(app) {
  const requestCert = process.env.REQUEST_CERT !== '0';
  const server = https.createServer({
    cert: readFileSync(env('TLS_CERT')),
    key: readFileSync(env('TLS_KEY')),
    ...(requestCert ? { requestCert: true, rejectUnauthorized: false, ca: readFileSync(env('CLIENT_CA')), crl: pemBlocks(env('CLIENT_CRL')) } : {}),
  }, app);
  server.listen(Number(env('PORT')), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
  return server;
}

/** The DER of the client certificate on this connection, when Node verified it (chain, dates, CRL). */
export function verifiedCertificate(req) {
  if (!req.socket.authorized) return undefined;
  const cert = req.socket.getPeerCertificate();
  return cert && cert.raw ? cert.raw : undefined;
}

const IDENTITY_HEADERS = ['client-cert', 'client-cert-chain', 'x-forwarded-client-cert', 'x-ssl-client-cert'];

/** Forwards the request to the upstream OB API (the app authorised it) and streams the answer back. */
export function forward(req, res) {
  const upstream = new URL(env('UPSTREAM'));
  const headers = { ...req.headers, 'x-sandbox-gateway-key': env('GATEWAY_KEY'), 'x-forwarded-proto': 'https', 'x-forwarded-host': req.headers.host ?? '' };
  for (const name of IDENTITY_HEADERS) delete headers[name];
  const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.originalUrl ?? req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'upstream_unreachable', error_description: err.message }));
  });
  req.pipe(out);
}
