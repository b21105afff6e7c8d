// Checks real HTTP answers against an OpenAPI 3.1 document of openapi/: the operation (method + path)
// must be documented, the status must be one of its responses, documented required headers must be
// there and fit their schema, and the body must have a documented media type and fit its JSON Schema
// (2020-12, validated with ajv). Requests no operation matches must get the document's
// `x-unmatched-responses` (404 / 405); any request may get the listener's `x-listener-responses`
// (limits, Host allowlist). Records which operations were exercised, so a test file can require that
// every documented operation was checked against at least one real success.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ROOT_DIR } from '../../server/config.ts';
import { loadOpenApi, type OpenApiName } from '../../server/control/openapi.ts';

// ajv-formats is CommonJS: under Node's ESM interop the plugin may be module.exports.default.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

type Obj = Record<string, unknown>;

/** One real answer, as seen by the client. */
export interface Observed {
  method: string;
  /** Full URL or path (a query is ignored). */
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Operation {
  id: string;
  method: string;
  template: string;
  pattern: RegExp;
  literal: boolean;
  pointer: string;
  op: Obj;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** One OpenAPI document of openapi/ and the answers checked against it (see the file header). */
export class OpenApiConformance {
  readonly doc: Obj;
  readonly operations: Operation[];
  /** operationId -> statuses seen. */
  readonly exercised = new Map<string, Set<number>>();
  private readonly ajv: Ajv2020;
  private readonly id: string;
  private readonly validators = new Map<string, ValidateFunction>();
  /** Server path prefixes (the routePrefix variable of the ob-api servers), longest first. */
  private readonly prefixes: string[];

  constructor(readonly name: OpenApiName, doc: Obj = loadOpenApi(ROOT_DIR, name)) {
    this.doc = doc;
    this.id = `urn:fapi-sandbox:openapi:${name}`;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // zod writes z.string().startsWith('/') as format "starts_with" next to the pattern that checks it.
    this.ajv.addFormat('starts_with', true);
    this.ajv.addSchema({ ...doc, $id: this.id });
    const paths = (doc.paths ?? {}) as Record<string, Obj>;
    this.operations = Object.entries(paths).flatMap(([template, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({
        id: String((item[m] as Obj).operationId ?? `${m} ${template}`),
        method: m.toUpperCase(),
        template,
        pattern: templatePattern(template),
        literal: !template.includes('{'),
        pointer: `#/paths/${escapePointer(template)}/${m}`,
        op: item[m] as Obj,
      })),
    );
    const variables = ((doc.servers as Obj[] | undefined)?.[0]?.variables ?? {}) as Record<string, { enum?: string[] }>;
    this.prefixes = [...(variables.routePrefix?.enum ?? [''])].sort((a, b) => b.length - a.length);
  }

  /** The operation for a method and a path (documented path, after any server prefix), literal paths first. */
  find(method: string, path: string): { operation: Operation | null; pathMatched: boolean } {
    let pathMatched = false;
    for (const prefix of this.prefixes) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const hits = this.operations.filter((o) => o.pattern.test(rest)).sort((a, b) => Number(b.literal) - Number(a.literal));
      if (!hits.length) continue;
      pathMatched = true;
      const template = hits[0]!.template;
      const op = hits.find((o) => o.template === template && o.method === method.toUpperCase());
      if (op) return { operation: op, pathMatched };
    }
    return { operation: null, pathMatched };
  }

  private resolve(value: unknown, pointer: string): { value: Obj; pointer: string } {
    let v = value as Obj;
    let p = pointer;
    for (let i = 0; i < 10 && typeof v?.$ref === 'string'; i++) {
      p = v.$ref as string;
      if (!p.startsWith('#/')) throw new Error(`${this.name}: external $ref ${p} left in the document`);
      v = p.slice(2).split('/').reduce<unknown>((n, k) => (n as Obj | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc) as Obj;
      if (v === undefined) throw new Error(`${this.name}: $ref ${p} does not resolve`);
    }
    return { value: v, pointer: p };
  }

  private validator(pointer: string): ValidateFunction {
    let v = this.validators.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `${this.id}${pointer}` });
      this.validators.set(pointer, v);
    }
    return v;
  }

  /** What does not fit the schema at `pointer` (e.g. `#/components/schemas/TraceEvent`) in `value`. */
  schemaProblems(pointer: string, value: unknown, what: string): string[] {
    const validate = this.validator(pointer);
    if (validate(value)) return [];
    // An enum miss (an unknown event type, a new status) explains more than the oneOf branches that did not fit.
    const errors = [...(validate.errors ?? [])].sort((a, b) => Number(b.keyword === 'enum') - Number(a.keyword === 'enum'));
    return errors.slice(0, 8).map((e) => `${what}${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
  }

  /**
   * What does not conform in one answer (empty: it conforms): against its operation's responses (or the
   * document's `x-unmatched-responses` when no operation matches), else against `x-listener-responses`,
   * the answers the listener itself gives to any request before routing (limits, Host allowlist).
   */
  problems(o: Observed): string[] {
    const path = new URL(o.url, 'http://host.invalid').pathname;
    const label = `${o.method} ${path} -> ${o.status}`;
    const routed = this.routedProblems(o, path, label);
    if (!routed.length) return routed;
    const listener = ((this.doc['x-listener-responses'] ?? {}) as Obj)[String(o.status)];
    if (listener && !this.responseProblems(o, label, this.resolve(listener, `#/x-listener-responses/${o.status}`)).length) return [];
    return routed;
  }

  private routedProblems(o: Observed, path: string, label: string): string[] {
    const { operation, pathMatched } = this.find(o.method, path);
    if (operation) {
      const responses = (operation.op.responses ?? {}) as Obj;
      const documented = responses[String(o.status)];
      if (!documented) return [`${label}: status ${o.status} is not documented for ${operation.id} (documented: ${Object.keys(responses).join(', ')})`];
      const problems = this.responseProblems(o, label, this.resolve(documented, `${operation.pointer}/responses/${o.status}`));
      if (!problems.length) {
        if (!this.exercised.has(operation.id)) this.exercised.set(operation.id, new Set());
        this.exercised.get(operation.id)!.add(o.status);
      }
      return problems;
    }
    const expected = pathMatched ? 405 : 404;
    const unmatched = ((this.doc['x-unmatched-responses'] ?? {}) as Obj)[String(expected)];
    if (o.status !== expected || !unmatched) {
      return [`${label}: no documented operation for ${o.method} ${path}${pathMatched ? ' (the path exists: expected 405)' : ' (expected 404)'}`];
    }
    return this.responseProblems(o, label, this.resolve(unmatched, `#/x-unmatched-responses/${expected}`));
  }

  private responseProblems(o: Observed, label: string, response: { value: Obj; pointer: string }): string[] {
    const problems: string[] = [];
    const headerName = (n: string) => Object.keys(o.headers).find((h) => h.toLowerCase() === n.toLowerCase());
    for (const [name, raw] of Object.entries((response.value.headers ?? {}) as Obj)) {
      const header = this.resolve(raw, `${response.pointer}/headers/${escapePointer(name)}`);
      const present = headerName(name);
      const value = present ? o.headers[present] : undefined;
      if (value === undefined) {
        if (header.value.required) problems.push(`${label}: required header ${name} is missing`);
        continue;
      }
      for (const v of Array.isArray(value) ? value : [value]) problems.push(...this.schemaProblems(`${header.pointer}/schema`, v, `${label}: header ${name}`));
    }
    const content = response.value.content as Record<string, Obj> | undefined;
    if (!content) {
      if (o.body !== '') problems.push(`${label}: the response documents no body, got ${o.body.length} bytes`);
      return problems;
    }
    const ctHeader = headerName('content-type');
    const contentType = String((ctHeader ? o.headers[ctHeader] : undefined) ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(contentType in content)) return [...problems, `${label}: content type "${contentType}" is not documented (${Object.keys(content).join(', ')})`];
    const schemaPointer = `${response.pointer}/content/${escapePointer(contentType)}/schema`;
    let body: unknown = o.body;
    if (/json$/.test(contentType)) {
      try {
        body = JSON.parse(o.body);
      } catch {
        return [...problems, `${label}: the body is not JSON: ${o.body.slice(0, 100)}`];
      }
    }
    problems.push(...this.schemaProblems(schemaPointer, body, `${label}: body`));
    return problems;
  }

  /** Operations never seen with a 2xx answer. */
  unexercised(): string[] {
    return this.operations.filter((o) => ![...(this.exercised.get(o.id) ?? [])].some((s) => s >= 200 && s < 300)).map((o) => `${o.method} ${o.template} (${o.id})`);
  }
}

/** Headers of a fetch Response as a plain record. */
export function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((v, k) => (out[k] = v));
  return out;
}
