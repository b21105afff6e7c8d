// Gateway mutants (FAPI_GATEWAY_DISABLE_CHECK, tests and benchmarks only): every gateway check id of the
// catalogue disables that check, and a few partial mutants disable one rule of a check. `npm run mutants`
// runs the catalogue against each, judged from outside, to show which scenarios catch which broken gateway.
import { CHECK_IDS, CHECKS, type CheckId } from './catalogue.ts';

/** Partial mutants: one rule of a check, or one route's binding, turned off. */
export const PARTIAL_MUTANTS = {
  'token.claims:exp-absent': 'token.claims accepts a token that has no exp claim',
  'token.claims:iss-absent': 'token.claims accepts a token that has no iss claim',
  'token.introspection:active-ignored': 'token.introspection uses the introspection response without looking at active',
  'route.mtls-unbound': 'the /mtls route verifies the token but not its binding (the bearer route\'s pipeline)',
} as const;

export type PartialMutantId = keyof typeof PARTIAL_MUTANTS;

export const GATEWAY_CHECK_IDS: readonly CheckId[] = CHECK_IDS.filter((id) => CHECKS[id].source === 'gateway');

/** Every mutant the gateway can run: its check ids, then the partial mutants. */
export const MUTANT_IDS: readonly string[] = [...GATEWAY_CHECK_IDS, ...Object.keys(PARTIAL_MUTANTS)];

export function isMutantId(value: string): boolean {
  return MUTANT_IDS.includes(value);
}

/** One line: what the gateway no longer does under this mutant. */
export function mutantSummary(id: string): string {
  if (Object.hasOwn(PARTIAL_MUTANTS, id)) return PARTIAL_MUTANTS[id as PartialMutantId];
  return Object.hasOwn(CHECKS, id) ? `${id} always passes (${CHECKS[id as CheckId].title})` : id;
}

/**
 * Mutants a client cannot tell from the intact gateway, with the reason. `npm run mutants` fails when
 * any other mutant survives the catalogue judged from outside, or when one listed here is killed.
 */
export const NOT_OBSERVABLE: Readonly<Record<string, string>> = {
  'tls.client-cert-presented':
    'equivalent: without a certificate tls.client-cert-chain refuses next with the same 401 invalid_token (Bearer challenge), so a client sees no difference; a gateway that skips both is caught by the tls.client-cert-chain scenarios',
  'token.introspection':
    'equivalent: for an inactive token the IdP answers {"active": false} and nothing else (RFC 7662 §2.2), so a gateway that does not look at active has no iss, aud or cnf to accept and token.claims refuses with the same 401 invalid_token; phantom-token presents a never-issued token to catch a gateway that accepts it anyway',
  'token.introspection:active-ignored':
    'equivalent, as token.introspection: an inactive token\'s introspection response carries no claims (RFC 7662 §2.2), so token.claims refuses it with the same 401 invalid_token',
  'dpop.alg':
    'equivalent: dpop.signature verifies only ES256, PS256 and EdDSA, so a proof with alg none, HS256 or any other alg is refused by it with the same 401 invalid_dpop_proof; dpop-private-key-in-proof sends those to catch a gateway that verifies them',
};
