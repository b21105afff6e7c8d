// `fapi-sandbox sign` (the built command): the OBIE detached JWS of a body, verifiable with the sandbox
// directory's key over exactly the bytes of the file; usage errors exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { compactVerify } from 'jose';
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
