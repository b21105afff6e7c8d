// Run recovery at start: a run still marked `running` whose process is gone (killed, crashed, power
// cut) becomes `interrupted`, with its unfinished scenarios. Completed steps and their events were
// written before the next step began (trace.ts), so they stay as they are.
import type { PrismaClient } from '../db/client.ts';

/** Whether a process with this id exists (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks runs left `running` by a process that no longer exists as `interrupted` and returns their
 * ids. Runs of live processes (another sandbox on the same database) are left alone; a run without a
 * recorded process (older databases) counts as orphaned unless it is this process's.
 */
export async function recoverRuns(prisma: PrismaClient, alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const running = await prisma.run.findMany({ where: { status: 'running' }, select: { id: true, pid: true } });
  const orphaned = running.filter((r) => r.pid !== process.pid && (r.pid === null || !alive(r.pid))).map((r) => r.id);
  if (!orphaned.length) return [];
  const now = new Date();
  await prisma.$transaction([
    prisma.run.updateMany({ where: { id: { in: orphaned }, status: 'running' }, data: { status: 'interrupted', finishedAt: now } }),
    prisma.scenarioRun.updateMany({ where: { runId: { in: orphaned }, status: { in: ['running', 'pending'] } }, data: { status: 'interrupted', finishedAt: now } }),
  ]);
  return orphaned;
}
