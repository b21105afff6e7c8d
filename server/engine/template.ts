// {{ path }} templates in scenario values: {{alpha_token}} (a variable), {{certs.tpp-alpha.thumbprint}}, {{ids.x}} (a UUID per run),
// {{keys.k1.jkt}}, {{actors.alpha.thumbprint}}, {{tokens.t.claims.client_id}}, {{urls.gateway}}.
// An unknown path is an error naming it, not an empty string.

export type Lookup = (path: string[]) => unknown;

const PATTERN = /\{\{\s*([^}\s]+)\s*\}\}/g;

export class TemplateError extends Error {}

/** Resolves templates in a string; a string that is one whole template keeps the value's type. */
export function render(value: string, lookup: Lookup): unknown {
  const whole = /^\{\{\s*([^}\s]+)\s*\}\}$/.exec(value);
  const resolve = (expr: string) => {
    const found = lookup(expr.split('.'));
    if (found === undefined) throw new TemplateError(`unknown template {{${expr}}}`);
    return found;
  };
  if (whole) return resolve(whole[1]!);
  return value.replace(PATTERN, (_, expr: string) => {
    const v = resolve(expr);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

/** Resolves templates in every string of a JSON-like value. */
export function renderDeep(value: unknown, lookup: Lookup): unknown {
  if (typeof value === 'string') return render(value, lookup);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, lookup));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, lookup)]));
  }
  return value;
}

/** Reads a dot path ("cnf.x5t#S256") from an object. */
export function getPath(value: unknown, path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
