// RFC 9449 §11.1 across a crash: a DPoP proof accepted once is refused after the sandbox is killed
// with SIGKILL and started again on the same database (the jti cache is SQLite, not memory). Proofs
// answered together (one group commit of claims) are killed right after their answers, and each of
// them is still refused: an answer is sent only once its claim is on disk.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPki, type Pki } from '../../server/pki/load.ts';
import { send, jsonBody, type Exchange } from '../../server/engine/http-client.ts';
import type { CertMaterial } from '../../server/engine/target.ts';
import { buildProof, generateDpopKey, type DpopKey } from '../../server/engine/crypto/dpop-proof.ts';
import { freePorts, startSandbox, type RunningSandbox } from '../helpers/child.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';

const ACCOUNTS = '/open-banking/v3.1/aisp/accounts';
let pki: Pki;
let gamma: CertMaterial;
let key: DpopKey;
let data: ReturnType<typeof tempDataDir>;
let ports: number[];
let sandbox: RunningSandbox | null = null;

before(async () => {
  pki = await loadPki(certsDir());
  const m = pki.cert('tpp-gamma');
  gamma = { name: 'tpp-gamma', chain: m.chain, key: m.key, summary: m.entry };
  key = await generateDpopKey('restart');
  data = tempDataDir('restart-replay');
  ports = await freePorts(6);
});
after(async () => {
  await sandbox?.kill('SIGKILL');
  data.remove();
});

function call(urls: RunningSandbox['urls'], token: string, proof: string): Promise<Exchange> {
  return send({ method: 'GET', url: urls.gateway + ACCOUNTS, headers: { authorization: `DPoP ${token}`, dpop: proof }, ca: pki.rootCa, cert: gamma });
}

test('a DPoP proof used once is refused as a replay after kill -9 and a restart on the same database', async () => {
  sandbox = await startSandbox(data.dir, ports);
  const { urls } = sandbox;
  const tokenUrl = `${urls.idpMtls}/token`;
  const tokenProof = await buildProof(key, { method: 'POST', url: tokenUrl, now: Date.now() / 1000 });
  const issued = await send({
    method: 'POST', url: tokenUrl, ca: pki.rootCa, cert: gamma,
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: tokenProof.jwt },
    body: 'grant_type=client_credentials&client_id=tpp-gamma-dpop&scope=accounts',
  });
  assert.equal(issued.response?.status, 200, issued.response?.body);
  const token = String(jsonBody(issued)!.access_token);
  assert.equal(jsonBody(issued)!.token_type, 'DPoP');

  const proof = (await buildProof(key, { method: 'GET', url: urls.gateway + ACCOUNTS, accessToken: token, now: Date.now() / 1000 })).jwt;
  const first = await call(urls, token, proof);
  assert.equal(first.response?.status, 200, first.response?.body);
  // Sent at once, so their claims meet in the gateway's batches; killed the moment the last answer is in.
  const together = await Promise.all(Array.from({ length: 12 }, async () => (await buildProof(key, { method: 'GET', url: urls.gateway + ACCOUNTS, accessToken: token, now: Date.now() / 1000 })).jwt));
  const answers = await Promise.all(together.map((p) => call(urls, token, p)));
  assert.deepEqual(answers.map((a) => a.response?.status), together.map(() => 200));

  assert.equal(await sandbox.kill('SIGKILL'), 'SIGKILL');
  sandbox = await startSandbox(data.dir, ports);
  assert.deepEqual(sandbox.urls, urls, 'same ports, same issuer and htu');

  const replay = await call(sandbox.urls, token, proof);
  assert.equal(replay.response?.status, 401, replay.response?.body);
  const body = jsonBody(replay)!;
  assert.equal(body.check, 'dpop.jti-unique');
  assert.equal(body.error, 'invalid_dpop_proof');
  for (const p of together) {
    const again = await call(sandbox.urls, token, p);
    assert.equal(again.response?.status, 401, again.response?.body);
    assert.equal(jsonBody(again)!.check, 'dpop.jti-unique');
  }
  // The restarted gateway works: a fresh proof for the same token is accepted.
  const fresh = (await buildProof(key, { method: 'GET', url: sandbox.urls.gateway + ACCOUNTS, accessToken: token, now: Date.now() / 1000 })).jwt;
  assert.equal((await call(sandbox.urls, token, fresh)).response?.status, 200);
  await sandbox.kill('SIGTERM');
  sandbox = null;
});
