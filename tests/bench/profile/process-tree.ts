/**
 * The processes of a gateway (its own and its function containers) as Linux reports them: the CPU
 * each has used (`/proc/PID/stat`, user + system) and its working directory (a container's is its
 * task root, where its bundle's source map is). A sampling profile counts the time between samples,
 * which on an oversubscribed machine includes time spent waiting for a core; this is the CPU itself.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Linux's USER_HZ: the unit of `/proc/PID/stat`'s times on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

export interface ProcessSample {
  pid: number;
  /** Every thread's. */
  cpuMs: number;
  /** The main thread's (the one the profile samples; the rest are GC helpers and libuv's pool). */
  mainThreadCpuMs: number;
  cwd: string | undefined;
}

function statOf(pid: number, path = `/proc/${pid}/stat`): { parent: number; cpuMs: number } | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { parent, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** `root` and every process below it, now. */
export function processTree(root: number): ProcessSample[] {
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = statOf(pid);
    if (!stat) continue;
    parents.set(pid, stat.parent);
    cpu.set(pid, stat.cpuMs);
  }
  const below = (pid: number): boolean => {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = parents.get(at)) if (at === root) return true;
    return false;
  };
  return [...cpu]
    .filter(([pid]) => below(pid))
    .map(([pid, cpuMs]) => ({
      pid,
      cpuMs,
      mainThreadCpuMs: statOf(pid, `/proc/${pid}/task/${pid}/stat`)?.cpuMs ?? cpuMs,
      cwd: cwdOf(pid),
    }));
}

export interface CpuUsed {
  cpuMs: number;
  mainThreadCpuMs: number;
}

/** CPU each process used between two samples of the tree (a process born in between counts from zero). */
export function cpuBetween(before: readonly ProcessSample[], after: readonly ProcessSample[]): Map<number, CpuUsed> {
  const start = new Map(before.map((sample) => [sample.pid, sample]));
  return new Map(
    after.map((sample) => [
      sample.pid,
      {
        cpuMs: sample.cpuMs - (start.get(sample.pid)?.cpuMs ?? 0),
        mainThreadCpuMs: sample.mainThreadCpuMs - (start.get(sample.pid)?.mainThreadCpuMs ?? 0),
      },
    ]),
  );
}
