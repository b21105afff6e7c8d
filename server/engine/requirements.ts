// What a scenario needs from a target: the capabilities it declares under `requires:` plus what its
// steps imply (a mint with a trusted flaw needs the CA key, a registration needs dcr, a call on the
// strict listener needs strict-tls, a catalogue route needs that route), and the clients,
// certificates and resources it names. The runner skips a scenario whose needs a target does not meet.
import type { Scenario, Step } from '../../lib/scenario/schema.ts';
import { CATALOGUE_ROUTES, catalogueRouteOf } from '../../lib/target/routes.ts';
import type { Capability } from '../../lib/target/capabilities.ts';
import type { Target } from './target.ts';

export interface Requirements {
  /** Declared and implied capabilities. */
  capabilities: Capability[];
  /** Static client names (actors' client:, token steps' client:); registered ones ({{var}}) excluded. */
  clients: string[];
  /** Certificates named by actors that the scenario does not mint itself. */
  certificates: string[];
  /** Resource names used as {{resources.NAME}}. */
  resources: string[];
}

const isStatic = (v: string | undefined): v is string => v !== undefined && !v.includes('{{');

/** Capabilities a step implies by its shape. */
export function impliedCapabilities(step: Step): Capability[] {
  const out: Capability[] = [];
  if ('mint' in step && ['none', 'expired', 'not-yet-valid'].includes(step.mint.flaw)) out.push('mint');
  if ('register' in step) out.push('dcr');
  if ('revoke' in step) out.push('token-revocation');
  // Only a pushed request goes on to the bank's pages; one sent without PAR, or with a request_uri it holds, is a probe.
  const probe = 'authorize' in step && (!step.authorize.par || step.authorize.requestUri !== undefined);
  if (('authorize' in step && !probe) || ('token' in step && step.token.grant !== 'client_credentials')) out.push('consent-journey');
  if ('authorize' in step && step.authorize.dpop !== false) out.push('dpop');
  if ('request' in step && step.request.dpop !== false) out.push('dpop');
  if (('request' in step && ['par', 'authorization'].includes(step.request.endpoint)) || probe) out.push('par');
  if ('token' in step && step.token.dpop !== false) out.push('dpop');
  if ('call' in step) {
    if (step.call.via === 'gatewayStrict') out.push('strict-tls');
    if (step.call.dpop !== false) out.push('dpop');
    if (typeof step.call.token === 'object' && step.call.token.forge === 'issuer-key') out.push('issuer-key');
    const route = catalogueRouteOf(step.call.path);
    const capability = route ? CATALOGUE_ROUTES[route.id].capability : null;
    if (capability) out.push(capability);
  }
  return out;
}

export function requirementsOf(scenario: Scenario): Requirements {
  const capabilities = new Set<Capability>(scenario.requires as Capability[]);
  const clients = new Set<string>();
  const minted = new Set<string>();
  for (const step of scenario.steps) {
    // A step with onlyWith is skipped, not the scenario, on a target without what it needs.
    if (!step.onlyWith) for (const c of impliedCapabilities(step)) capabilities.add(c);
    if ('token' in step && isStatic(step.token.client)) clients.add(step.token.client);
    if ('mint' in step) minted.add(step.mint.name);
  }
  const certificates = new Set<string>();
  for (const actor of Object.values(scenario.actors)) {
    if (isStatic(actor.client)) clients.add(actor.client);
    if (isStatic(actor.certificate) && !minted.has(actor.certificate)) certificates.add(actor.certificate);
  }
  const resources = new Set([...JSON.stringify(scenario.steps).matchAll(/\{\{\s*resources\.([A-Za-z0-9_-]+)\s*\}\}/g)].map((m) => m[1]!));
  return { capabilities: [...capabilities], clients: [...clients], certificates: [...certificates], resources: [...resources] };
}

/** What the target lacks for this onlyWith step (its own list and what the step implies); empty when it runs. */
export function stepUnmet(target: Target, step: Step): string[] {
  if (!step.onlyWith) return [];
  return [...new Set([...(step.onlyWith as Capability[]), ...impliedCapabilities(step)])].filter((c) => !target.capabilities.has(c));
}

/** What the target lacks for this scenario, as short phrases ("dpop-nonce", "client tpp-bearer"); empty when it can run. */
export function unmet(target: Target, scenario: Scenario): string[] {
  const r = requirementsOf(scenario);
  return [
    ...r.capabilities.filter((c) => !target.capabilities.has(c)),
    ...r.clients.filter((c) => !target.client(c)).map((c) => `client ${c}`),
    ...r.certificates.filter((c) => !target.certificate(c)).map((c) => `certificate ${c}`),
    ...r.resources.filter((c) => !target.resource(c)).map((c) => `resource ${c}`),
  ];
}
