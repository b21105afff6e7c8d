// Run recovery at start: a run still marked `running` whose process is gone (killed, crashed, power
// cut) becomes `interrupted`, with its unfinished scenarios. Completed steps and their events were
// written before the next step began (trace.ts), so they stay as they are. A PID alone does not say
// whose a run is (a restarted container has the same PID; PIDs are reused): each run carries the
// boot id of the process that runs it, and a live PID counts only if that process is older than the run.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PrismaClient } from '../db/client.ts';

/** This process's boot id, stored with each run it starts. */
export const BOOT_ID = randomUUID();

/** Whether a process with this id exists (signal 0 checks without signalling). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When process `pid` started, from /proc (Linux); null where /proc does not say. */
function processStartedAt(pid: number): number | null {
  try {
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // Field 22 (starttime, in clock ticks after boot) counts from the end of the command name in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    // USER_HZ is 100 on every Linux build Node supports.
    return Number.isFinite(btime) && Number.isFinite(ticks) ? btime * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

/**
 * Whether the process that started a run at `createdAt` may still be running: its PID is alive and,
 * where the system says when that process started, it started before the run (2 s of clock slack).
 */
export function ownerMayLive(pid: number, createdAt: Date): boolean {
  if (!processAlive(pid)) return false;
  const started = processStartedAt(pid);
  return started === null || started <= createdAt.getTime() + 2_000;
}

/**
 * Marks runs left `running` by a process that no longer exists as `interrupted` and returns their
 * ids. This boot's runs and those of live processes (another sandbox on the same database) are left
 * alone; a run of this PID but another boot, or without a recorded process, is orphaned.
 */
export async function recoverRuns(prisma: PrismaClient, mayLive: (pid: number, createdAt: Date) => boolean = ownerMayLive): Promise<string[]> {
  const running = await prisma.run.findMany({ where: { status: 'running' }, select: { id: true, pid: true, bootId: true, createdAt: true } });
  const orphaned = running
    .filter((r) => r.bootId !== BOOT_ID && (r.pid === null || r.pid === process.pid || !mayLive(r.pid, r.createdAt)))
    .map((r) => r.id);
  if (!orphaned.length) return [];
  const now = new Date();
  await prisma.$transaction([
    prisma.run.updateMany({ where: { id: { in: orphaned }, status: 'running' }, data: { status: 'interrupted', finishedAt: now } }),
    prisma.scenarioRun.updateMany({ where: { runId: { in: orphaned }, status: { in: ['running', 'pending'] } }, data: { status: 'interrupted', finishedAt: now } }),
  ]);
  return orphaned;
}
