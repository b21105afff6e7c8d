// scripts/bench/profile.mjs (`npm run bench -- --profile`): V8 profile samples land in the stage their stack
// says (a subtree stage such as the upstream client or the mock API claims everything called below it; otherwise
// the leaf decides), only inside the load's time window, and the table divides by the answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error a plain ES module of scripts/ without types
import { cpuprofileStages, perRequest, stageTable, OTHER } from '../../scripts/bench/profile.mjs';

const D = 'file:///app/dist/server';
/** id, parent, function, url */
const FRAMES: [number, number | null, string, string][] = [
  [1, null, '(root)', ''],
  [2, 1, '(idle)', ''],
  [3, 1, '(program)', ''],
  [4, 1, 'handle', `${D}/gateway/index.js`],
  [5, 4, 'forward', `${D}/gateway/proxy.js`],
  [6, 5, '_resume', 'file:///app/node_modules/undici/lib/dispatcher/client.js'],
  [7, 6, 'writeLatin1String', ''],
  [8, 4, 'run', `${D}/gateway/checks/dpop/signature.js`],
  [9, 8, 'verifyOneShot', 'node:internal/crypto/sig'],
  [10, 1, 'onStreamRead', 'node:internal/stream_base_commons'],
  [11, 10, 'writev', ''],
  [12, 10, 'parserOnHeadersComplete', 'node:_http_common'],
  [13, 12, 'handle', `${D}/api/index.js`],
  [14, 13, 'sendJson', `${D}/api/obie.js`],
  [15, 4, 'claim', `${D}/gateway/dpop/replay-store.js`],
  [16, 1, 'processTicksAndRejections', 'node:internal/process/task_queues'],
];

function profile(samples: number[], stepUs = 100) {
  const nodes = FRAMES.map(([id, , functionName, url]) => ({
    id, callFrame: { functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' },
    children: FRAMES.filter(([, parent]) => parent === id).map(([child]) => child),
  }));
  // Each sample lasts until the next one; the last one has no length.
  return { nodes, startTime: 1_000, endTime: 1_000 + stepUs * samples.length, samples, timeDeltas: samples.map(() => stepUs) };
}

test('each sample goes to the stage of its stack; idle is not counted', () => {
  const stages = cpuprofileStages(profile([2, 3, 7, 9, 11, 12, 14, 15, 16, 2]));
  assert.deepEqual(stages, {
    'native, no JS on the stack (libuv, TLS decrypt, reads)': 100,
    'upstream hop (undici client)': 100, // a native write called by undici is the hop's
    'DPoP verify': 100,
    'TLS socket read/write (tls, net, streams)': 100,
    'HTTP parse / serialise (node:http)': 100,
    'mock OB API (upstream, shared with nginx)': 100,
    'replay claim (jti)': 100,
    [OTHER]: 100,
  });
});

test('only samples inside the window count, and the table is per request', () => {
  // Sample times: 1100, 1200, ... ; the window keeps 1300..1500.
  const stages = cpuprofileStages(profile([7, 7, 11, 11, 11, 7, 7]), { from: 1_300, to: 1_500 });
  assert.deepEqual(stages, { 'TLS socket read/write (tls, net, streams)': 300 });
  const rows = perRequest({ a: 300, b: 100 }, 4);
  assert.deepEqual(rows, [['a', 75], ['b', 25]]);
  const md = stageTable([{ title: 'gateway', rows, serverCpu: 120 }]);
  assert.match(md, /\| a \| 75 \|/);
  assert.match(md, /\| \*\*sum of the above\*\* \| \*\*100\*\* \|/);
  assert.match(md, /server CPU from \/proc .*\| 120 \|/);
});

test('function-level detail names the stage, the function and its file', () => {
  const functions: Record<string, number> = {};
  cpuprofileStages(profile([14, 14, 9, 2]), {}, functions);
  assert.deepEqual(Object.keys(functions).sort(), [
    'DPoP verify: verifyOneShot node:internal/crypto/sig:1',
    'mock OB API (upstream, shared with nginx): sendJson dist/server/api/obie.js:1',
  ]);
});
