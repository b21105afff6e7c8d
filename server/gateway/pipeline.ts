// The enforcement pipelines, one per binding policy, as tables: a reader sees every check in order.
// DPoP proof checks follow RFC 9449 §4.3; token checks RFC 6750 / RFC 9068; binding RFC 8705 §3.
import type { Binding } from '../../lib/trace/decision.ts';
import type { Check, GatewayContext } from './context.ts';
import { interactionId } from './checks/api/interaction-id.ts';
import { tlsProtocol } from './checks/tls/protocol.ts';
import { clientCertPresented } from './checks/tls/client-cert-presented.ts';
import { clientCertChain } from './checks/tls/client-cert-chain.ts';
import { clientCertValidity } from './checks/tls/client-cert-validity.ts';
import { clientCertRevocation } from './checks/tls/client-cert-revocation.ts';
import { tokenPresent } from './checks/token/present.ts';
import { tokenSignature } from './checks/token/signature.ts';
import { tokenIntrospection } from './checks/token/introspection.ts';
import { tokenClaims } from './checks/token/claims.ts';
import { tokenSenderConstrained } from './checks/token/sender-constrained.ts';
import { cnfThumbprintMatch } from './checks/mtls/cnf-thumbprint-match.ts';
import { dpopScheme } from './checks/dpop/scheme.ts';
import { dpopSingleHeader } from './checks/dpop/single-header.ts';
import { dpopWellFormed } from './checks/dpop/well-formed.ts';
import { dpopTyp } from './checks/dpop/typ.ts';
import { dpopAlg } from './checks/dpop/alg.ts';
import { dpopJwkPublic } from './checks/dpop/jwk-public.ts';
import { dpopSignature } from './checks/dpop/signature.ts';
import { dpopClaimsPresent } from './checks/dpop/claims-present.ts';
import { dpopHtm } from './checks/dpop/htm.ts';
import { dpopHtu } from './checks/dpop/htu.ts';
import { dpopIatWindow } from './checks/dpop/iat-window.ts';
import { dpopJtiUnique } from './checks/dpop/jti-unique.ts';
import { dpopNonce } from './checks/dpop/nonce.ts';
import { dpopAth } from './checks/dpop/ath.ts';
import { dpopCnfJktMatch } from './checks/dpop/cnf-jkt-match.ts';

/** Continues with the checks of whichever binding the (verified) token carries. */
export interface Branch {
  branch: 'token binding';
  pick(ctx: GatewayContext): 'mtls' | 'dpop';
  steps: Record<'mtls' | 'dpop', readonly Check[]>;
}

export type Step = Check | Branch;

const CLIENT_CERT = [clientCertPresented, clientCertChain, clientCertValidity, clientCertRevocation];

const MTLS_BINDING = [...CLIENT_CERT, cnfThumbprintMatch];

const DPOP_BINDING = [
  dpopScheme,
  dpopSingleHeader,
  dpopWellFormed,
  dpopTyp,
  dpopAlg,
  dpopJwkPublic,
  dpopSignature,
  dpopClaimsPresent,
  dpopHtm,
  dpopHtu,
  dpopIatWindow,
  dpopJtiUnique,
  dpopNonce,
  dpopAth,
  dpopCnfJktMatch,
];

const byTokenBinding: Branch = {
  branch: 'token binding',
  pick: (ctx) => (typeof ctx.claims?.cnf?.jkt === 'string' ? 'dpop' : 'mtls'),
  steps: { mtls: MTLS_BINDING, dpop: DPOP_BINDING },
};

/**
 * The pipeline of a route. `authentic` is token.signature for JWT routes and token.introspection on
 * the phantom-token route.
 */
export function pipelineFor(binding: Binding, authentic: Check): readonly Step[] {
  const token = [tokenPresent, authentic, tokenClaims];
  const PIPELINES: Record<Binding, readonly Step[]> = {
    mtls:   [interactionId, tlsProtocol, ...CLIENT_CERT, ...token, tokenSenderConstrained, cnfThumbprintMatch],
    dpop:   [interactionId, tlsProtocol, ...token, tokenSenderConstrained, ...DPOP_BINDING],
    either: [interactionId, tlsProtocol, ...token, tokenSenderConstrained, byTokenBinding],
    bearer: [interactionId, tlsProtocol, ...token, dpopScheme],
  };
  return PIPELINES[binding];
}

export const AUTHENTICITY = { jwt: tokenSignature, introspection: tokenIntrospection } as const;
