// oauth4webapi's resource-server validation as the resource server of the compatibility matrix, the way
// its documentation shows it: the authorization server from discovery (discoveryRequest /
// processDiscoveryResponse), then validateJwtAccessToken(as, request, audience) on every request (RFC 6750,
// RFC 9068, RFC 9449 proofs: htm, htu, ath, iat, cnf.jkt). It has no certificate-bound tokens (RFC 8705)
// and keeps no jti cache: replay detection is left to the application, which this one (like the docs)
// does not add. Authorised requests go to the upstream OB API (examples/compat/node-rs.mjs).
// Env: ISSUER, AUDIENCE, SCOPE.
import express from 'express';
import * as oauth from 'oauth4webapi';
import { forward, listen } from '../compat/node-rs.mjs';

const issuer = new URL(process.env.ISSUER);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc' }));

// The proof's key is not the one the token is bound to: a token error (RFC 9449 §7.1).
const BINDING_ERROR = /Access Token confirmation mismatch/;

/** Whether the access token alone passes (signature, claims): then what failed was the proof. */
async function tokenAloneIsValid(req) {
  const token = /^\S+ (\S+)$/.exec(req.headers.authorization)?.[1] ?? '';
  const request = new Request(`https://${req.headers.host}${req.originalUrl}`, { headers: { authorization: `Bearer ${token}` } });
  try {
    await oauth.validateJwtAccessToken(as, request, process.env.AUDIENCE);
    return true;
  } catch (err) {
    // A DPoP-bound token without a proof: the token itself passed.
    return /has no DPoP HTTP Header/.test(String(err.message));
  }
}

const app = express();
app.use(async (req, res, next) => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const request = new Request(`https://${req.headers.host}${req.originalUrl}`, { method: req.method, headers });
  try {
    const claims = await oauth.validateJwtAccessToken(as, request, process.env.AUDIENCE);
    if (!String(claims.scope ?? '').split(' ').includes(process.env.SCOPE ?? 'accounts')) {
      return res.status(403).set('WWW-Authenticate', `DPoP error="insufficient_scope", scope="${process.env.SCOPE ?? 'accounts'}"`).json({ error: 'insufficient_scope' });
    }
    next();
  } catch (err) {
    // The application's part (the docs leave it to you): RFC 6750 §3 / RFC 9449 §7.1 challenges. No
    // credentials: no error code. A valid token with a bad proof: invalid_dpop_proof. Else invalid_token.
    const message = String(err.message);
    const error = !req.headers.authorization ? null : req.headers.dpop && !BINDING_ERROR.test(message) && (await tokenAloneIsValid(req)) ? 'invalid_dpop_proof' : 'invalid_token';
    res.status(401).set('WWW-Authenticate', `DPoP algs="ES256 PS256"${error ? `, error="${error}", error_description="${message.replace(/["\\]/g, "'")}"` : ''}`).json(error ? { error, error_description: message } : {});
  }
});
app.use('/open-banking/v3.1/aisp', forward);

listen(app);
