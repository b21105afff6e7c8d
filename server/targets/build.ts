// Builds the engine's Target from a loaded target file: endpoints (bundled or discovered), trust,
// name mappings (clients, certificates, resources, scopes, routes), minting, observability, and the
// capabilities the file gives (lib/target/capabilities.ts). Bundled parts come from a running stack.
import type { Capability } from '../../lib/target/capabilities.ts';
import { CATALOGUE_ROUTES, ROUTE_IDS, catalogueRouteOf, type RouteId } from '../../lib/target/routes.ts';
import type { ConfigOverrides } from '../config.ts';
import type { Stack } from '../stack-types.ts';
import { minter, mintCertificate } from '../pki/mint.ts';
import { RESOURCES } from '../resources.ts';
import { BUNDLED_RESOURCES, bundledClient, directorySigner, idpSigner, pkiCertificate, type Target } from '../engine/target.ts';
import { passwordOf } from '../idp/interactions/users.ts';
import { CALLBACK_PATH } from '../tpp/callback.ts';
import type { LoadedTarget } from './load.ts';
import { discover, type DiscoveredAs } from './discovery.ts';

/** Whether the target needs the bundled stack (its IdP, its gateway, or its OB API behind your gateway). */
export function needsStack(t: LoadedTarget): boolean {
  return t.file.authorizationServer === 'bundled' || t.file.resourceServer === 'bundled';
}

/** The CA bundle the engine trusts: the file's, plus the sandbox root when something is bundled. */
export function trustBundle(t: LoadedTarget, stack: Pick<Stack, 'pki'> | null): string {
  return [...t.trust, ...(stack ? [stack.pki.rootCa] : [])].join('\n');
}

/** Discovers the external authorization server (null when it is the bundled one). */
export async function discoverAs(t: LoadedTarget, sandboxRootCa: string | null): Promise<DiscoveredAs | null> {
  if (t.file.authorizationServer === 'bundled') return null;
  return discover(t.file.authorizationServer, [...t.trust, ...(sandboxRootCa ? [sandboxRootCa] : [])].join('\n'));
}

/**
 * How the CLI starts the bundled stack for this target: the file's fixed ports, the external gateway
 * key (your gateway in front of the bundled OB API), and, with your authorization server in front of
 * the bundled gateway, that server's issuer, JWKS and audience.
 */
export function stackOverrides(t: LoadedTarget, as: DiscoveredAs | null, sandboxRootCa: string): ConfigOverrides {
  const b = t.file.bundled;
  const ports = { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0, ...b?.ports };
  return {
    ui: false,
    quiet: true,
    ports,
    ...(b?.externalGatewayKey ? { externalGatewayKey: b.externalGatewayKey } : {}),
    ...(as && t.file.resourceServer === 'bundled'
      ? {
          gateway: {
            externalIssuer: { issuer: as.issuer, jwksUri: as.jwksUri, audience: b?.gateway?.audience ?? RESOURCES.obApi, ca: [...t.trust, sandboxRootCa].join('\n') },
          },
        }
      : {}),
  };
}

function routeMap(t: LoadedTarget): Partial<Record<RouteId, string>> {
  const rs = t.file.resourceServer;
  if (rs === 'bundled') return Object.fromEntries(ROUTE_IDS.map((id) => [id, CATALOGUE_ROUTES[id].prefix]));
  return rs.routes ?? { fapi: CATALOGUE_ROUTES.fapi.prefix };
}

/** The capabilities this target file gives, minus what it declares unsupported. */
export function capabilitiesOf(t: LoadedTarget, as: DiscoveredAs | null): Set<Capability> {
  const f = t.file;
  const asBundled = f.authorizationServer === 'bundled';
  const rsBundled = f.resourceServer === 'bundled';
  const caps = new Set<Capability>();
  if (f.senderConstraint !== 'dpop') caps.add('mtls');
  if (f.senderConstraint !== 'mtls') caps.add('dpop');
  for (const id of Object.keys(routeMap(t)) as RouteId[]) {
    const c = CATALOGUE_ROUTES[id].capability;
    // The bundled phantom route introspects at the bundled IdP: it knows no other issuer's tokens.
    if (c && !(c === 'phantom' && rsBundled && !asBundled)) caps.add(c);
  }
  if (rsBundled || (f.resourceServer !== 'bundled' && f.resourceServer.strictBaseUrl)) caps.add('strict-tls');
  if (asBundled || as?.registrationEndpoint) caps.add('dcr');
  if (asBundled || as?.revocationEndpoint) caps.add('token-revocation');
  if (t.certificateAuthority || (asBundled && rsBundled)) caps.add('mint');
  if (asBundled && rsBundled) caps.add('revocation');
  if (asBundled && rsBundled) caps.add('consent-journey');
  if (rsBundled) caps.add('gateway-checks');
  if (asBundled) caps.add('idp-checks');
  if (asBundled) caps.add('issuer-key');
  if (asBundled || (as?.parEndpoint && as.authorizationEndpoint && as.redirectUri)) caps.add('par');
  for (const c of f.capabilities) caps.add(c as Capability);
  for (const c of f.unsupported) caps.delete(c as Capability);
  return caps;
}

/** The engine's view of this target. `stack` is required when something is bundled. */
export function buildTarget(t: LoadedTarget, as: DiscoveredAs | null, stack: Stack | null): Target {
  const f = t.file;
  if (needsStack(t) && !stack) throw new Error('buildTarget: this target needs the bundled stack');
  if (f.authorizationServer !== 'bundled' && !as) throw new Error('buildTarget: discover the authorization server first');
  const routes = routeMap(t);
  const rs = f.resourceServer;
  const gateway = rs === 'bundled' ? stack!.urls.gateway : rs.baseUrl;
  const gatewayStrict = rs === 'bundled' ? stack!.urls.gatewayStrict : (rs.strictBaseUrl ?? null);
  // The consent journey's endpoints are the bundled IdP's (its sign-in and consent pages, its redirect URI).
  const endpoints = as
    ? {
        issuer: as.issuer, token: as.mtlsTokenEndpoint, tokenPlain: as.tokenEndpoint, registration: as.registrationEndpoint, revocation: as.revocationEndpoint ?? null,
        par: as.parEndpoint, authorization: as.authorizationEndpoint, callback: as.redirectUri, gateway, gatewayStrict,
      }
    : {
        issuer: stack!.idp.issuer, token: stack!.idp.endpoints.token, tokenPlain: `${stack!.idp.issuer}/token`, registration: stack!.idp.endpoints.registration, revocation: stack!.idp.endpoints.revocation,
        par: stack!.idp.endpoints.par, authorization: stack!.idp.endpoints.authorization, callback: `${stack!.urls.ui}${CALLBACK_PATH}`, gateway, gatewayStrict,
      };
  const externalAs = f.authorizationServer === 'bundled' ? null : f.authorizationServer;
  const mint = t.certificateAuthority
    ? minter({ issuing: t.certificateAuthority, rogue: stack?.pki.rogueCa ?? null })
    : stack
      ? (req: Parameters<typeof mintCertificate>[1]) => mintCertificate(stack.pki, req)
      : minter({ issuing: null, rogue: null });
  return {
    name: f.name,
    endpoints,
    ca: trustBundle(t, stack),
    certificate: (name) => t.certificates.get(name) ?? (stack ? pkiCertificate(stack, name) : null),
    client: (name) => t.clients.get(name) ?? (externalAs ? null : bundledClient(stack!, name)),
    resource: (name) => (externalAs ? (externalAs.resources[name] ?? null) : (BUNDLED_RESOURCES[name] ?? null)),
    scope: (name) => externalAs?.scopes[name] ?? name,
    gatewayUrl(path, via) {
      const base = via === 'gatewayStrict' ? gatewayStrict : gateway;
      if (!base) return null;
      const route = catalogueRouteOf(path);
      if (!route) return base + path;
      const mapped = routes[route.id];
      if (mapped === undefined) return null;
      return (/^https:\/\//.test(mapped) ? mapped : base + mapped) + route.rest;
    },
    psuPassword: (username) => (externalAs ? null : (passwordOf(username) ?? null)),
    idpPublicJwks: as ? as.jwks : stack!.idp.publicJwks,
    decisions: stack ? (id) => stack.decisions.lookup(id) : null,
    signAccessToken: externalAs ? null : idpSigner(stack!),
    mint,
    capabilities: capabilitiesOf(t, as),
    signer: (name) => (stack ? directorySigner(stack, name) : null),
  };
}
