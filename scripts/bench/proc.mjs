// /proc measurements for the benchmark (Linux): RSS and CPU time of a process and its descendants. The
// sandbox and nginx are started through scripts/sandbox.mjs.
import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size of a process in MB (Linux /proc), or null. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Processes on this machine: pid -> [ppid, cpu seconds (user + system, all threads)]. Linux /proc. */
export function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command (which may contain spaces) start at ") ": state ppid ... utime(14) stime(15).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), [Number(f[1]), (Number(f[11]) + Number(f[12])) / CLOCK_TICKS]);
    } catch { /* exited meanwhile */ }
  }
  return table;
}
const CLOCK_TICKS = 100;

/** The processes `pids` and all their descendants, with the process table they were found in. */
function tree(pids) {
  const table = processTable();
  const children = new Map();
  for (const [pid, [ppid]] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const seen = new Set();
  const stack = [...pids];
  while (stack.length) {
    const pid = stack.pop();
    if (seen.has(pid) || !table.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return { table, pids: [...seen] };
}

/** CPU seconds used so far by the processes `pids` and all their descendants. */
export function treeCpuSeconds(pids) {
  const { table, pids: all } = tree(pids);
  return all.reduce((sum, pid) => sum + table.get(pid)[1], 0);
}

/** RSS in MB of a process and its descendants, summed (pages they share count once per process). */
export function treeRssMb(pid) {
  return tree([pid]).pids.reduce((sum, p) => sum + (rssMb(p) ?? 0), 0);
}

/** The direct children of a process (e.g. the gateway's worker processes, nginx's workers). */
export function childrenOf(pid) {
  return [...processTable()].filter(([, [ppid]]) => ppid === pid).map(([p]) => p);
}

/** CPU seconds used so far by each of `pids` alone (not their descendants); a process gone counts 0. */
export function cpuSecondsEach(pids) {
  const table = processTable();
  return pids.map((pid) => table.get(pid)?.[1] ?? 0);
}
