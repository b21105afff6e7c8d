// Several instances behind a TCP load balancer (test/cluster/*.cluster.ts): two built `fapi-sandbox start`
// processes sharing one database and certs folder behind Debian's HAProxy (skipped with a message when
// haproxy is not installed). Not part of `npm test`: a few minutes of real processes; a step of `.ci/run`.
// The database: FAPI_DATABASE_URL when set; else the suite runs twice, on one SQLite file in a temp folder
// and on a throw-away PostgreSQL cluster (scripts/postgres-cluster.mjs; skipped with a message when
// PostgreSQL's server is not installed). `--sqlite` or `--postgres` runs one of the two.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildIfStale } from './build-if-stale.mjs';
import { postgresBinDir, startPostgres } from './postgres-cluster.mjs';

const files = readdirSync('test/cluster').filter((f) => f.endsWith('.cluster.ts')).map((f) => path.join('test/cluster', f));
const only = process.argv.find((a) => a === '--sqlite' || a === '--postgres');
buildIfStale({ ui: false });

function run(label, env) {
  console.log(`[test:cluster] ${label}`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', NEXT_TELEMETRY_DISABLED: '1', ...env } },
  );
  return result.status ?? 1;
}

let status = 0;
if (process.env.FAPI_DATABASE_URL) status = run(`the database of FAPI_DATABASE_URL`, {});
else {
  if (only !== '--postgres') status ||= run('two instances on one SQLite file', {});
  if (only !== '--sqlite') {
    if (!postgresBinDir()) console.log('[test:cluster] PostgreSQL is not installed (apt-get install postgresql): the PostgreSQL run is skipped');
    else {
      const pg = await startPostgres();
      try {
        status ||= run(`two instances on one PostgreSQL database (${pg.url})`, { FAPI_DATABASE_URL: pg.url });
      } finally {
        pg.stop();
      }
    }
  }
}
process.exit(status);
