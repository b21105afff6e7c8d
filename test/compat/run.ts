// Runs the resource-server scenarios of the catalogue against one product of the compatibility matrix,
// the way test/targets/nginx.test.ts runs nginx: free loopback ports, the product's target file
// (examples/targets/<id>.yaml) rendered with them, the bundled IdP and mock OB API started by
// openTargetFile, the product started in front of that API, and one cell per scenario.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOT_DIR } from '../../server/config.ts';
import { loadPki } from '../../server/pki/load.ts';
import { loadCatalogue, type LoadedScenario } from '../../server/engine/catalogue.ts';
import { requirementsOf } from '../../server/engine/requirements.ts';
import { runScenarios, type ScenarioResult } from '../../server/engine/runner.ts';
import { openTargetFile, type OpenTarget } from '../../server/targets/open.ts';
import type { TraceEvent } from '../../lib/trace/events.ts';
import { freePorts } from '../helpers/child.ts';
import type { Product } from './products.ts';
import type { Running } from './processes.ts';

/** One cell: a scenario's outcome against one product. */
export interface Cell {
  outcome: 'pass' | 'fail' | 'n/a' | 'error';
  /**
   * For a fail: let-through (an attack got a 2xx), wrong-shape (refused, but not with the status or
   * error the RFC asks for), tls-alert (refused in the TLS handshake where the scenario asks for a 401),
   * refused-legitimate (a genuine request was refused).
   */
  kind?: 'let-through' | 'wrong-shape' | 'tls-alert' | 'refused-legitimate';
  /** A pass only because the mock OB API behind the product refused the token (its own plain bearer check). */
  upstream?: boolean;
  /** For a fail or error: the step (1-based) and the HTTP status it got. */
  step?: number;
  got?: number | null;
  /** For n/a: what the target lacks; for a fail: what was expected and what came back; for an error: the message. */
  reason?: string;
  /** For a fail: what the gateway engineer must change (the check catalogue's fix). */
  fix?: string;
}

export interface Row {
  id: string;
  product: string;
  mode: string;
  /** The finding in two lines (prose: not compared). */
  summary: string;
  version: string;
  /** Not run: why (the product is not installed). */
  missing?: string;
  cells: Record<string, Cell>;
}

/** The scenarios of the matrix: every one that calls the resource server, but for those that test the AS's journeys (consent, DCR). */
export function matrixScenarios(): LoadedScenario[] {
  const { scenarios, errors } = loadCatalogue([path.join(ROOT_DIR, 'scenarios')], ROOT_DIR);
  if (errors.length) throw new Error(`the catalogue has errors: ${errors.map((e) => e.message).join('; ')}`);
  return scenarios.filter(({ scenario }) => {
    const caps = requirementsOf(scenario).capabilities;
    return scenario.steps.some((s) => 'call' in s) && !caps.includes('consent-journey') && !caps.includes('dcr');
  });
}

/** The target file with the ports and paths of this run (every substitution must match the example). */
function renderTarget(id: string, url: string, idpPort: number, apiPort: number, certs: string): string {
  const file = path.join(ROOT_DIR, 'examples', 'targets', `${id}.yaml`);
  let yaml = readFileSync(file, 'utf8');
  const rewrite = (pattern: RegExp, value: string) => {
    if (!pattern.test(yaml)) throw new Error(`examples/targets/${id}.yaml: ${pattern} not found`);
    yaml = yaml.replace(pattern, value);
  };
  rewrite(/baseUrl: https:\/\/localhost:9543/, `baseUrl: ${url}`);
  rewrite(/ports: \{ idp: 8443, idpMtls: 8444, api: 9080 \}/, `ports: { idp: ${idpPort}, api: ${apiPort} }`);
  rewrite(/\.\.\/\.\.\/certs\//g, `${certs}/`);
  return yaml;
}

const isRefusal = (status: number | string | (number | string)[] | undefined) =>
  [status].flat().some((s) => s !== undefined && /^4/.test(String(s)));

/** The cell of one scenario result. */
function cellOf(result: ScenarioResult, scenario: LoadedScenario, upstreamSteps: ReadonlySet<number>): Cell {
  if (result.status === 'skipped') return { outcome: 'n/a', reason: result.reason ?? 'skipped' };
  if (result.status === 'passed') return upstreamSteps.size ? { outcome: 'pass', upstream: true } : { outcome: 'pass' };
  const f = result.failure;
  if (result.status === 'error' || !f) {
    const step = result.steps.find((s) => s.status === 'error');
    return { outcome: 'error', ...(step ? { step: step.index + 1, got: step.httpStatus } : {}), reason: step?.error?.message ?? result.reason ?? 'error' };
  }
  const step = scenario.scenario.steps[f.step];
  const expected = step && 'expect' in step ? step.expect?.status : undefined;
  const got = result.steps[f.step]?.httpStatus ?? null;
  const refusalExpected = isRefusal(expected) || (step && 'expect' in step && step.expect?.handshake === 'refused');
  const handshake = got === null && /no HTTP response \(ERR_SSL_/.test(f.explanation);
  const kind: Cell['kind'] = !refusalExpected ? 'refused-legitimate' : handshake ? 'tls-alert' : got !== null && got < 400 ? 'let-through' : 'wrong-shape';
  // OpenSSL's messages start with a per-process thread id: dropped, so the page does not change between runs.
  const [text, catalogueFix] = f.explanation.replace(/\b[0-9A-F]{8,16}:error:/g, 'error:').split(' Fix: ');
  // A handshake refusal: the alert's code, not OpenSSL's message twice over.
  const said = handshake ? text!.replace(/got no HTTP response \((ERR_SSL_\w+)[\s\S]*$/, 'got a TLS alert ($1), no HTTP answer.') : text!;
  const reason = said.trim() + (upstreamSteps.has(f.step) ? ' (This answer came from the mock OB API behind the product: the product let the request through.)' : '');
  // A refusal in the wrong shape has no catalogue fix: the change is the answer's shape.
  const wanted = /expected (\d{3}(?: [a-z_]+)?)/.exec(text!)?.[1];
  const fix = kind === 'tls-alert'
    ? 'The certificate is refused either way; to tell the client why, complete the handshake (ask for the certificate without requiring a valid one) and answer 401 invalid_token with WWW-Authenticate (RFC 6750 §3).'
    : catalogueFix?.trim() ?? (kind === 'wrong-shape' ? shapeFix(text!, wanted, scenario) : undefined);
  return { outcome: 'fail', kind, ...(upstreamSteps.has(f.step) ? { upstream: true } : {}), step: f.step + 1, got, reason, ...(fix ? { fix } : {}) };
}

/**
 * The change for a refusal in the wrong shape: a missing or wrong response header is the scenario's own advice
 * (gatewayShould); otherwise the challenge the expectation names.
 */
function shapeFix(text: string, wanted: string | undefined, scenario: LoadedScenario): string | undefined {
  if (/not the way the RFC asks \(header /.test(text)) return scenario.scenario.gatewayShould?.trim().replace(/\s+/g, ' ');
  return wanted ? `Answer ${wanted} with a WWW-Authenticate challenge carrying that error (RFC 6750 §3, RFC 9449 §7.1), as the scenario's expectation says.` : undefined;
}

/** Runs the matrix's scenarios against one product; a product that is not installed gives a row of its own. */
export async function runProduct(product: Product, scenarios: LoadedScenario[], log: (line: string) => void = () => {}): Promise<Row> {
  const missing = product.missing();
  const row = { id: product.id, product: product.product, mode: product.mode, summary: product.summary };
  if (missing) return { ...row, version: 'not installed', missing, cells: {} };
  const version = product.version();
  const certs = process.env.FAPI_CERTS_DIR ?? path.join(ROOT_DIR, 'certs');
  const pki = await loadPki(certs);
  const jwks = { keys: pki.idpJwks.keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub as Record<string, unknown>) };
  const [port, idpPort, apiPort] = (await freePorts(3)) as [number, number, number];
  const gatewayKey = `compat-${randomBytes(16).toString('hex')}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), `fapi-compat-${product.id}-`));
  let opened: OpenTarget | null = null;
  let running: Running | null = null;
  try {
    const url = `https://localhost:${port}`;
    const file = path.join(dir, 'target.yaml');
    writeFileSync(file, renderTarget(product.id, url, idpPort, apiPort, certs));
    opened = await openTargetFile(file, {
      env: { FAPI_EXTERNAL_GATEWAY_KEY: gatewayKey },
      stack: { dataDir: path.join(dir, 'data'), certsDir: certs, ...(product.accessTokenAlg ? { idp: { accessTokenAlg: product.accessTokenAlg } } : {}) },
    });
    running = await product.start({ port, apiPort, issuer: `https://localhost:${idpPort}`, gatewayKey, certsDir: certs, jwks, dir });
    log(`${product.id}: ${product.product} ${version} on ${running.url}`);
    // Answers the mock OB API gave through the product (its realm, its OBIE error body), by scenario run
    // and step: the product let the request through and the API behind it refused.
    const steps = new Map<string, number>();
    const upstream = new Map<string, Set<number>>();
    const onEvent = (e: TraceEvent) => {
      if (!e.scenarioRunId) return;
      if (e.type === 'step.started') steps.set(e.scenarioRunId, e.index);
      if (e.type !== 'http.exchange' || !e.request.url.startsWith(url) || !e.response || e.response.status < 400) return;
      const www = [e.response.headers['www-authenticate'] ?? []].flat().join(', ');
      if (www.includes('realm="fapi-sandbox-ob-api"') || /"ErrorCode"\s*:\s*"UK\.OBIE\./.test(e.response.body)) {
        upstream.set(e.scenarioRunId, (upstream.get(e.scenarioRunId) ?? new Set()).add(steps.get(e.scenarioRunId) ?? -1));
      }
    };
    const result = await runScenarios({ scenarios: scenarios, target: opened.target, trigger: 'test', prisma: opened.stack!.db.prisma, concurrency: 2, onEvent });
    if (!running.alive()) throw new Error(`${product.id} exited during the run`);
    // For looking at a fail by hand: what the product logged during the run.
    if (process.env.FAPI_COMPAT_OUTPUT === '1') log(`${product.id} output:\n${running.output()}`);
    const cells: Record<string, Cell> = {};
    for (const s of result.scenarios) cells[s.scenarioId] = cellOf(s, scenarios.find((x) => x.scenario.id === s.scenarioId)!, upstream.get(s.scenarioRunId) ?? new Set());
    return { ...row, version, cells };
  } catch (err) {
    throw new Error(`${product.id}: ${(err as Error).message}${running ? `\n${product.id} output:\n${running.output()}` : ''}`, { cause: err });
  } finally {
    await running?.stop();
    await opened?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
