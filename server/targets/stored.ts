// Targets kept in the database (added in the web UI): their YAML is loaded like a target file, with
// paths relative to the sandbox's root directory, and built against the running stack (whose IdP,
// gateway and OB API are the "bundled" parts). Your AS in front of the bundled gateway needs a
// gateway that trusts your issuer: the CLI starts one; the running stack's gateway trusts its own IdP.
import type { Stack } from '../stack-types.ts';
import type { Target } from '../engine/target.ts';
import { loadTargetText, type LoadedTarget } from './load.ts';
import { buildTarget, discoverAs } from './build.ts';

/** A stored target that cannot run in this process (the message says why and what to do). */
export class UnsupportedTargetError extends Error {}

/** Loads a stored target's YAML (TargetError when it is invalid or names files that are not there). */
export function loadStored(stack: Stack, yaml: string, label: string): LoadedTarget {
  // No ${VAR} from the server's environment (it would be echoed back), files only from the allowed folders.
  return loadTargetText(yaml, label, { baseDir: stack.config.rootDir, env: null, allowedDirs: stack.config.targetFileDirs });
}

/** Builds a stored target against the running stack (may fetch the AS's discovery document and JWKS). */
export async function buildStored(stack: Stack, loaded: LoadedTarget): Promise<Target> {
  if (loaded.file.resourceServer === 'bundled' && loaded.file.authorizationServer !== 'bundled') {
    throw new UnsupportedTargetError(
      'resourceServer: bundled with your own authorization server needs a gateway that trusts your issuer: run it from the CLI (npx fapi-sandbox run --target FILE), which starts one',
    );
  }
  const as = await discoverAs(loaded, stack.pki.rootCa);
  return buildTarget(loaded, as, stack);
}
