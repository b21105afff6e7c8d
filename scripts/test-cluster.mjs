// Several instances behind a TCP load balancer (test/cluster/*.cluster.ts): two built `fapi-sandbox start`
// processes sharing one database and certs folder behind Debian's HAProxy (skipped with a message when
// haproxy is not installed). Not part of `npm test`: a few minutes of real processes; a step of `.ci/run`.
// The database is the environment's: FAPI_DATABASE_URL when set, else one SQLite file in a temp folder.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildIfStale } from './build-if-stale.mjs';

const files = readdirSync('test/cluster').filter((f) => f.endsWith('.cluster.ts')).map((f) => path.join('test/cluster', f));
buildIfStale({ ui: false });
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', NEXT_TELEMETRY_DISABLED: '1' } },
);
process.exit(result.status ?? 1);
