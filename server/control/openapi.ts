// The OpenAPI 3.1 documents of openapi/ (the mock Open Banking API and this control API): read from
// YAML, with `$ref`s into schemas/*.json inlined (so one JSON document stands alone), and served with
// the running sandbox's URLs in `servers`. test/openapi/ validates real responses against them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Stack } from '../stack-types.ts';
import { UPSTREAM_BASE } from '../gateway/routes.ts';

/** The documents, by name (openapi/<name>.yaml). */
export const OPENAPI_DOCUMENTS = ['ob-api', 'control-api'] as const;
export type OpenApiName = (typeof OPENAPI_DOCUMENTS)[number];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The YAML source as written. */
export function openApiSource(rootDir: string, name: OpenApiName): string {
  return readFileSync(path.join(rootDir, 'openapi', `${name}.yaml`), 'utf8');
}

function pointerGet(doc: Json, pointer: string, where: string): Json {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) throw new Error(`${where}: no ${pointer}`);
    node = (node as Record<string, Json>)[key]!;
  }
  return node;
}

/**
 * Replaces every `$ref` to another file (`../schemas/scenario.schema.json#/properties/steps`) with a copy
 * of what it points at; references inside the document (`#/components/...`) stay. The referenced files
 * must not contain `$ref`s of their own (the generated JSON Schemas do not).
 */
function inlineExternalRefs(node: Json, baseDir: string, files: Map<string, Json>): Json {
  if (Array.isArray(node)) return node.map((n) => inlineExternalRefs(n, baseDir, files));
  if (node === null || typeof node !== 'object') return node;
  const ref = node.$ref;
  if (typeof ref === 'string' && !ref.startsWith('#')) {
    const [file, pointer = ''] = ref.split('#') as [string, string?];
    const full = path.resolve(baseDir, file);
    if (!files.has(full)) files.set(full, JSON.parse(readFileSync(full, 'utf8')) as Json);
    const target = structuredClone(pointerGet(files.get(full)!, pointer, file));
    if (JSON.stringify(target).includes('"$ref"')) throw new Error(`${ref}: nested $ref cannot be inlined`);
    if (target && typeof target === 'object' && !Array.isArray(target)) delete target.$schema;
    const { $ref: _ref, ...siblings } = node;
    return { ...(target as Record<string, Json>), ...siblings };
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inlineExternalRefs(v, baseDir, files)]));
}

const cache = new Map<string, Record<string, Json>>();

/** The document as one JSON object (external schema references inlined), with its default servers. */
export function loadOpenApi(rootDir: string, name: OpenApiName): Record<string, Json> {
  const key = `${rootDir}\0${name}`;
  let doc = cache.get(key);
  if (!doc) {
    const parsed = parse(openApiSource(rootDir, name)) as Json;
    doc = inlineExternalRefs(parsed, path.join(rootDir, 'openapi'), new Map()) as Record<string, Json>;
    cache.set(key, doc);
  }
  return structuredClone(doc);
}

/** The document with this sandbox's URLs: the gateway and its route prefixes, the token endpoint, the UI port. */
export function servedOpenApi(stack: Stack, name: OpenApiName): Record<string, Json> {
  const doc = loadOpenApi(stack.config.rootDir, name);
  if (name === 'control-api') {
    doc.servers = [{ url: stack.urls.ui, description: 'This sandbox\'s web UI port.' }];
    return doc;
  }
  const prefixes = [...new Set(stack.gateway.routes.map((r) => r.prefix.slice(0, r.prefix.length - (r.upstream ?? UPSTREAM_BASE).length)))];
  const variables = { routePrefix: { default: '', enum: prefixes, description: 'The gateway route, i.e. which binding it enforces.' } };
  doc.servers = [
    { url: `${stack.urls.gateway}{routePrefix}`, description: 'This sandbox\'s gateway.', variables },
    { url: `${stack.urls.gatewayStrict}{routePrefix}`, description: 'The same gateway with strict TLS: bad client certificates are refused in the handshake.', variables },
  ];
  const schemes = (doc.components as { securitySchemes?: { boundToken?: { flows?: { clientCredentials?: { tokenUrl?: string } } } } }).securitySchemes;
  const flow = schemes?.boundToken?.flows?.clientCredentials;
  if (flow) flow.tokenUrl = stack.idp.endpoints.token;
  return doc;
}
