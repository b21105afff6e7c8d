// Run recovery must not rest on PIDs alone: a restarted container (init: true) gets the same PID, and a
// PID may be reused by an unrelated process. A run left `running` by an earlier boot is interrupted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { withTempDb } from '../helpers/db.ts';
import { BOOT_ID, recoverRuns, startHeartbeat } from '../../server/engine/recovery.ts';
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

test('instances on one database: a run whose instance still beats is left alone whatever its PID (containers are all PID 1); one whose instance went silent is interrupted by a survivor\'s heartbeat', async () => {
  await withTempDb('recovery-heartbeat', async (db) => {
    const beat = (bootId: string, ago: number) => db.prisma.instance.create({
      data: { bootId, pid: process.pid, host: 'other-host', startedAt: new Date(Date.now() - 60_000), lastSeen: new Date(Date.now() - ago) },
    });
    const owned = async (id: string, bootId: string) => {
      await make(db, id, process.pid);
      await db.prisma.run.update({ where: { id }, data: { bootId } });
    };
    await beat('boot-live', 500);
    await beat('boot-silent', 30_000);
    await owned('run_live_instance', 'boot-live');
    await owned('run_silent_instance', 'boot-silent');
    // At start: the PID rule alone would take both (same PID, another boot); the heartbeat decides.
    assert.deepEqual(await recoverRuns(db.prisma), ['run_silent_instance']);

    await beat('boot-killed', 0);
    await owned('run_killed_mid_run', 'boot-killed');
    const heartbeat = startHeartbeat(db.prisma, () => {}, { everyMs: 60_000 });
    try {
      assert.deepEqual(await heartbeat.beat(), [], 'every instance beat lately');
      // boot-killed stops beating (kill -9): 30 s of silence, past the 8 s timeout.
      await db.prisma.instance.update({ where: { bootId: 'boot-killed' }, data: { lastSeen: new Date(Date.now() - 30_000) } });
      assert.deepEqual(await heartbeat.beat(), ['run_killed_mid_run']);
      assert.equal((await db.prisma.run.findUnique({ where: { id: 'run_live_instance' } }))!.status, 'running');
      assert.equal((await db.prisma.scenarioRun.findUnique({ where: { id: 'run_killed_mid_run-0' } }))!.status, 'interrupted');
      assert.ok(await db.prisma.instance.findUnique({ where: { bootId: BOOT_ID } }), 'this instance beats too');
    } finally {
      await heartbeat.stop();
    }
    assert.equal(await db.prisma.instance.findUnique({ where: { bootId: BOOT_ID } }), null, 'a clean stop removes its row');
  });
});
