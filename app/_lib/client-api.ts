// Browser-side calls to the control API (same origin): JSON in, JSON out, and the API's
// error_description (and per-line errors of a bad file) surfaced on the error.

/** A field error of a rejected file (a target's YAML): its line, path and what was expected. */
export interface ApiFieldError {
  line: number | null;
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly errors: ApiFieldError[] = []) {
    super(message);
  }
}

/** What a request that got no answer at all means here. */
export const SANDBOX_STOPPED = 'The sandbox is not answering (stopped?): run `npm start` and try again.';

/** Calls a control API path; other methods than GET send `body` as JSON. Resolves undefined on 204. */
export async function callJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const json = method !== 'GET';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      cache: 'no-store',
      headers: { accept: 'application/json', ...(json ? { 'content-type': 'application/json' } : {}) },
      ...(json ? { body: JSON.stringify(body ?? {}) } : {}),
    });
  } catch {
    // The browser's own words ("Failed to fetch") say nothing: the sandbox is not answering.
    throw new ApiError(0, 'unreachable', SANDBOX_STOPPED);
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as (T & { error?: string; error_description?: string; errors?: ApiFieldError[] }) | null;
  if (!res.ok) throw new ApiError(res.status, data?.error ?? 'http_error', data?.error_description ?? `HTTP ${res.status}`, data?.errors ?? []);
  return data as T;
}

/** GET a control API path. */
export const getJson = <T>(path: string) => callJson<T>('GET', path);
/** POST JSON to a control API path. */
export const postJson = <T>(path: string, body: unknown) => callJson<T>('POST', path, body);

/** Starts a run of the given scenario ids or tags (against a stored target, by id); resolves with its id. */
export async function startRun(scenarios: string[], target?: string): Promise<string> {
  const { runId } = await postJson<{ runId: string }>('/api/runs', { scenarios, ...(target ? { target } : {}) });
  return runId;
}

/** Runs a stored run's selection again, against the same target (runs store the target's name). */
export async function rerun(run: { selection: string[]; target: string; scenarios: { scenarioId: string }[] }): Promise<string> {
  const selection = run.selection.length ? run.selection : run.scenarios.map((s) => s.scenarioId);
  if (run.target === 'bundled') return startRun(selection);
  const { targets } = await getJson<{ targets: { id: string; name: string }[] }>('/api/targets');
  const target = targets.find((t) => t.name === run.target);
  if (!target) throw new ApiError(404, 'not_found', `the target "${run.target}" no longer exists (see Targets)`);
  return startRun(selection, target.id);
}
