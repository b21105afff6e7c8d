// express-oauth2-jwt-bearer (Auth0's Express middleware) as the resource server of the compatibility
// matrix, configured the way its README shows: auth({ issuerBaseURL, audience }) (OIDC discovery, the
// issuer's JWKS), requiredScopes(), its mTLS support fed the verified client certificate through
// getCertificate, and one of its three DPoP modes (DPOP_MODE):
//   default  - dpop omitted: accepts both the Bearer and the DPoP scheme
//   required - dpop: { required: true }: DPoP only
//   disabled - dpop: { enabled: false }: Bearer only; DPoP proofs and cnf.jkt are not looked at
// Authorised requests go to the upstream OB API (examples/compat/node-rs.mjs). Env: ISSUER, AUDIENCE, SCOPE.
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { forward, listen, verifiedCertificate } from '../compat/node-rs.mjs';

const DPOP = { default: undefined, required: { required: true }, disabled: { enabled: false } };
const mode = process.env.DPOP_MODE ?? 'default';
if (!(mode in DPOP)) throw new Error(`DPOP_MODE must be one of ${Object.keys(DPOP).join(', ')}`);

const app = express();
app.use(auth({
  issuerBaseURL: process.env.ISSUER,
  audience: process.env.AUDIENCE,
  getCertificate: verifiedCertificate,
  ...(DPOP[mode] ? { dpop: DPOP[mode] } : {}),
}));
app.use(requiredScopes(process.env.SCOPE ?? 'accounts'));
app.use('/open-banking/v3.1/aisp', forward);

// The README's error handler: the middleware's errors carry the status and WWW-Authenticate to send.
app.use((err, _req, res, _next) => {
  res.status(err.status ?? 500).set(err.headers ?? {}).json({ error: err.code ?? 'server_error', error_description: err.message });
});

listen(app);
