// Input validation for control API bodies with zod: a bad body is a 400 that names each field and
// what was expected, never a 5xx.
import type { z } from 'zod';
import { HttpError } from './http.ts';

export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`);
  throw new HttpError(400, 'invalid_request', issues.join('; '));
}
