// Parses and validates one scenario file (YAML). A bad file yields errors that name the file, the
// line, the field path and what was expected; nothing is thrown.
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { STEP_SCHEMAS, scenarioSchema, stepKind, type Scenario } from './schema.ts';

export interface ScenarioError {
  file: string;
  line: number | null;
  /** Field path, e.g. "steps[2].call.path". */
  path: string;
  message: string;
}

const MAX_ERRORS = 12;

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioError[] };

/** "steps[2].call.path" from a zod issue path. */
export function pathString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(top level)';
}

/**
 * A union issue says only "invalid input"; report the branch the value was meant for instead: the
 * one whose issues are not a plain type mismatch at the union's own path.
 */
export function expand(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const meant = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (meant.length === 1) return meant[0]!.flatMap((i) => expand(i, path));
    const types = issue.errors.flatMap((b) => b.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => (i as { expected: string }).expected));
    if (!meant.length && types.length) return [{ path, message: `expected ${[...new Set(types)].join(' or ')}` }];
  }
  return [{ path, message: describeIssue(issue) }];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

/**
 * The document as plain data, or the reason it cannot be: the yaml library throws on an alias bomb
 * ("billion laughs": more alias expansions than the document has nodes) instead of expanding it.
 */
export function documentData(doc: Document, file: string): { ok: true; data: unknown } | { ok: false; errors: ScenarioError[] } {
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    return { ok: false, errors: [{ file, line: null, path: '(yaml)', message: `${(err as Error).message} (aliases expand to too much)` }] };
  }
}

export function parseScenario(text: string, file: string): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({ file, line: e.linePos?.[0]?.line ?? null, path: '(yaml)', message: e.message.split('\n')[0]! })),
    };
  }
  const js = documentData(doc, file);
  if (!js.ok) return js;
  const data = js.data;
  const lineOf = (path: readonly PropertyKey[]): number | null => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return null;
  };
  const issues: { path: PropertyKey[]; message: string }[] = [];
  const top = scenarioSchema.safeParse(data);
  if (top.success) return { ok: true, scenario: top.data };
  for (const issue of top.error.issues) {
    // A union failure inside steps: validate the step against the schema of its kind for precise errors.
    if (issue.code === 'invalid_union' && issue.path[0] === 'steps' && typeof issue.path[1] === 'number') {
      const step = (data as { steps: unknown[] }).steps[issue.path[1]];
      const kind = step && typeof step === 'object' ? stepKind(step) : null;
      if (!kind) {
        issues.push({ path: issue.path, message: `a step needs one of ${Object.keys(STEP_SCHEMAS).join(', ')}` });
        continue;
      }
      const again = STEP_SCHEMAS[kind].safeParse(step);
      if (!again.success) {
        for (const sub of again.error.issues) issues.push(...expand(sub, issue.path));
        continue;
      }
    }
    issues.push(...expand(issue));
  }
  const errors = issues.slice(0, MAX_ERRORS).map((i) => ({ file, line: lineOf(i.path), path: pathString(i.path), message: i.message }));
  if (issues.length > MAX_ERRORS) errors.push({ file, line: null, path: '(file)', message: `${issues.length - MAX_ERRORS} more errors not shown` });
  return { ok: false, errors };
}

/** "scenarios/x.yaml:12: steps[2].call.path: expected ..." */
export function formatScenarioError(e: ScenarioError): string {
  return `${e.file}${e.line ? `:${e.line}` : ''}: ${e.path}: ${e.message}`;
}
