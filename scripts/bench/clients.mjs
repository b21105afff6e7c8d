// Clients for the benchmark: tokens from the sandbox's IdP (a certificate-bound one for tpp-alpha,
// a DPoP-bound one for tpp-gamma-dpop) and DPoP proofs (RFC 9449 §4.2) signed ahead of a run.
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Tokens for the benchmark from a running sandbox (`info` from its ready file). */
export async function tokens(root, info) {
  const CERTS = path.join(root, 'certs');
  const { send, jsonBody } = await import(path.join(root, 'dist/server/engine/http-client.js'));
  const material = (name) => ({ name, chain: readFileSync(path.join(CERTS, 'clients', `${name}.chain.pem`), 'utf8'), key: readFileSync(path.join(CERTS, 'clients', `${name}.key.pem`), 'utf8'), summary: null });
  const ca = readFileSync(path.join(CERTS, 'ca', 'root-ca.pem'), 'utf8');
  const tokenUrl = `${info.urls.idpMtls}/token`;
  const form = (o) => new URLSearchParams(o).toString();
  const post = (cert, body, headers = {}) => send({ method: 'POST', url: tokenUrl, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body, ca, cert: material(cert) });

  const m = await post('tpp-alpha', form({ grant_type: 'client_credentials', client_id: 'tpp-alpha', scope: 'accounts' }));
  const mtls = jsonBody(m)?.access_token;
  if (!mtls) throw new Error(`no mTLS-bound token: ${m.response?.status} ${m.response?.body ?? m.error?.message}`);

  const dpopKey = dpopSigner();
  let nonce;
  let dpop;
  for (let attempt = 0; attempt < 2 && !dpop; attempt++) {
    const d = await post('tpp-gamma', form({ grant_type: 'client_credentials', client_id: 'tpp-gamma-dpop', scope: 'accounts' }), { dpop: dpopKey.proof('POST', tokenUrl, undefined, nonce) });
    const body = jsonBody(d);
    if (body?.error === 'use_dpop_nonce') nonce = d.response.headers['dpop-nonce'];
    else if (body?.access_token) dpop = body.access_token;
    else throw new Error(`no DPoP-bound token: ${d.response?.status} ${d.response?.body ?? d.error?.message}`);
  }
  return { mtls, dpop, dpopKey };
}

/** An ES256 DPoP key that signs proofs with node:crypto (cheap enough to pre-sign a pool). */
export function dpopSigner() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })).toString('base64url');
  const key = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  return {
    proof(htm, htu, token, nonce) {
      const claims = { jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...(token ? { ath: createHash('sha256').update(token).digest('base64url') } : {}), ...(nonce ? { nonce } : {}) };
      const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    },
  };
}

/** Proofs signed ahead of a run (each used once), so the load generator's signing cost stays out of it. */
export function proofPool(signer, htu, token, count) {
  const pool = Array.from({ length: count }, () => signer.proof('GET', htu, token));
  let i = 0;
  let signedLate = 0;
  return {
    next: () => pool[i++] ?? (signedLate++, signer.proof('GET', htu, token)),
    stats: () => ({ preSigned: count, used: Math.min(i, count), signedDuringRun: signedLate }),
  };
}
