// Mutant gateways (FAPI_GATEWAY_DISABLE_CHECK, lib/checks/mutants.ts): a disabled check still runs but
// its failure becomes a pass whose reason says so; where the check establishes what later checks read
// (the token's claims, the proof key's thumbprint), the mutant establishes it without the check's rule,
// as a gateway that forgot the rule would. Tests, benchmarks and demos only (server/config.ts refuses it otherwise).
import { randomUUID } from 'node:crypto';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { Route } from './routes.ts';
import type { Pki } from '../pki/load.ts';
import { mtlsServerTls } from '../tls/options.ts';
import { pass, type AccessTokenClaims, type Check, type GatewayContext, type Verdict } from './context.ts';
import { pipelineFor, AUTHENTICITY, type Step } from './pipeline.ts';
import { decodeJson, jwkThumbprint } from './jose-util.ts';

const DISABLED = 'DISABLED by FAPI_GATEWAY_DISABLE_CHECK (a mutant gateway)';

/** Runs the real check; a failure passes, after `carryOn` sets up what the check would have. */
function relaxed(check: Check, carryOn?: (ctx: GatewayContext) => void): Check {
  const relax = (ctx: GatewayContext, v: Verdict): Verdict => {
    if (v.outcome !== 'fail') return v;
    carryOn?.(ctx);
    return pass(`${DISABLED}; it would have failed: ${v.reason}`, v.inputs);
  };
  return {
    id: check.id,
    run(ctx) {
      const v = check.run(ctx);
      return v instanceof Promise ? v.then((r) => relax(ctx, r)) : relax(ctx, v);
    },
  };
}

/** Runs the real check on claims with one absent claim filled in (a rule of token.claims skipped). */
function claimOptional(check: Check, claim: 'exp' | 'iss'): Check {
  return {
    id: check.id,
    run(ctx) {
      const claims = ctx.claims;
      if (!claims || claims[claim] !== undefined) return check.run(ctx);
      const filled = { ...claims, [claim]: claim === 'exp' ? ctx.now + 60 : ctx.deps.issuer };
      const v = check.run({ ...ctx, claims: filled }) as Verdict;
      return v.outcome === 'fail' ? v : pass(`${DISABLED}: no ${claim} claim, accepted; ${v.reason}`, v.inputs);
    },
  };
}

/** Introspection whose active member is not looked at: whatever the response carries becomes the claims. */
const introspectionIgnoringActive: Check = {
  id: 'token.introspection',
  async run(ctx) {
    const result = await ctx.deps.introspect(ctx.token!, ctx.now);
    const { active, ...claims } = result.ok ? result.response : {};
    ctx.claims = claims as AccessTokenClaims;
    return pass(`${DISABLED}: active ${JSON.stringify(active ?? null)} not looked at`, { active });
  },
};

/** The payload of a JWT, not verified (what a gateway that never checks signatures reads). */
function unverifiedClaims(ctx: GatewayContext): void {
  const payload = ctx.token?.split('.')[1];
  const claims = payload ? decodeJson(payload) : null;
  if (claims) ctx.claims = claims as AccessTokenClaims;
}

/** The thumbprint of whatever jwk the proof carries (dpop.jwk-public would have computed it). */
function anyJwkThumbprint(ctx: GatewayContext): void {
  const jwk = ctx.proof?.header.jwk;
  if (ctx.proof && jwk && typeof jwk === 'object') ctx.proof.jkt = jwkThumbprint(jwk as Record<string, unknown>) ?? undefined;
}

/** Neither checks nor echoes x-fapi-interaction-id: the answer carries an id of the gateway's own. */
const noInteractionId: Check = {
  id: 'api.interaction-id',
  run(ctx) {
    ctx.interactionId = randomUUID();
    return pass(`${DISABLED}: x-fapi-interaction-id neither checked nor echoed; answering with ${ctx.interactionId}`);
  },
};

/** How each mutant changes a check (default: relaxed); a check id absent from `disabled` is untouched. */
function mutate(check: Check, disabled: ReadonlySet<string>): Check {
  if (check.id === 'token.claims') {
    let c = check;
    if (disabled.has('token.claims:exp-absent')) c = claimOptional(c, 'exp');
    if (disabled.has('token.claims:iss-absent')) c = claimOptional(c, 'iss');
    if (disabled.has('token.claims')) c = relaxed(c);
    return c;
  }
  if (check.id === 'token.introspection' && (disabled.has('token.introspection') || disabled.has('token.introspection:active-ignored'))) {
    return introspectionIgnoringActive;
  }
  if (!disabled.has(check.id)) return check;
  switch (check.id) {
    case 'api.interaction-id': return noInteractionId;
    case 'token.signature': return relaxed(check, unverifiedClaims);
    case 'dpop.jwk-public': return relaxed(check, anyJwkThumbprint);
    default: return relaxed(check);
  }
}

function mutateSteps(steps: readonly Step[], disabled: ReadonlySet<string>): Step[] {
  const checks = (list: readonly Check[]) => list.map((c) => mutate(c, disabled));
  return steps.map((s) => ('branch' in s ? { ...s, steps: { mtls: checks(s.steps.mtls), dpop: checks(s.steps.dpop) } } : mutate(s, disabled)));
}

/** The pipeline of each route (by id), with the mutants applied. */
export function routePipelines(routes: readonly Route[], disabledChecks: readonly string[]): Map<string, readonly Step[]> {
  const disabled = new Set(disabledChecks);
  return new Map(routes.map((r) => {
    const binding = r.binding === 'mtls' && disabled.has('route.mtls-unbound') ? 'bearer' : r.binding;
    const steps = pipelineFor(binding, AUTHENTICITY[r.token]);
    return [r.id, disabled.size ? mutateSteps(steps, disabled) : steps];
  }));
}

/**
 * The gateway listeners' TLS: mtlsServerTls, except that the tls.protocol mutant also accepts what the
 * listener refuses (TLS 1.0 and 1.1, any suite OpenSSL has), so the check is the only guard left.
 */
export function gatewayTls(pki: Pki, strict: boolean, disabledChecks: readonly string[]): SecureContextOptions & TlsOptions {
  const tls = mtlsServerTls(pki, strict);
  return disabledChecks.includes('tls.protocol') ? { ...tls, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } : tls;
}

/** The start-up warning: which checks this gateway skips. */
export function mutantWarning(disabledChecks: readonly string[]): string | null {
  if (!disabledChecks.length) return null;
  return `!!! MUTANT GATEWAY: FAPI_GATEWAY_DISABLE_CHECK=${disabledChecks.join(',')}: these gateway checks always pass. Never use this gateway for anything but tests and demos. !!!`;
}
