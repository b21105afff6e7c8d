// Run recovery must not rest on PIDs alone: a restarted container (init: true) gets the same PID, and a
// PID may be reused by an unrelated process. A run left `running` by an earlier boot is interrupted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { withTempDb } from '../helpers/db.ts';
import { recoverRuns } from '../../server/engine/recovery.ts';
import type { Db } from '../../server/db/client.ts';

const make = (db: Db, id: string, pid: number, createdAt = new Date()) => db.prisma.run.create({
  data: { id, createdAt, status: 'running', pid, trigger: 'test', target: 'bundled', selection: '[]', scenarios: { create: [{ id: `${id}-0`, scenarioId: 's', title: 's', position: 0, status: 'running' }] } },
});

test('a run left running by an earlier process with this very PID (restarted container) is interrupted', async () => {
  await withTempDb('recovery-same-pid', async (db) => {
    await make(db, 'run_previous_boot', process.pid);
    assert.deepEqual(await recoverRuns(db.prisma), ['run_previous_boot']);
    assert.equal((await db.prisma.scenarioRun.findUnique({ where: { id: 'run_previous_boot-0' } }))!.status, 'interrupted');
  });
});

test('a run whose PID now belongs to a process started after the run (PID reuse) is interrupted', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((r) => other.once('spawn', r));
    await withTempDb('recovery-reused-pid', async (db) => {
      await make(db, 'run_reused_pid', other.pid!, new Date(Date.now() - 3_600_000));
      await make(db, 'run_live_other', other.pid!, new Date(Date.now() + 2_000));
      assert.deepEqual(await recoverRuns(db.prisma), ['run_reused_pid']);
    });
  } finally {
    other.kill('SIGKILL');
  }
});
