// Parses and validates one target file (YAML): ${ENV_VAR} references are filled in from the given
// environment first (with no environment, the CLI's files only, they are errors), then the file is checked against the schema. A bad file yields errors naming
// the file, the line, the field and what was expected; nothing is thrown.
import { LineCounter, parseDocument } from 'yaml';
import { documentData, expand, pathString, type ScenarioError } from '../scenario/parse.ts';
import { targetFileSchema, type TargetFile } from './schema.ts';

/** Same shape as a scenario file error: file, line, field path, message. */
export type TargetFileError = ScenarioError;

export type TargetParseResult =
  | { ok: true; target: TargetFile; /** The line of a field, for errors found later (a missing file). */ lineOf(path: readonly PropertyKey[]): number | null }
  | { ok: false; errors: TargetFileError[] };

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

type Env = Readonly<Record<string, string | undefined>> | null;

/** Replaces ${NAME} in every string of a YAML value; reports each unset (or, without env, each) variable with its path. */
function interpolate(value: unknown, env: Env, path: PropertyKey[], missing: { path: PropertyKey[]; name: string }[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (ref: string, name: string) => {
      const v = env?.[name];
      if (v === undefined) missing.push({ path, name });
      return v ?? ref;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], missing)]));
  }
  return value;
}

export function parseTarget(text: string, file: string, env: Env = {}): TargetParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return { ok: false, errors: doc.errors.map((e) => ({ file, line: e.linePos?.[0]?.line ?? null, path: '(yaml)', message: e.message.split('\n')[0]! })) };
  }
  const lineOf = (path: readonly PropertyKey[]): number | null => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return null;
  };
  const js = documentData(doc, file);
  if (!js.ok) return js;
  const raw = js.data;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, errors: [{ file, line: 1, path: '(top level)', message: 'expected a mapping (name:, authorizationServer:, resourceServer:, ...)' }] };
  const missing: { path: PropertyKey[]; name: string }[] = [];
  const data = interpolate(raw, env, [], missing);
  if (missing.length) {
    return { ok: false, errors: missing.map((m) => ({ file, line: lineOf(m.path), path: pathString(m.path), message: env ? `environment variable ${m.name} is not set` : `\${${m.name}}: environment variables are expanded only in target files the CLI loads from disk` })) };
  }
  const parsed = targetFileSchema.safeParse(data);
  if (parsed.success) return { ok: true, target: parsed.data, lineOf };
  const errors = parsed.error.issues.flatMap((issue) => expand(issue)).slice(0, 12);
  return { ok: false, errors: errors.map((i) => ({ file, line: lineOf(i.path), path: pathString(i.path), message: i.message })) };
}
