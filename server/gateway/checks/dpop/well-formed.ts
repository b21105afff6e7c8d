// dpop.well-formed — RFC 9449 §4.3 (2): the proof is a compact JWS whose header and payload are
// JSON objects. Nothing cryptographic happens before this passes.
import { pass, fail, INVALID_PROOF, type Check } from '../../context.ts';
import { decodeHeader, decodeJson, isCanonicalCompact } from '../../jose-util.ts';

export const dpopWellFormed: Check = {
  id: 'dpop.well-formed',
  run(ctx) {
    const parts = ctx.proofJwt!.split('.');
    if (parts.length !== 3) return fail(`not a compact JWS (${parts.length} parts)`, INVALID_PROOF);
    const header = decodeHeader(parts[0]!);
    const claims = decodeJson(parts[1]!);
    if (!header) return fail('the proof header is not base64url JSON', INVALID_PROOF);
    if (!claims) return fail('the proof payload is not base64url JSON', INVALID_PROOF);
    // An empty signature is still well-formed (an unsecured JWS, alg none): dpop.alg refuses it.
    if (!isCanonicalCompact(parts)) return fail('a segment is not canonical base64url (padding, other characters or non-zero unused bits)', INVALID_PROOF);
    ctx.proof = { header, claims };
    return pass('a compact JWS with JSON header and payload');
  },
};
