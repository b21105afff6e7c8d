// Several instances behind a TCP load balancer (issue 18): two `fapi-sandbox start` processes on their
// own ports share one database (FAPI_DATA_DIR, or FAPI_DATABASE_URL from the environment when set) and
// one certs folder, behind Debian's HAProxy in `mode tcp` (TLS passthrough) on one public port per
// listener, their FAPI_PUBLIC_*_URL naming it. Real processes, real TLS. Replay defences hold across
// instances, runs and traces are seen from both, the catalogue passes through the balancer, and kill -9
// of one instance mid-run leaves the other serving and the run interrupted. `npm run test:cluster`.
// CLUSTER_SHARED=0 starts the instances without FAPI_SHARED_DATABASE: the catalogue then fails (each
// instance's engine joins only the decisions of its own process), which is why the setting exists.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { send, jsonBody, type Exchange } from '../../server/engine/http-client.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { PUBLIC_URL_ENV, type PublicListener } from '../../server/config.ts';
import { freePorts, runChild, type Child } from '../helpers/child.ts';
import { envOfFiles, authorisedCode, redeem, type JourneyEnv } from '../helpers/journey.ts';

const HAPROXY = ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy'].find((p) => existsSync(p)) ?? null;
const SKIP = HAPROXY ? false : 'HAProxy is not installed (apt-get install haproxy): the load-balanced pair needs it';

const LISTENERS = ['ui', 'idp', 'idpMtls', 'gateway', 'gatewayStrict', 'api'] as const;
const PORT_ENV = ['FAPI_UI_PORT', 'FAPI_IDP_PORT', 'FAPI_IDP_MTLS_PORT', 'FAPI_GATEWAY_PORT', 'FAPI_GATEWAY_STRICT_PORT', 'FAPI_API_PORT'];
const PUBLIC: PublicListener[] = ['ui', 'idp', 'idpMtls', 'gateway', 'gatewayStrict'];
const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';

interface Instance {
  name: string;
  child: Child;
  /** Its own listeners, by port (what the balancer forwards to). */
  direct: Record<(typeof LISTENERS)[number], string>;
}

let root = '';
let certs = '';
let haproxy: ChildProcess | null = null;
let haproxyLog = '';
const publicUrls = {} as Record<PublicListener, string>;
const instances: Instance[] = [];
let ca = '';

function directUrls(ports: number[]): Instance['direct'] {
  const scheme = (k: string) => (k === 'ui' || k === 'api' ? 'http' : 'https');
  return Object.fromEntries(LISTENERS.map((k, i) => [k, `${scheme(k)}://${k === 'api' ? '127.0.0.1' : 'localhost'}:${ports[i]}`])) as Instance['direct'];
}

function haproxyConfig(front: Record<PublicListener, number>, backends: number[][]): string {
  const lines = [
    'global', '  maxconn 2000', `  stats socket ${path.join(root, 'haproxy.sock')} mode 600 level user`,
    'defaults', '  mode tcp', '  timeout connect 2s', '  timeout client 120s', '  timeout server 120s',
    // A refused connection (an instance just killed) is retried on the other one.
    '  retries 3', '  option redispatch',
  ];
  for (const key of PUBLIC) {
    const i = LISTENERS.indexOf(key);
    lines.push(`frontend ${key}`, `  bind 127.0.0.1:${front[key]}`, `  default_backend ${key}`);
    lines.push(`backend ${key}`, '  balance roundrobin', ...backends.map((ports, n) => `  server ${'ab'[n]} 127.0.0.1:${ports[i]} check inter 500ms fall 2 rise 2`));
  }
  return lines.join('\n') + '\n';
}

/** A probe's verdict that waiting longer cannot change (a process exited). */
class GaveUp extends Error {}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe().catch((err: unknown) => {
      if (err instanceof GaveUp) throw err;
      return null;
    });
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const connects = (port: number) => new Promise<boolean>((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

function startInstance(name: string, ports: number[], dataDir: string): { child: Child; ready: Promise<Instance> } {
  const readyFile = path.join(root, `ready-${name}.json`);
  const child = runChild(['start', '--no-ui'], dataDir, {
    ...Object.fromEntries(PORT_ENV.map((env, i) => [env, String(ports[i])])),
    ...Object.fromEntries(PUBLIC.map((k) => [PUBLIC_URL_ENV[k], publicUrls[k]])),
    FAPI_CERTS_DIR: certs, FAPI_SHARED_DATABASE: process.env.CLUSTER_SHARED ?? '1', FAPI_READY_FILE: readyFile,
  });
  const ready = waitFor(`instance ${name} to start`, 180_000, async () => {
    if (child.process.exitCode !== null) throw new GaveUp(`instance ${name} exited (${child.process.exitCode}):\n${child.output()}`);
    // The ready file is written once every listener answers (it may be seen half-written: then JSON.parse throws, and the probe retries).
    return existsSync(readyFile) && JSON.parse(readFileSync(readyFile, 'utf8')) && { name, child, direct: directUrls(ports) };
  });
  return { child, ready };
}

before(async () => {
  if (SKIP) return;
  root = mkdtempSync(path.join(os.tmpdir(), 'fapi-cluster-'));
  // An empty certs folder: both instances start at once and must end up with one PKI, not two.
  certs = path.join(root, 'certs');
  const dataDir = path.join(root, 'data');
  const ports = await freePorts(6 * 2 + PUBLIC.length);
  const front = Object.fromEntries(PUBLIC.map((k, i) => [k, ports[12 + i]!])) as Record<PublicListener, number>;
  for (const k of PUBLIC) publicUrls[k] = `${k === 'ui' ? 'http' : 'https'}://localhost:${front[k]}`;
  const backends = [ports.slice(0, 6), ports.slice(6, 12)];
  const cfg = path.join(root, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(front, backends));
  haproxy = spawn(HAPROXY!, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  haproxy.stdout!.on('data', (d: Buffer) => (haproxyLog += d));
  haproxy.stderr!.on('data', (d: Buffer) => (haproxyLog += d));
  await waitFor('HAProxy to listen', 10_000, async () => {
    if (haproxy!.exitCode !== null) throw new GaveUp(`haproxy exited: ${haproxyLog}`);
    return connects(front.gateway);
  });
  const starting = [startInstance('a', backends[0]!, dataDir), startInstance('b', backends[1]!, dataDir)];
  try {
    instances.push(...(await Promise.all(starting.map((s) => s.ready))));
  } catch (err) {
    await Promise.all(starting.map((s) => s.child.kill('SIGKILL')));
    throw err;
  }
  ca = readFileSync(path.join(certs, 'ca', 'root-ca.pem'), 'utf8');
  // HAProxy's health checks marked both servers down while the instances started; until they rise again
  // (two checks, 1 s) the balancer closes every connection (ECONNRESET in the first tests).
  await waitFor('HAProxy to see every server up', 30_000, async () => {
    const servers = (await haproxyStats()).filter((r) => r.svname === 'a' || r.svname === 'b');
    return servers.length === PUBLIC.length * 2 && servers.every((r) => r.status?.startsWith('UP'));
  });
});

after(async () => {
  await Promise.all(instances.map((i) => i.child.kill('SIGTERM')));
  if (haproxy && haproxy.exitCode === null) {
    haproxy.kill('SIGTERM');
    await new Promise((r) => haproxy!.once('exit', r));
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

const [a, b] = [() => instances[0]!, () => instances[1]!];
const json = (ex: Exchange) => jsonBody(ex) ?? {};
const getJson = (url: string, headers: Record<string, string> = {}) => send({ method: 'GET', url, headers: { accept: 'application/json', ...headers }, ca, cert: null });
const postJson = (url: string, body: unknown) => send({ method: 'POST', url, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), ca, cert: null });

function journeyEnv(over: Partial<JourneyEnv['urls']> = {}): JourneyEnv {
  return envOfFiles({ ui: publicUrls.ui, idp: publicUrls.idp, idpMtls: publicUrls.idpMtls, gateway: publicUrls.gateway, ...over }, certs);
}

/** An access token of the bundled IdP (its key, from the shared certs folder) bound to a DPoP key. */
async function dpopToken(key: DpopKey): Promise<string> {
  const jwks = JSON.parse(readFileSync(path.join(certs, 'idp', 'jwks.json'), 'utf8')) as { keys: (JWK & { kid: string })[] };
  const jwk = jwks.keys.find((k) => k.alg === 'PS256')!;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: publicUrls.idp, aud: 'urn:fapi-sandbox:ob-api', client_id: 'tpp-dpop', scope: 'accounts', iat: now, exp: now + 300, jti: randomUUID(), cnf: { jkt: key.jkt } })
    .setProtectedHeader({ alg: 'PS256', typ: 'at+jwt', kid: jwk.kid })
    .sign(await importJWK(jwk, 'PS256'));
}

/** A DPoP call to one instance's gateway port directly, with a proof for the public URL (what the client addressed). */
async function dpopCall(instance: Instance, route: string, token: string, proof: string): Promise<Exchange> {
  const headers = { accept: 'application/json', authorization: `DPoP ${token}`, dpop: proof, 'x-fapi-interaction-id': randomUUID() };
  return send({ method: 'GET', url: instance.direct.gateway + route, headers, ca, cert: null });
}
const proofFor = async (key: DpopKey, route: string, token: string, nonce?: string) =>
  (await buildProof(key, { method: 'GET', url: publicUrls.gateway + route, accessToken: token, now: Date.now() / 1000, ...(nonce ? { nonce } : {}) })).jwt;

test('both instances, started at once on an empty certs folder and database, present one issuer and one key set', { skip: SKIP }, async () => {
  const [da, db] = await Promise.all([a(), b()].map((i) => getJson(`${i.direct.idp}/.well-known/openid-configuration`, { host: new URL(publicUrls.idp).host })));
  assert.equal(json(da!).issuer, publicUrls.idp);
  assert.equal(json(db!).issuer, publicUrls.idp);
  const [ka, kb] = await Promise.all([a(), b()].map((i) => getJson(`${i.direct.idp}/jwks`)));
  assert.equal(ka!.response?.status, 200);
  assert.deepEqual(json(ka!), json(kb!), 'instance b uses instance a\'s IdP keys (one PKI generated, under the certs folder\'s lock)');
  const viaLb = await getJson(`${publicUrls.idp}/.well-known/openid-configuration`);
  assert.equal(json(viaLb).authorization_endpoint, `${publicUrls.idp}/auth`, 'through the balancer: the public origins');
  assert.equal((json(viaLb).mtls_endpoint_aliases as Record<string, string>).token_endpoint, `${publicUrls.idpMtls}/token`);
  const provider = /^postgres(ql)?:/.test(process.env.FAPI_DATABASE_URL ?? '') ? 'postgresql' : 'sqlite';
  for (const i of [a(), b()]) {
    const health = json(await getJson(`${i.direct.ui}/api/health`));
    assert.deepEqual(health.database, { provider, shared: provider === 'postgresql' || (process.env.CLUSTER_SHARED ?? '1') === '1' }, `${i.name}'s /api/health names its store`);
  }
});

test('a DPoP proof accepted by one instance is refused by the other (RFC 9449 §11.1: one replay cache in the shared database)', { skip: SKIP }, async () => {
  const key = await generateDpopKey('cluster');
  const token = await dpopToken(key);
  const route = `/dpop${ACCOUNTS}`;
  const proof = await proofFor(key, route, token);
  const first = await dpopCall(a(), route, token, proof);
  assert.equal(first.response?.status, 200, first.response?.body);
  const replayed = await dpopCall(b(), route, token, proof);
  assert.equal(replayed.response?.status, 401);
  assert.match(String(replayed.response?.headers['www-authenticate']), /invalid_dpop_proof/);
  const fresh = await dpopCall(b(), route, token, await proofFor(key, route, token));
  assert.equal(fresh.response?.status, 200, 'a fresh proof is accepted by b');
  // b's refusal is seen at once from a's control API (the client chose the interaction id: written through to the shared database).
  const id = String(replayed.response?.headers['x-fapi-interaction-id']);
  const seen = json(await getJson(`${a().direct.ui}/api/decisions/${id}`));
  const checks = ((seen.decisions as { checks: { id: string; outcome: string }[] }[])[0]?.checks ?? []);
  assert.equal(checks.find((c) => c.outcome === 'fail')?.id, 'dpop.jti-unique');
});

test('a DPoP nonce issued by one instance is accepted by the other (RFC 9449 §8: derived from the shared secret)', { skip: SKIP }, async () => {
  const key = await generateDpopKey('cluster-nonce');
  const token = await dpopToken(key);
  const route = `/dpop-nonce${ACCOUNTS}`;
  const asked = await dpopCall(a(), route, token, await proofFor(key, route, token));
  assert.equal(asked.response?.status, 401);
  const nonce = String(asked.response?.headers['dpop-nonce']);
  const answered = await dpopCall(b(), route, token, await proofFor(key, route, token, nonce));
  assert.equal(answered.response?.status, 200, answered.response?.body);
});

test('the consent journey through the balancer (its requests spread over both), then the code redeemed on one instance is refused on the other', { skip: SKIP }, async () => {
  const before = await connectionsPerServer();
  const { code, verifier } = await authorisedCode(journeyEnv(), {
    cert: 'tpp-alpha', clientId: 'tpp-alpha', permissions: ['ReadAccountsBasic'], username: 'demo', password: 'correct-horse', accounts: ['acc-demo-current'],
  });
  // The bank's pages (sign-in, consent: the interaction session and its cookies) were served by both instances.
  const now = await connectionsPerServer();
  assert.ok(now.idp!.a > before.idp!.a && now.idp!.b > before.idp!.b, `idp connections: a ${now.idp!.a - before.idp!.a}, b ${now.idp!.b - before.idp!.b}`);
  const onA = await redeem(journeyEnv({ idpMtls: a().direct.idpMtls }), 'tpp-alpha', 'tpp-alpha', code, verifier);
  assert.equal(onA.response?.status, 200, onA.response?.body);
  const onB = await redeem(journeyEnv({ idpMtls: b().direct.idpMtls }), 'tpp-alpha', 'tpp-alpha', code, verifier);
  assert.equal(onB.response?.status, 400);
  assert.equal(json(onB).error, 'invalid_grant');
});

/** HAProxy's `show stat`: one row per backend and server, by column name. */
function haproxyStats(): Promise<Record<string, string>[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(path.join(root, 'haproxy.sock'), () => sock.write('show stat\n'));
    let csv = '';
    sock.setEncoding('utf8').on('data', (d: string) => (csv += d));
    sock.on('error', reject);
    sock.on('end', () => {
      const [head = '', ...rows] = csv.split('\n');
      const names = head.replace(/^# /, '').split(',');
      resolve(rows.filter(Boolean).map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i] ?? String(i), v]))));
    });
  });
}

/** Connections each instance took per listener so far (stot by backend and server). */
async function connectionsPerServer(): Promise<Record<string, { a: number; b: number }>> {
  const out: Record<string, { a: number; b: number }> = {};
  for (const row of await haproxyStats()) {
    const server = row.svname;
    if (row.pxname && (server === 'a' || server === 'b')) (out[row.pxname] ??= { a: 0, b: 0 })[server] = Number(row.stot);
  }
  return out;
}

/** Every scenario id of the catalogue, as an instance lists it. */
async function catalogue(instance: Instance): Promise<string[]> {
  return (json(await getJson(`${instance.direct.ui}/api/scenarios`)).scenarios as { id: string }[]).map((s) => s.id);
}

async function finished(instance: Instance, runId: string, ms: number): Promise<Record<string, unknown>> {
  return waitFor(`run ${runId} to finish`, ms, async () => {
    const run = json(await getJson(`${instance.direct.ui}/api/runs/${runId}`));
    return run.status !== 'running' && run;
  });
}

/** The run's trace as instance `via` streams it (SSE), until its end event. */
async function streamed(via: Instance, runId: string): Promise<{ type: string }[]> {
  const url = new URL(`${via.direct.ui}/api/runs/${runId}/events`);
  return new Promise((resolve, reject) => {
    const req = net.connect(Number(url.port), '127.0.0.1', () => {
      req.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n`);
    });
    let raw = '';
    req.setEncoding('utf8').on('data', (d: string) => (raw += d));
    req.on('error', reject);
    req.on('end', () => resolve([...raw.matchAll(/^data: (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as { type: string }).filter((e) => e.type)));
  });
}

test('a run started on one instance is seen with its trace, live, on the other', { skip: SKIP }, async () => {
  const started = await postJson(`${a().direct.ui}/api/runs`, { scenarios: ['dpop-replayed-proof'] });
  assert.equal(started.response?.status, 202, started.response?.body);
  const runId = String(json(started).runId);
  const live = streamed(b(), runId);
  const run = await finished(b(), runId, 120_000);
  assert.equal(run.status, 'passed', JSON.stringify(run));
  const events = await live;
  assert.equal(events.at(-1)?.type, 'run.finished', 'b followed the run to its end');
  const stored = json(await getJson(`${a().direct.ui}/api/runs/${runId}/events`)).events as unknown[];
  assert.equal(events.length, stored.length, 'b streamed every event a stored');
  assert.ok(events.some((e) => e.type === 'server.decision'), 'with the servers\' decisions');
});

test('the whole catalogue passes against the load-balanced pair', { skip: SKIP }, async (t) => {
  const before = await connectionsPerServer();
  const started = await postJson(`${b().direct.ui}/api/runs`, { scenarios: await catalogue(b()) });
  assert.equal(started.response?.status, 202, started.response?.body);
  const runId = String(json(started).runId);
  const run = await finished(a(), runId, 600_000);
  const scenarios = run.scenarios as { scenarioId: string; status: string; failure: unknown }[];
  const bad = scenarios.filter((s) => s.status !== 'passed' && s.status !== 'skipped');
  assert.deepEqual(bad.map((s) => `${s.scenarioId}: ${s.status} ${JSON.stringify(s.failure)}`), []);
  assert.ok(scenarios.filter((s) => s.status === 'passed').length >= 40, `${scenarios.length} scenarios`);
  assert.equal(run.status, 'passed');
  // The run's requests went through the balancer to both instances, for every listener the catalogue uses.
  const now = await connectionsPerServer();
  for (const listener of ['idp', 'idpMtls', 'gateway']) {
    const took = { a: now[listener]!.a - before[listener]!.a, b: now[listener]!.b - before[listener]!.b };
    t.diagnostic(`${listener}: connections a ${took.a}, b ${took.b}`);
    assert.ok(took.a > 0 && took.b > 0, `${listener}: connections a ${took.a}, b ${took.b}`);
  }
});

test('kill -9 of one instance mid-run: the other keeps serving through the balancer and marks the run interrupted', { skip: SKIP }, async (t) => {
  const started = await postJson(`${a().direct.ui}/api/runs`, { scenarios: await catalogue(a()) });
  assert.equal(started.response?.status, 202, started.response?.body);
  const runId = String(json(started).runId);
  await waitFor('the run\'s first stored events', 60_000, async () => (json(await getJson(`${b().direct.ui}/api/runs/${runId}/events`)).events as unknown[]).length > 0);
  const killedAt = Date.now();
  await a().child.kill('SIGKILL');
  const midRun = json(await getJson(`${b().direct.ui}/api/runs/${runId}`));
  assert.equal(midRun.status, 'running', 'killed mid-run (the run had not finished)');
  for (let i = 0; i < 6; i++) {
    const ex = await getJson(`${publicUrls.idp}/.well-known/openid-configuration`);
    assert.equal(ex.response?.status, 200, `request ${i} through the balancer: ${ex.error?.message ?? ''}`);
  }
  const run = await finished(b(), runId, 60_000);
  assert.equal(run.status, 'interrupted');
  const seconds = (Date.now() - killedAt) / 1000;
  t.diagnostic(`interrupted ${seconds} s after kill -9 (heartbeat every 2 s, silent after 8 s)`);
  assert.ok(seconds < 30, `interrupted after ${seconds} s`);
  const scenarios = run.scenarios as { status: string }[];
  assert.ok(scenarios.some((s) => s.status === 'interrupted'));
  assert.ok(!scenarios.some((s) => s.status === 'running' || s.status === 'pending'));
});
