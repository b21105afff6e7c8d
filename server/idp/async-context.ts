// oidc-provider keeps each request's context in an AsyncLocalStorage (its lib/helpers/als.js). On Node 20
// an enabled AsyncLocalStorage installs promise hooks for the whole process, so every promise of every
// listener in it pays for them: the gateway's checks and proxying, the mock API. Nothing reads that
// store between IdP requests, so it is disabled once the last request in flight has been answered;
// the next request's `als.run()` enables it again (docs/BENCHMARKS.md, round 4).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AsyncLocalStorage } from 'node:async_hooks';
// @ts-expect-error oidc-provider's own module, without typings (the package has no "exports" map)
import providerContext from 'oidc-provider/lib/helpers/als.js';

type Callback = (req: IncomingMessage, res: ServerResponse) => unknown;

const als = providerContext as AsyncLocalStorage<unknown>;

/** Whether oidc-provider's context storage (and with it Node's promise hooks, if nothing else holds them) is on. */
export function providerContextEnabled(): boolean {
  return (als as unknown as { enabled: boolean }).enabled;
}

/** Wraps the provider's Koa callback: the context storage is on only while one of its requests is being handled. */
export function releasingContext(callback: Callback): Callback {
  let inFlight = 0;
  const settled = () => {
    if (--inFlight === 0) setImmediate(() => inFlight === 0 && als.disable());
  };
  return (req, res) => {
    inFlight++;
    let result: unknown;
    try {
      result = callback(req, res);
    } catch (err) {
      settled();
      throw err;
    }
    Promise.resolve(result).then(settled, settled);
    return result;
  };
}
