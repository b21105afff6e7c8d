// GET /api/openapi/{control-api,ob-api}.{json,yaml} — the OpenAPI 3.1 documents of this control API and
// of the mock Open Banking API (openapi/): JSON with this sandbox's URLs, or the YAML source as written.
import type { ControlRequest } from '../index.ts';
import { sendError, sendJson } from '../http.ts';
import { OPENAPI_DOCUMENTS, openApiSource, servedOpenApi, type OpenApiName } from '../openapi.ts';

/** Serves openapi/<name>.json (this sandbox's URLs, external refs inlined) or the .yaml source; 404 otherwise. */
export function openApiDocument({ res, params, stack }: ControlRequest): void {
  const m = /^([a-z-]+)\.(json|yaml)$/.exec(params.file ?? '');
  const name = m?.[1] as OpenApiName | undefined;
  if (!m || !name || !OPENAPI_DOCUMENTS.includes(name)) {
    return sendError(res, 404, 'not_found', `no OpenAPI document ${params.file}: ${OPENAPI_DOCUMENTS.map((d) => `${d}.json`).join(', ')} (or .yaml)`);
  }
  if (m[2] === 'json') return sendJson(res, 200, servedOpenApi(stack, name));
  const text = openApiSource(stack.config.rootDir, name);
  res.writeHead(200, { 'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
