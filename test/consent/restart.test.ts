// Authorization codes are stored, not remembered: the sandbox runs in a child process, a code is
// redeemed, the process is killed with SIGKILL (no clean shutdown) and restarted on the same data
// directory and ports. The used code is still known as used (invalid_grant, and the replay revokes
// its grant and consent, RFC 6749 §4.1.2), and a code issued before the crash still redeems once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { jsonBody } from '../../server/engine/http-client.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';
import { CONSENTS, authorisedCode, clientToken, envOfFiles, gateway, redeem, type JourneyEnv } from '../helpers/journey.ts';

const PORT_ENV = { ui: 'FAPI_UI_PORT', idp: 'FAPI_IDP_PORT', idpMtls: 'FAPI_IDP_MTLS_PORT', gateway: 'FAPI_GATEWAY_PORT', gatewayStrict: 'FAPI_GATEWAY_STRICT_PORT', api: 'FAPI_API_PORT' } as const;
type Urls = Record<keyof typeof PORT_ENV, string>;

const data = tempDataDir('consent-restart');
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  data.remove();
});

/** `fapi-sandbox start --no-ui` from the sources in a child process; resolves with its URLs once it is up. */
async function startSandbox(label: string, ports: Partial<Record<keyof typeof PORT_ENV, number>> = {}): Promise<{ child: ChildProcess; urls: Urls }> {
  const readyFile = path.join(data.dir, `ready-${label}.json`);
  const portEnv = Object.fromEntries(Object.entries(PORT_ENV).map(([k, env]) => [env, String(ports[k as keyof typeof PORT_ENV] ?? 0)]));
  const child = spawn(process.execPath, [
    '--import', 'tsx', '--input-type=module', '--eval',
    "const { cli } = await import('./server/cli/main.ts'); process.exitCode = await cli(['start', '--no-ui']);",
  ], {
    cwd: ROOT_DIR,
    env: { ...process.env, ...portEnv, FAPI_DATA_DIR: data.dir, FAPI_CERTS_DIR: certsDir(), FAPI_READY_FILE: readyFile, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const deadline = Date.now() + 30_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null) throw new Error(`the sandbox exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`the sandbox was not up within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, urls: (JSON.parse(readFileSync(readyFile, 'utf8')) as { urls: Urls }).urls };
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const portOf = (url: string) => Number(new URL(url).port);

async function consentStatus(env: JourneyEnv, consentId: string): Promise<string> {
  const cc = await clientToken(env, 'tpp-alpha', 'tpp-alpha');
  const ex = await gateway(env, 'tpp-alpha', cc, `${CONSENTS}/${consentId}`);
  return (jsonBody(ex)?.Data as { Status: string }).Status;
}

test('a used authorization code is still used after kill -9 and a restart; an unused one still redeems', { timeout: 90_000 }, async () => {
  const first = await startSandbox('first');
  const env1 = envOfFiles(first.urls, certsDir());
  const journey = { cert: 'tpp-alpha', clientId: 'tpp-alpha', permissions: ['ReadAccountsBasic'], username: 'demo', password: 'correct-horse', accounts: ['acc-demo-current'] };
  const used = await authorisedCode(env1, journey);
  const unused = await authorisedCode(env1, journey);
  const redeemed = await redeem(env1, 'tpp-alpha', 'tpp-alpha', used.code, used.verifier);
  assert.equal(redeemed.response?.status, 200, redeemed.response?.body);

  await killHard(first.child);
  assert.equal(first.child.signalCode, 'SIGKILL');

  const ports = Object.fromEntries(Object.entries(first.urls).map(([k, u]) => [k, portOf(u)]));
  const second = await startSandbox('second', ports);
  assert.deepEqual(second.urls, first.urls, 'same issuer, same endpoints');
  const env2 = envOfFiles(second.urls, certsDir());

  const replay = await redeem(env2, 'tpp-alpha', 'tpp-alpha', used.code, used.verifier);
  assert.equal(replay.response?.status, 400);
  assert.equal(jsonBody(replay)?.error, 'invalid_grant');
  // Found and known as consumed (not merely "not found"): the replay revoked the grant and its consent.
  assert.equal(await consentStatus(env2, used.consentId), 'Revoked');

  const late = await redeem(env2, 'tpp-alpha', 'tpp-alpha', unused.code, unused.verifier);
  assert.equal(late.response?.status, 200, late.response?.body);
  assert.equal(await consentStatus(env2, unused.consentId), 'Authorised');
  const accounts = await gateway(env2, 'tpp-alpha', String(jsonBody(late)!.access_token), '/open-banking/v3.1/aisp/accounts');
  assert.equal(accounts.response?.status, 200);
  await killHard(second.child);
});
