/**
 * Peak resident memory of another process, from Linux's `/proc/PID/status` (VmHWM), reset between
 * rounds by writing 5 to `/proc/PID/clear_refs`. Where either is unavailable, the reading is
 * undefined (and printed as n/a), never guessed.
 */
import { readFile, writeFile } from 'node:fs/promises';

async function statusField(pid: number, field: string): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set size since the process started or since the last reset, in bytes. */
export function peakResidentBytes(pid: number): Promise<number | undefined> {
  return statusField(pid, 'VmHWM');
}

export function residentBytes(pid: number): Promise<number | undefined> {
  return statusField(pid, 'VmRSS');
}

/** Starts a new peak from the current resident size; false when the kernel refuses. */
export async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
