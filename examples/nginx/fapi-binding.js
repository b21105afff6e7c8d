// fapi-binding.js: an nginx njs module that makes nginx a FAPI resource gateway for certificate-bound
// access tokens (RFC 8705 section 3). For every request it checks, in order:
//   1. an access token in Authorization: Bearer (RFC 6750 §2.1);
//   2. a client certificate that verified against ssl_client_certificate / ssl_crl ($ssl_client_verify;
//      with ssl_verify_client on, nginx's error_page 495 496 sends failures to certificateRejected);
//   3. the token is a JWT (at+jwt, RFC 9068) signed PS256 or ES256 by a key in the issuer's JWKS;
//   4. iss, aud, exp / nbf and the route's scope (403 insufficient_scope, RFC 6750 §3.1);
//   5. the token is certificate-bound: it carries cnf.x5t#S256 (FAPI 2.0 SP §5.3.2.1);
//   6. cnf.x5t#S256 equals base64url(SHA-256(DER of the client certificate on THIS connection)).
// Then it hands the request to the @upstream location; otherwise it answers 401 / 403 with
// WWW-Authenticate: Bearer error="...", error_description="..." (RFC 6750 §3).
// Written for njs 0.7 (Debian 12's libnginx-mod-http-js): no JWK import, so keys are turned into SPKI.
// Settings (js_var in the nginx config): $fapi_issuer, $fapi_audience, $fapi_scope, $fapi_jwks_file
// (a JWKS file: the issuer's public keys, e.g. fetched from its jwks_uri).
var fs = require('fs');
var nodeCrypto = require('crypto');

var ALGS = { PS256: true, ES256: true };
var LEEWAY = 5;

function refuse(r, status, error, description) {
  var params = 'realm="fapi-gateway"';
  if (error) params += ', error="' + error + '", error_description="' + description.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?') + '"';
  if (error === 'insufficient_scope') params += ', scope="' + r.variables.fapi_scope + '"';
  r.headersOut['WWW-Authenticate'] = 'Bearer ' + params;
  r.headersOut['Content-Type'] = 'application/json';
  r.headersOut['Cache-Control'] = 'no-store';
  var id = r.headersIn['x-fapi-interaction-id'];
  if (id && /^[0-9a-fA-F-]{36}$/.test(id)) r.headersOut['x-fapi-interaction-id'] = id;
  var body = { error_description: description };
  if (error) body.error = error;
  r.return(status, JSON.stringify(body));
}

function b64json(segment) {
  try {
    var value = JSON.parse(Buffer.from(segment, 'base64url').toString());
    return value !== null && typeof value === 'object' ? value : null;
  } catch (e) {
    return null;
  }
}

// DER encoding, just enough for SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
function derLength(n) {
  if (n < 128) return [n];
  var bytes = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = n >> 8;
  }
  return [0x80 | bytes.length].concat(bytes);
}
function der(tag, content) {
  return [tag].concat(derLength(content.length), content);
}
function bytes(b64url) {
  return Array.prototype.slice.call(Buffer.from(b64url, 'base64url'));
}
function derInteger(b64url) {
  var b = bytes(b64url);
  while (b.length > 1 && b[0] === 0) b.shift();
  if (b[0] & 0x80) b.unshift(0);
  return der(0x02, b);
}

/** RFC 8017 RSAPublicKey or an uncompressed P-256 point, wrapped as SPKI. */
function spki(jwk) {
  if (jwk.kty === 'RSA') {
    var algId = der(0x30, [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]);
    var rsaKey = der(0x30, derInteger(jwk.n).concat(derInteger(jwk.e)));
    return Buffer.from(der(0x30, algId.concat(der(0x03, [0x00].concat(rsaKey)))));
  }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
    var prefix = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
    return Buffer.concat([prefix, Buffer.from([0x04]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  }
  return null;
}

async function signatureValid(alg, jwk, signingInput, signature) {
  var key = spki(jwk);
  if (!key) return false;
  var sig = Buffer.from(signature, 'base64url');
  var data = Buffer.from(signingInput);
  if (alg === 'PS256' && jwk.kty === 'RSA') {
    var rsa = await crypto.subtle.importKey('spki', key, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
    return crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, rsa, sig, data);
  }
  if (alg === 'ES256' && jwk.kty === 'EC') {
    var ec = await crypto.subtle.importKey('spki', key, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, ec, sig, data);
  }
  return false;
}

/** base64url(SHA-256(DER)) of the PEM certificate nginx exposes as $ssl_client_raw_cert (RFC 8705 §3.1). */
function thumbprint(pem) {
  var b64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return nodeCrypto.createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64url');
}

/** error_page 495 496: a missing or failed client certificate, as an RFC 6750 401 with the reason. */
function certificateRejected(r) {
  var verify = r.variables.ssl_client_verify || 'NONE';
  if (verify === 'NONE') return refuse(r, 401, 'invalid_token', 'no client certificate was presented: a certificate-bound token needs the certificate it is bound to (RFC 8705 section 3)');
  return refuse(r, 401, 'invalid_token', 'the client certificate was rejected: ' + verify.replace(/^FAILED:/, ''));
}

async function authorize(r) {
  try {
    var authorization = r.headersIn.Authorization || '';
    var m = /^Bearer\s+([A-Za-z0-9\-._~+\/]+=*)$/i.exec(authorization);
    if (!m) {
      if (/^DPoP\s/i.test(authorization)) return refuse(r, 401, 'invalid_token', 'this gateway accepts certificate-bound tokens with the Bearer scheme only');
      return refuse(r, 401, null, 'an access token is required (Authorization: Bearer)');
    }
    var token = m[1];

    // With ssl_verify_client optional (instead of on + error_page 495 496), refuse here.
    if (r.variables.ssl_client_verify !== 'SUCCESS') return certificateRejected(r);

    var parts = token.split('.');
    if (parts.length !== 3) return refuse(r, 401, 'invalid_token', 'the access token is not a signed JWT');
    var header = b64json(parts[0]);
    var claims = b64json(parts[1]);
    if (!header || !claims) return refuse(r, 401, 'invalid_token', 'the access token is not base64url JSON');
    if (!ALGS[header.alg]) return refuse(r, 401, 'invalid_token', 'alg "' + header.alg + '" is not allowed (PS256, ES256)');
    if (typeof header.typ !== 'string' || ['at+jwt', 'application/at+jwt'].indexOf(header.typ.toLowerCase()) < 0) return refuse(r, 401, 'invalid_token', 'typ is not at+jwt (RFC 9068)');
    var keys = JSON.parse(fs.readFileSync(r.variables.fapi_jwks_file)).keys || [];
    var jwk = keys.filter(function (k) { return k.kid === header.kid && (!k.use || k.use === 'sig'); })[0];
    if (!jwk) return refuse(r, 401, 'invalid_token', 'no key with kid "' + header.kid + '" in the issuer JWKS');
    if (!(await signatureValid(header.alg, jwk, parts[0] + '.' + parts[1], parts[2]))) return refuse(r, 401, 'invalid_token', 'the signature does not verify with the issuer key');

    var now = Math.floor(Date.now() / 1000);
    var aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== r.variables.fapi_issuer) return refuse(r, 401, 'invalid_token', 'iss "' + claims.iss + '" is not the trusted issuer');
    if (aud.indexOf(r.variables.fapi_audience) < 0) return refuse(r, 401, 'invalid_token', 'aud does not include ' + r.variables.fapi_audience);
    if (typeof claims.exp !== 'number' || now > claims.exp + LEEWAY) return refuse(r, 401, 'invalid_token', 'the token has expired');
    if (typeof claims.nbf === 'number' && now < claims.nbf - LEEWAY) return refuse(r, 401, 'invalid_token', 'the token is not valid yet');
    var scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (scopes.indexOf(r.variables.fapi_scope) < 0) return refuse(r, 403, 'insufficient_scope', 'the token does not grant the ' + r.variables.fapi_scope + ' scope');

    var bound = claims.cnf && claims.cnf['x5t#S256'];
    if (typeof bound !== 'string') return refuse(r, 401, 'invalid_token', 'the token is not certificate-bound (no cnf.x5t#S256): plain bearer tokens are refused (FAPI 2.0 SP 5.3.2.1)');
    var presented = thumbprint(r.variables.ssl_client_raw_cert);
    if (presented !== bound) {
      return refuse(r, 401, 'invalid_token', 'cnf.x5t#S256 ' + bound + ' does not equal the SHA-256 thumbprint ' + presented + ' of the client certificate on this connection (RFC 8705 section 3)');
    }
    r.internalRedirect('@upstream');
  } catch (e) {
    r.error('fapi-binding: ' + e);
    refuse(r, 401, 'invalid_token', 'the access token could not be verified');
  }
}

export default { authorize, certificateRejected };
