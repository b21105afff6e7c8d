// The tokens of one exchange as the token card shows them (sent in the Authorization header, sent as
// a client assertion, issued in the response), where a token's cnf came from, and the binding
// comparison: cnf in the token against what was presented on this request.
import type { DecodedJwt } from '../../lib/trace/events.ts';
import type { ExchangeView, StepView } from '../../lib/trace/timeline.ts';
import { authorizationToken, decodeJwt } from './jwt.ts';
import { commonName } from './format.ts';

export interface ShownToken {
  key: string;
  label: string;
  role: string;
  direction: 'sent' | 'issued';
  decoded: DecodedJwt | null;
  scheme: string | null;
  tokenType: string | null;
}

export function tokensOf(ex: ExchangeView): ShownToken[] {
  const out: ShownToken[] = [];
  const auth = authorizationToken(ex.http.request.headers.authorization);
  if (auth && auth.scheme.toLowerCase() !== 'basic') {
    const forged = ex.sent.find((t) => t.role === 'access_token');
    out.push({
      key: 'sent', label: forged ? `access token sent: ${forged.label}` : `access token sent with the ${auth.scheme} scheme`,
      role: 'access_token', direction: 'sent', decoded: forged?.token ?? decodeJwt(auth.token), scheme: auth.scheme, tokenType: null,
    });
  }
  for (const [i, t] of ex.sent.entries()) {
    if (t.role === 'access_token') continue;
    out.push({ key: `sent-${i}`, label: t.label, role: t.role, direction: 'sent', decoded: t.token, scheme: null, tokenType: null });
  }
  for (const [i, t] of ex.received.entries()) {
    out.push({ key: `issued-${i}`, label: `issued: ${t.label}`, role: t.role, direction: 'issued', decoded: t.token, scheme: null, tokenType: t.tokenType ?? null });
  }
  return out;
}

export interface TokenOrigin {
  /** Where it was issued, in words: "in step 1 (“Alpha gets a token”)". */
  where: string;
  clientId: string | null;
  certificateName: string | null;
}

/** Tokens issued in these steps, by jti: where a replayed token's cnf came from. */
export function issuedTokens(steps: readonly StepView[], where = (step: StepView) => `in step ${step.index + 1} (“${step.name}”)`): Map<string, TokenOrigin> {
  const map = new Map<string, TokenOrigin>();
  for (const step of steps) {
    for (const ex of step.exchanges) {
      for (const t of ex.received) {
        const jti = t.token?.claims.jti;
        if (typeof jti !== 'string') continue;
        const clientId = t.token?.claims.client_id;
        map.set(jti, {
          where: where(step), clientId: typeof clientId === 'string' ? clientId : null,
          certificateName: ex.tls?.clientCertificateName ?? (ex.tls?.clientCertificate ? commonName(ex.tls.clientCertificate.subject) : null),
        });
      }
    }
  }
  return map;
}

export interface Binding {
  kind: 'mtls' | 'dpop' | 'none';
  /** The cnf member, as the token carries it. */
  claimName: string;
  tokenValue: string | null;
  presented: string | null;
  presentedLabel: string;
  presentedFrom: string;
  equal: boolean | null;
  check: { id: string; outcome: 'pass' | 'fail' | 'skip'; reason: string } | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function bindingOf(token: ShownToken, ex: ExchangeView): Binding {
  const cnf = (token.decoded?.claims.cnf ?? null) as Record<string, unknown> | null;
  const checks = ex.decisions.flatMap((d) => d.checks);
  const peer = ex.decisions.find((d) => d.tls?.peerCertificate)?.tls?.peerCertificate ?? null;
  const issued = token.direction === 'issued';
  const x5t = str(cnf?.['x5t#S256']);
  if (x5t) {
    const check = issued ? null : checks.find((c) => c.id === 'mtls.cnf-thumbprint-match') ?? null;
    const cert = ex.tls?.clientCertificate ?? peer;
    const presented = str(check?.inputs?.presentedThumbprint) ?? peer?.thumbprint ?? ex.tls?.clientCertificate?.thumbprint ?? null;
    const name = ex.tls?.clientCertificateName ?? (cert ? commonName(cert.subject) : null);
    return {
      kind: 'mtls', claimName: 'cnf["x5t#S256"]', tokenValue: x5t, presented,
      presentedLabel: presented ? `Presented: ${name ? `${name}'s` : 'the'} certificate, SHA-256` : 'No certificate presented',
      presentedFrom: issued
        ? 'the certificate presented to the token endpoint: the identity provider bound the token to it'
        : check ? 'computed by the gateway from the DER of the certificate on this TLS connection' : 'computed from the certificate presented on this connection',
      equal: presented === null ? false : presented === x5t,
      check: check ? { id: check.id, outcome: check.outcome, reason: check.reason } : null,
    };
  }
  const jkt = str(cnf?.jkt);
  if (jkt) {
    const check = issued ? null : checks.find((c) => c.id === 'dpop.cnf-jkt-match') ?? null;
    const presented = str(check?.inputs?.proofJkt) ?? ex.proofs[0]?.jkt ?? str(checks.find((c) => c.id === 'dpop.jwk-public')?.inputs?.jkt) ?? null;
    return {
      kind: 'dpop', claimName: 'cnf.jkt', tokenValue: jkt, presented,
      presentedLabel: presented ? 'Presented: the DPoP proof key, JWK thumbprint' : 'No DPoP proof key presented',
      presentedFrom: issued
        ? 'the key of the DPoP proof sent to the token endpoint (RFC 7638 thumbprint)'
        : 'RFC 7638 thumbprint of the jwk in this request\'s DPoP proof',
      equal: presented === null ? false : presented === jkt,
      check: check ? { id: check.id, outcome: check.outcome, reason: check.reason } : null,
    };
  }
  return { kind: 'none', claimName: 'cnf', tokenValue: null, presented: null, presentedLabel: '', presentedFrom: '', equal: null, check: null };
}
