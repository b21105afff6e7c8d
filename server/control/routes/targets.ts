// The Targets of the web UI: external gateways and authorization servers stored with their target
// YAML. GET / POST /api/targets, GET / PUT / DELETE /api/targets/:id, POST /api/targets/:id/check
// (reachable? TLS chain? a token? a call? and what would run or be skipped), GET /api/target-examples
// (the compatibility matrix's example targets, to store with one click). Runs against a target
// start with POST /api/runs {"scenarios": [...], "target": "<id>"} (routes/runs.ts).
import { randomBytes } from 'node:crypto';
import type { ControlRequest, ControlRoute } from '../index.ts';
import { HttpError, readJson, sendJson } from '../http.ts';
import type { Stack } from '../../stack-types.ts';
import type { Target } from '../../engine/target.ts';
import { unmet } from '../../engine/requirements.ts';
import { TargetError, type LoadedTarget } from '../../targets/load.ts';
import { DiscoveryError } from '../../targets/discovery.ts';
import { capabilitiesOf } from '../../targets/build.ts';
import { buildStored, loadStored, UnsupportedTargetError } from '../../targets/stored.ts';
import { checkTarget } from '../../targets/check.ts';
import { exampleTargets } from '../../targets/examples.ts';

type Row = { id: string; name: string; yaml: string; createdAt: Date; updatedAt: Date; lastCheck: string | null };

/** 400 with every problem of the YAML (line, field, message), as the UI shows them beside the editor. */
function invalid(err: TargetError): HttpError & { errors?: unknown } {
  return Object.assign(new HttpError(400, 'invalid_target', `the target has ${err.errors.length} error${err.errors.length === 1 ? '' : 's'}: ${err.errors[0]?.path}: ${err.errors[0]?.message}`), {
    errors: err.errors.map((e) => ({ line: e.line, path: e.path, message: e.message })),
  });
}

function load(stack: Stack, yaml: string, label: string): LoadedTarget {
  try {
    return loadStored(stack, yaml, label);
  } catch (err) {
    if (err instanceof TargetError) throw invalid(err);
    throw err;
  }
}

/** Builds a stored target for a check or a run; errors become 400 / 502 with the reason. */
export async function targetForRun(stack: Stack, idOrName: string): Promise<Target> {
  const row = await stack.db.prisma.target.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] } });
  if (!row) throw new HttpError(404, 'not_found', `no target "${idOrName}"`);
  try {
    return await buildStored(stack, load(stack, row.yaml, `target ${row.name}`));
  } catch (err) {
    if (err instanceof UnsupportedTargetError) throw new HttpError(400, 'unsupported_target', err.message);
    if (err instanceof DiscoveryError) throw new HttpError(502, 'target_unreachable', `the authorization server: ${err.message}`);
    throw err;
  }
}

function summary(stack: Stack, row: Row) {
  const base = { id: row.id, name: row.name, createdAt: row.createdAt, updatedAt: row.updatedAt, lastCheck: row.lastCheck ? (JSON.parse(row.lastCheck) as unknown) : null };
  try {
    const t = loadStored(stack, row.yaml, `target ${row.name}`);
    const f = t.file;
    return {
      ...base,
      description: f.description ?? null,
      authorizationServer: f.authorizationServer === 'bundled' ? 'bundled' : (f.authorizationServer.discovery ?? f.authorizationServer.issuer ?? null),
      resourceServer: f.resourceServer === 'bundled' ? 'bundled' : f.resourceServer.baseUrl,
      senderConstraint: f.senderConstraint,
      capabilities: [...capabilitiesOf(t, null)],
      errors: [],
    };
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    return { ...base, description: null, authorizationServer: null, resourceServer: null, senderConstraint: null, capabilities: [], errors: err.errors.map((e) => ({ line: e.line, path: e.path, message: e.message })) };
  }
}

async function bodyYaml(r: ControlRequest): Promise<string> {
  const body = (await readJson(r.req)) as { yaml?: unknown };
  if (typeof body.yaml !== 'string' || !body.yaml.trim()) throw new HttpError(400, 'invalid_request', 'body must be {"yaml": "<target file>"}');
  if (body.yaml.length > 64 * 1024) throw new HttpError(413, 'payload_too_large', 'a target file of at most 64 KiB');
  return body.yaml;
}

async function send400(r: ControlRequest, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof HttpError && 'errors' in err) return sendJson(r.res, err.status, { error: err.code, error_description: err.message, errors: err.errors });
    throw err;
  }
}

async function listTargets({ res, stack }: ControlRequest): Promise<void> {
  const rows = await stack.db.prisma.target.findMany({ orderBy: { name: 'asc' } });
  sendJson(res, 200, { targets: rows.map((row) => summary(stack, row)), externalGatewayKey: stack.config.externalGatewayKey !== null });
}

async function getTarget({ res, stack, params }: ControlRequest): Promise<void> {
  const row = await stack.db.prisma.target.findUnique({ where: { id: params.id! } });
  if (!row) throw new HttpError(404, 'not_found', `no target "${params.id}"`);
  sendJson(res, 200, { ...summary(stack, row), yaml: row.yaml });
}

async function createTarget(r: ControlRequest): Promise<void> {
  await send400(r, async () => {
    const yaml = await bodyYaml(r);
    const loaded = load(r.stack, yaml, 'target');
    const name = loaded.file.name;
    if (name === 'bundled') throw new HttpError(400, 'invalid_target', '"bundled" is the sandbox\'s own stack: give your target another name');
    if (await r.stack.db.prisma.target.findUnique({ where: { name } })) throw new HttpError(409, 'conflict', `a target named "${name}" exists: change name: or edit that one`);
    const row = await r.stack.db.prisma.target.create({ data: { id: `tgt_${randomBytes(6).toString('hex')}`, name, yaml } });
    sendJson(r.res, 201, { ...summary(r.stack, row), yaml });
  });
}

async function updateTarget(r: ControlRequest): Promise<void> {
  await send400(r, async () => {
    const yaml = await bodyYaml(r);
    const row = await r.stack.db.prisma.target.findUnique({ where: { id: r.params.id! } });
    if (!row) throw new HttpError(404, 'not_found', `no target "${r.params.id}"`);
    const name = load(r.stack, yaml, `target ${row.name}`).file.name;
    const clash = await r.stack.db.prisma.target.findUnique({ where: { name } });
    if (clash && clash.id !== row.id) throw new HttpError(409, 'conflict', `a target named "${name}" exists`);
    const updated = await r.stack.db.prisma.target.update({ where: { id: row.id }, data: { name, yaml, lastCheck: null } });
    sendJson(r.res, 200, { ...summary(r.stack, updated), yaml });
  });
}

async function deleteTarget({ res, stack, params }: ControlRequest): Promise<void> {
  const row = await stack.db.prisma.target.findUnique({ where: { id: params.id! } });
  if (!row) throw new HttpError(404, 'not_found', `no target "${params.id}"`);
  await stack.db.prisma.target.delete({ where: { id: row.id } });
  res.writeHead(204).end();
}

/** Reachability, TLS chains, a token, a call; and which catalogue scenarios would run or be skipped. */
async function checkStored(r: ControlRequest): Promise<void> {
  await send400(r, async () => {
    const target = await targetForRun(r.stack, r.params.id!);
    const report = await checkTarget(target);
    const plan = r.stack.catalogue.get().scenarios.map(({ scenario }) => ({ id: scenario.id, title: scenario.title, missing: unmet(target, scenario) }));
    const lastCheck = { ...report, capabilities: [...target.capabilities], plan };
    await r.stack.db.prisma.target.update({ where: { id: r.params.id! }, data: { lastCheck: JSON.stringify(lastCheck) } });
    sendJson(r.res, 200, lastCheck);
  });
}

/** The compatibility matrix's example targets (examples/targets/), whether their product is installed, ready to store. */
async function listExamples({ res, stack }: ControlRequest): Promise<void> {
  sendJson(res, 200, { examples: exampleTargets(stack.config.rootDir, stack.config.certsDir) });
}

export const TARGET_ROUTES: ControlRoute[] = [
  { method: 'GET', path: '/api/target-examples', handle: listExamples },
  { method: 'GET', path: '/api/targets', handle: listTargets },
  { method: 'POST', path: '/api/targets', handle: createTarget },
  { method: 'GET', path: '/api/targets/:id', handle: getTarget },
  { method: 'PUT', path: '/api/targets/:id', handle: updateTarget },
  { method: 'DELETE', path: '/api/targets/:id', handle: deleteTarget },
  { method: 'POST', path: '/api/targets/:id/check', handle: checkStored },
];
