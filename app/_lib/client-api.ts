// Browser-side calls to the control API (same origin): JSON in, JSON out, and the API's
// error_description surfaced as the error message.
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => null)) as (T & { error?: string; error_description?: string }) | null;
  if (!res.ok) throw new ApiError(res.status, body?.error ?? 'http_error', body?.error_description ?? `HTTP ${res.status}`);
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) }));
}

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
