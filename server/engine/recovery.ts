// Run recovery at start: a run still marked `running` whose process is gone (killed, crashed, power
// cut) becomes `interrupted`, with its unfinished scenarios. Completed steps and their events were
// written before the next step began (trace.ts), so they stay as they are. A PID alone does not say
// whose a run is (a restarted container has the same PID; PIDs are reused): each run carries the
// boot id of the process that runs it, and a live PID counts only if that process is older than the run.
// Several instances on one database (behind a load balancer, other hosts: PIDs say nothing there) beat
// a heartbeat (the Instance table): a run whose instance stopped beating is interrupted by a survivor
// within seconds, and one whose instance still beats is left alone whatever its PID.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
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
export async function recoverRuns(prisma: PrismaClient, mayLive: (pid: number, createdAt: Date) => boolean = ownerMayLive, staleMs = INSTANCE_TIMEOUT_MS): Promise<string[]> {
  const running = await prisma.run.findMany({ where: { status: 'running' }, select: { id: true, pid: true, bootId: true, createdAt: true } });
  const beats = await lastBeats(prisma, running.map((r) => r.bootId));
  const now = new Date();
  const orphaned = running
    .filter((r) => {
      if (r.bootId === BOOT_ID) return false;
      const pidSaysGone = r.pid === null || r.pid === process.pid || !mayLive(r.pid, r.createdAt);
      // A silent instance is gone. One that beat lately is gone only if its PID, on this very host, says so
      // (a restart after kill -9); on another host (a container: PID 1 everywhere) the PID says nothing.
      const beat = r.bootId ? beats.get(r.bootId) : undefined;
      if (beat) return now.getTime() - beat.lastSeen.getTime() > staleMs || (beat.host === hostname() && pidSaysGone);
      return pidSaysGone;
    })
    .map((r) => r.id);
  return interrupt(prisma, orphaned, now);
}

/** When and where each of these boots last beat (absent: it never did, e.g. a version without heartbeats). */
async function lastBeats(prisma: PrismaClient, bootIds: (string | null)[]): Promise<Map<string, { lastSeen: Date; host: string }>> {
  const ids = [...new Set(bootIds.filter((b): b is string => b !== null))];
  if (!ids.length) return new Map();
  const rows = await prisma.instance.findMany({ where: { bootId: { in: ids } }, select: { bootId: true, lastSeen: true, host: true } });
  return new Map(rows.map((r) => [r.bootId, r]));
}

async function interrupt(prisma: PrismaClient, orphaned: string[], now: Date): Promise<string[]> {
  if (!orphaned.length) return [];
  await prisma.$transaction([
    prisma.run.updateMany({ where: { id: { in: orphaned }, status: 'running' }, data: { status: 'interrupted', finishedAt: now } }),
    prisma.scenarioRun.updateMany({ where: { runId: { in: orphaned }, status: { in: ['running', 'pending'] } }, data: { status: 'interrupted', finishedAt: now } }),
  ]);
  return orphaned;
}

/** Heartbeat period, and the silence after which an instance counts as gone (a few missed beats). */
export const HEARTBEAT_MS = 2_000;
export const INSTANCE_TIMEOUT_MS = 8_000;
/** Rows of instances silent this long are deleted. */
const FORGET_MS = 86_400_000;

export interface Heartbeat {
  /** One beat and one sweep now (tests; the timer does the same every HEARTBEAT_MS). */
  beat(): Promise<string[]>;
  /** Stops beating and removes this instance's row (a clean stop: nothing of it is running). */
  stop(): Promise<void>;
}

/**
 * Records this instance in the Instance table now and every `everyMs` and, each time, interrupts the runs of
 * instances silent for more than `staleMs` (killed, frozen, their host gone). `log` hears about them.
 */
export function startHeartbeat(prisma: PrismaClient, log: (msg: string) => void, opts: { everyMs?: number; staleMs?: number } = {}): Heartbeat {
  const everyMs = opts.everyMs ?? HEARTBEAT_MS;
  const staleMs = opts.staleMs ?? INSTANCE_TIMEOUT_MS;
  const startedAt = new Date();
  let stopped = false;
  let running: Promise<string[]> | null = null;
  const once = async (): Promise<string[]> => {
    const now = new Date();
    await prisma.instance.upsert({
      where: { bootId: BOOT_ID },
      create: { bootId: BOOT_ID, pid: process.pid, host: hostname(), startedAt, lastSeen: now },
      update: { lastSeen: now },
    });
    const stale = await prisma.instance.findMany({ where: { lastSeen: { lt: new Date(now.getTime() - staleMs) } }, select: { bootId: true } });
    if (!stale.length) return [];
    const runs = await prisma.run.findMany({ where: { status: 'running', bootId: { in: stale.map((i) => i.bootId) } }, select: { id: true } });
    const interrupted = await interrupt(prisma, runs.map((r) => r.id), now);
    await prisma.instance.deleteMany({ where: { lastSeen: { lt: new Date(now.getTime() - FORGET_MS) } } });
    if (interrupted.length) log(`marked ${interrupted.length} run(s) of an instance silent for over ${staleMs / 1000} s as interrupted`);
    return interrupted;
  };
  const beat = () => (running ??= once().finally(() => (running = null)));
  const tick = () => {
    if (!stopped) beat().catch((err: unknown) => log(`heartbeat failed: ${(err as Error).message}`));
  };
  const timer = setInterval(tick, everyMs).unref();
  // The first beat now, off the start-up path.
  tick();
  return {
    beat,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      await prisma.instance.deleteMany({ where: { bootId: BOOT_ID } });
    },
  };
}
