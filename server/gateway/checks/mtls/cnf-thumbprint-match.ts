// mtls.cnf-thumbprint-match — RFC 8705 §3: base64url(SHA-256(DER of the certificate presented on
// this connection)) must equal the token's cnf["x5t#S256"]; else 401 invalid_token.
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';

export const cnfThumbprintMatch: Check = {
  id: 'mtls.cnf-thumbprint-match',
  run({ claims, conn }) {
    const expected = claims!.cnf?.['x5t#S256'];
    const presented = conn.thumbprint;
    const inputs = { 'cnf.x5t#S256': expected ?? null, presentedThumbprint: presented, presentedSubject: conn.tls.peerCertificate?.subject ?? null };
    if (typeof expected !== 'string') {
      return fail(`the token is not certificate-bound (cnf has ${claims!.cnf?.jkt ? 'jkt: it is DPoP-bound' : 'no x5t#S256'})`, INVALID_TOKEN, inputs);
    }
    if (!presented) return fail('no client certificate on this connection to compare with cnf.x5t#S256', INVALID_TOKEN, inputs);
    return presented === expected
      ? pass(`thumbprint ${presented} equals cnf.x5t#S256`, inputs)
      : fail(`presented certificate thumbprint ${presented} does not equal cnf.x5t#S256 ${expected}`, INVALID_TOKEN, inputs);
  },
};
