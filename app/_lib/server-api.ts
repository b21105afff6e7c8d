// Server components read the control API over HTTP on the sandbox's own UI listener (never by
// importing server/ code): FAPI_CONTROL_ORIGIN is set by server/ui.ts, else the request's Host.
import { headers } from 'next/headers';

async function origin(): Promise<string> {
  const fromServer = process.env.FAPI_CONTROL_ORIGIN;
  if (fromServer) return fromServer;
  const host = (await headers()).get('host');
  return `http://${host ?? 'localhost:3000'}`;
}

/** GET a control API path; null on 404, throws with the API's error_description otherwise. */
export async function controlGet<T>(path: string): Promise<T | null> {
  const res = await fetch(`${await origin()}${path}`, { cache: 'no-store', headers: { accept: 'application/json' } });
  if (res.status === 404) return null;
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error_description?: string };
    throw new Error(`${path}: ${res.status} ${body.error_description ?? res.statusText}`);
  }
  return (await res.json()) as T;
}
