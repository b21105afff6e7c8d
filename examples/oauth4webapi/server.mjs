// oauth4webapi's resource-server validation as the resource server of the compatibility matrix, the way
// its documentation shows it: the authorization server from discovery (discoveryRequest /
// processDiscoveryResponse), then validateJwtAccessToken(as, request, audience) on every request (RFC 6750,
// RFC 9068, RFC 9449 proofs: htm, htu, ath, iat, cnf.jkt). It has no certificate-bound tokens (RFC 8705)
// and keeps no jti cache: replay detection is left to the application, which this one (like the docs)
// does not add. Authorised requests go to the upstream OB API (examples/compat/node-rs.mjs).
// Env: ISSUER, AUDIENCE, SCOPE, REQUIRE_DPOP (1: requireDPoP).
import express from 'express';
import * as oauth from 'oauth4webapi';
import { forward, listen } from '../compat/node-rs.mjs';

const issuer = new URL(process.env.ISSUER);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc' }));

// Which of the library's errors are about the DPoP proof (the rest are about the access token or its binding).
const PROOF_ERROR = /DPoP Proof|"(ath|htm|htu|jti|iat|jwk|typ)"|key usage|dpop\+jwt/i;
const TOKEN_ERROR = /Access Token confirmation mismatch|has no DPoP HTTP Header|scheme is not DPoP/;

const app = express();
app.use(async (req, res, next) => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const request = new Request(`https://${req.headers.host}${req.originalUrl}`, { method: req.method, headers });
  try {
    const claims = await oauth.validateJwtAccessToken(as, request, process.env.AUDIENCE, { requireDPoP: process.env.REQUIRE_DPOP === '1' });
    if (!String(claims.scope ?? '').split(' ').includes(process.env.SCOPE ?? 'accounts')) {
      return res.status(403).set('WWW-Authenticate', `DPoP error="insufficient_scope", scope="${process.env.SCOPE ?? 'accounts'}"`).json({ error: 'insufficient_scope' });
    }
    next();
  } catch (err) {
    // The application's part (the docs leave it to you): RFC 6750 §3 / RFC 9449 §7.1 challenges from the
    // library's messages. No credentials: no error code; a bad proof: invalid_dpop_proof; else invalid_token.
    const message = String(err.message);
    const proof = PROOF_ERROR.test(message) && !TOKEN_ERROR.test(message);
    const error = !req.headers.authorization ? null : proof ? 'invalid_dpop_proof' : 'invalid_token';
    res.status(401).set('WWW-Authenticate', `DPoP algs="ES256 PS256"${error ? `, error="${error}", error_description="${message.replace(/["\\]/g, "'")}"` : ''}`).json(error ? { error, error_description: message } : {});
  }
});
app.use('/open-banking/v3.1/aisp', forward);

listen(app);
