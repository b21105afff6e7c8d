// Opens a target file for the CLI: load and check it, discover the external authorization server,
// start the bundled stack when something is bundled (on the file's fixed ports, trusting your issuer
// when the bundled gateway fronts your AS), and build the engine's Target. stop() ends it all.
import { loadConfig, type ConfigOverrides } from '../config.ts';
import { loadPki } from '../pki/load.ts';
import { startStack, type Stack } from '../stack.ts';
import type { Target } from '../engine/target.ts';
import { loadTargetFile, type LoadedTarget } from './load.ts';
import { buildTarget, discoverAs, needsStack, stackOverrides } from './build.ts';
import type { DiscoveredAs } from './discovery.ts';

export interface OpenTarget {
  loaded: LoadedTarget;
  as: DiscoveredAs | null;
  stack: Stack | null;
  target: Target;
  stop(): Promise<void>;
}

export interface OpenOptions {
  /** Start the bundled stack on free ports whatever the file says (listing only). */
  anyPorts?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /** More settings for the bundled stack (tests: a temporary data directory). */
  stack?: Pick<ConfigOverrides, 'dataDir' | 'certsDir' | 'idp'>;
}

export async function openTargetFile(file: string, opts: OpenOptions = {}): Promise<OpenTarget> {
  const loaded = loadTargetFile(file, opts.env ?? process.env);
  const stackNeeded = needsStack(loaded);
  const rootCa = stackNeeded ? (await loadPki(loadConfig(opts.stack ?? {}).certsDir)).rootCa : null;
  const as = await discoverAs(loaded, rootCa);
  let stack: Stack | null = null;
  if (stackNeeded) {
    const overrides = { ...stackOverrides(loaded, as, rootCa!), ...opts.stack };
    stack = await startStack(opts.anyPorts ? { ...overrides, ports: { ui: 0, idp: 0, idpMtls: 0, gateway: 0, gatewayStrict: 0, api: 0 } } : overrides);
  }
  try {
    return { loaded, as, stack, target: buildTarget(loaded, as, stack), stop: async () => stack?.stop() };
  } catch (err) {
    await stack?.stop();
    throw err;
  }
}
