// The fapi-sandbox command line: start | run | list | check | certs | jwks | proof | sign. Exit codes: 0
// success, 1 a scenario failed, 2 usage, setting, scenario-file or target-file error.
import { ConfigError, loadConfig, SETTINGS } from '../config.ts';
import { loadPki, regeneratePki } from '../pki/load.ts';
import { UsageError } from './usage.ts';

const USAGE = `usage: fapi-sandbox <command> [options]

commands:
  start [--no-ui]      start the sandbox (IdP, gateway, mock OB API, web UI) and keep it running
  run [id|tag ...]     start the stack on free ports, run scenarios, report, stop
      --target FILE        run against your gateway and / or authorization server (a target file,
                           schemas/target.schema.json); scenarios it cannot run are skipped with the reason
      --reporter pretty|json|junit[=FILE]   (repeatable; default pretty)
      --out FILE           file for the one json/junit reporter
      --bail               stop starting scenarios after the first failure
      --concurrency N      scenarios in parallel (default 4)
      --scenarios DIR      scenario files or folders (default: the built-in catalogue)
      --list               list the selected scenarios instead of running them
  list [id|tag ...]    list the scenario catalogue (--target FILE: what would run and what would be skipped)
  check --target FILE  check a target: reachable, TLS chain verifies with its CA, a token from its AS, a call
  certs                regenerate the sandbox PKI in certs/ (every certificate, key and CRL)
  jwks                 print the bundled IdP's public JWKS (for a gateway that verifies its tokens)
  proof --url URL [--method M] [--token T] [--nonce N] [--key FILE]
                       print a DPoP proof JWT (key kept in certs/keys/cli-dpop.private.jwk.json)
  proof --jkt          print that key's RFC 7638 thumbprint (the cnf.jkt of tokens bound to it)
  sign --file FILE | --data JSON [--key NAME] [--iat SECONDS]
                       print the OBIE detached JWS (x-jws-signature) of a payment request body, signed with
                       a sandbox directory key (default tpp-alpha-signing); send the same bytes (--data-binary)
  sign --request-object --file FILE | --data JSON [--client ID] [--aud ISSUER] [--key NAME] [--iat SECONDS]
                       print an RFC 9101 request object of those authorization request parameters, signed
                       with the client's registered key (default client tpp-alpha), to push as request=

exit codes: 0 all passed, 1 a scenario failed (check: the target check failed), 2 usage, setting, scenario-file or target-file error.

environment: FAPI_UI_PORT, FAPI_IDP_PORT, FAPI_IDP_MTLS_PORT, FAPI_GATEWAY_PORT, FAPI_GATEWAY_STRICT_PORT,
FAPI_API_PORT, FAPI_BIND, FAPI_DATA_DIR, FAPI_CERTS_DIR, FAPI_GATEWAY_BINDING (either|mtls|dpop),
FAPI_DATABASE_URL (postgresql://user:password@host:port/db: every store in PostgreSQL; default SQLite in FAPI_DATA_DIR),
FAPI_ACCESS_TOKEN_ALG (PS256|ES256), FAPI_IDP_DPOP_NONCE (1: the token endpoint demands DPoP nonces),
FAPI_EXTERNAL_GATEWAY_KEY (lets your gateway call the mock OB API, see README "Your own gateway"),
FAPI_GATEWAY_WORKERS (N: the gateway in N worker processes, to use N cores; default 0, in-process),
FAPI_GATEWAY_REVOCATION (crl|strict|ignore: client certificate revocation; strict refuses an unknown status),
FAPI_READY_FILE (start writes the listeners' URLs there as JSON once up),
FAPI_GATEWAY_DISABLE_CHECK (ids: a mutant gateway whose checks always pass, tests and demos only; needs FAPI_ALLOW_MUTANTS=1),
FAPI_ALLOWED_HOSTS (extra host names the web UI answers to, comma-separated; DNS-rebinding protection),
FAPI_TARGET_FILE_DIRS (folders, besides the certificates folder, that targets added in the web UI may read files from),
FAPI_RUN_CONCURRENCY / FAPI_RUN_QUEUE (runs started from the web UI or control API executing at once, default 2,
and waiting, default 50; more are 429), FAPI_KEEP_RUNS / FAPI_KEEP_DAYS (stored run history: the newest 200 runs,
none older than 30 days; 0 turns a bound off), FAPI_PUBLIC_UI_URL / FAPI_PUBLIC_IDP_URL / FAPI_PUBLIC_IDP_MTLS_URL /
FAPI_PUBLIC_GATEWAY_URL / FAPI_PUBLIC_GATEWAY_STRICT_URL (a listener's origin behind a TCP load balancer),
FAPI_SHARED_DATABASE (1: other instances share this database; see README "Several instances").

clock windows and server limits (environment):
${Object.values(SETTINGS).map((s) => `  ${s.env.padEnd(34)} ${s.help} (default ${s.fallback})`).join('\n')}`;

async function certs(): Promise<number> {
  const config = loadConfig();
  const index = await regeneratePki(config.certsDir);
  console.log(`generated ${index.certificates.length} certificates in ${config.certsDir} (index.json):`);
  for (const c of index.certificates) {
    console.log(`  ${c.name.padEnd(20)} ${c.role.padEnd(14)} ${c.thumbprint}  ${c.subject}`);
  }
  return 0;
}

/** The bundled IdP's public JWKS (what an external gateway verifies its access tokens with). */
async function jwks(): Promise<number> {
  const pki = await loadPki(loadConfig().certsDir);
  const keys = pki.idpJwks.keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub);
  console.log(JSON.stringify({ keys }, null, 2));
  return 0;
}

export async function cli(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`fapi-sandbox: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    // Commands load what they need on demand: `proof` and `list` start in a fraction of the time.
    case 'run':
      return (await import('./run.ts')).runCommand(rest);
    case 'list':
      return (await import('./run.ts')).listCommand(rest);
    case 'check':
      return (await import('./run.ts')).checkCommand(rest);
    case 'proof':
      return (await import('./proof.ts')).proofCommand(rest);
    case 'sign':
      return (await import('./sign.ts')).signCommand(rest);
    case 'start':
      await (await import('../main.ts')).main(rest);
      return 0;
    case 'certs':
      return certs();
    case 'jwks':
      return jwks();
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`fapi-sandbox: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
