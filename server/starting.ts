// Listeners listen before the stack is ready (their ports make the URLs the IdP and gateway are built
// with). Until a listener's own handler is in place, every request is answered 503 with Retry-After
// (RFC 9110 §15.6.4, §10.2.3) at once: a health check that polls early is never left hanging.
import type { IncomingMessage, ServerResponse } from 'node:http';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const BODY = JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the sandbox is starting: retry in a moment' });

export function notReady(_req: IncomingMessage, res: ServerResponse): void {
  // The body is not read: close the connection rather than drain it.
  res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY), 'retry-after': '1', 'cache-control': 'no-store', connection: 'close' });
  res.end(BODY);
}

/** A request listener that answers notReady until `set()` gives it the real one. */
export function switchable(): { listener: Listener; set(handler: Listener): void } {
  let current: Listener = notReady;
  return { listener: (req, res) => current(req, res), set: (handler) => (current = handler) };
}
