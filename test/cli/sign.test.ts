// `fapi-sandbox sign` (the built command): the OBIE detached JWS of a body, verifiable with the sandbox
// directory's key over exactly the bytes of the file; usage errors exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { compactVerify, jwtVerify } from 'jose';
import { cliEnv, runCli } from '../helpers/cli.ts';
import { certsDir, tempDataDir } from '../helpers/paths.ts';
import { loadPki } from '../../server/pki/load.ts';
import { Directory } from '../../server/directory/index.ts';
import { OB_CRIT, OB_ISS } from '../../server/directory/jws.ts';

test('sign --file prints a detached JWS over the file\'s bytes with the chosen key; bad usage exits 2', async () => {
  const data = tempDataDir('cli-sign');
  try {
    const env = cliEnv(data.dir);
    const file = path.join(data.dir, 'body.json');
    const body = '{"Data": {"ConsentId": "pdc-1"},\n "Risk": {}}\n';
    writeFileSync(file, body);
    const r = await runCli(['sign', '--file', file, '--key', 'mallory-signing'], env);
    assert.equal(r.code, 0, r.stderr);
    const [h, payload, s] = r.stdout.trim().split('.');
    assert.equal(payload, '', 'detached');
    const directory = await Directory.fromPki(await loadPki(certsDir()));
    const mallory = directory.signer('mallory-signing');
    const { protectedHeader } = await compactVerify(`${h}.${Buffer.from(body).toString('base64url')}.${s}`, directory.byKid(mallory.kid)!.publicKey, { crit: Object.fromEntries(OB_CRIT.map((c) => [c, true])) });
    assert.equal(protectedHeader.kid, mallory.kid);
    assert.equal(protectedHeader[OB_ISS], '0015800001041REMMQ/mallory-app');
    assert.deepEqual(protectedHeader.crit, [...OB_CRIT]);
    for (const args of [['sign'], ['sign', '--data', '{}', '--key', 'nobody'], ['sign', '--data', '{}', '--iat', 'yesterday']]) {
      const bad = await runCli(args, env);
      assert.equal(bad.code, 2, args.join(' '));
      assert.match(bad.stderr, /^fapi-sandbox: sign/);
    }
  } finally {
    data.remove();
  }
});

test('sign --request-object prints an RFC 9101 request object signed with the client\'s registered key; a body that is not a JSON object exits 2', async () => {
  const data = tempDataDir('cli-sign-ro');
  try {
    const env = cliEnv(data.dir, { FAPI_IDP_PORT: '8443' });
    const params = { response_type: 'code', scope: 'openid payments', claims: { id_token: { openbanking_intent_id: { value: 'pdc-1', essential: true } } } };
    const r = await runCli(['sign', '--request-object', '--data', JSON.stringify(params)], env);
    assert.equal(r.code, 0, r.stderr);
    const directory = await Directory.fromPki(await loadPki(certsDir()));
    const alpha = directory.signer('tpp-alpha-signing');
    const { payload, protectedHeader } = await jwtVerify(r.stdout.trim(), directory.byKid(alpha.kid)!.publicKey, { issuer: 'tpp-alpha', audience: 'https://localhost:8443' });
    assert.equal(protectedHeader.kid, alpha.kid);
    assert.equal(protectedHeader.typ, 'oauth-authz-req+jwt');
    assert.equal(payload.client_id, 'tpp-alpha');
    assert.deepEqual(payload.claims, params.claims, 'JSON parameters stay JSON');
    assert.ok(payload.exp! - payload.nbf! <= 3600, 'exp at most 60 minutes after nbf (FAPI 2.0 Message Signing 5.3.2-4)');
    for (const args of [['sign', '--request-object', '--data', '[1]'], ['sign', '--request-object', '--client', 'tpp-beta', '--data', '{}']]) {
      const bad = await runCli(args, env);
      assert.equal(bad.code, 2, args.join(' '));
      assert.match(bad.stderr, /^fapi-sandbox: sign/);
    }
  } finally {
    data.remove();
  }
});
