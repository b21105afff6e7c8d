// An Express API on `jose` alone, the way jose's documentation shows a JWT check: createRemoteJWKSet on
// the issuer's jwks_uri and jwtVerify with issuer and audience, the token from "Authorization: Bearer".
// The common case: no client certificate asked for (REQUEST_CERT=0), no cnf, no DPoP. Authorised
// requests go to the upstream OB API (examples/compat/node-rs.mjs). Env: ISSUER, JWKS_URI, AUDIENCE, SCOPE.
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { forward, listen } from '../compat/node-rs.mjs';

const JWKS = createRemoteJWKSet(new URL(process.env.JWKS_URI));

const app = express();
app.use(async (req, res, next) => {
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!match) return res.status(401).set('WWW-Authenticate', 'Bearer').end();
  try {
    const { payload } = await jwtVerify(match[1], JWKS, { issuer: process.env.ISSUER, audience: process.env.AUDIENCE });
    if (!String(payload.scope ?? '').split(' ').includes(process.env.SCOPE ?? 'accounts')) {
      return res.status(403).set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${process.env.SCOPE ?? 'accounts'}"`).json({ error: 'insufficient_scope' });
    }
    next();
  } catch (err) {
    res.status(401).set('WWW-Authenticate', `Bearer error="invalid_token", error_description="${err.code}"`).json({ error: 'invalid_token' });
  }
});
app.use('/open-banking/v3.1/aisp', forward);

listen(app);
