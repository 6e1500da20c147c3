import { readFileSync } from 'node:fs';

/**
 * A process, told apart from a later one that reuses its pid: the pid and its start time (field 22
 * of /proc/PID/stat, in clock ticks since boot).
 */
export interface ProcessId {
  pid: number;
  start: string;
}

/** The running process `pid` (default: this one), or undefined when there is none. */
export function processId(pid: number = process.pid): ProcessId | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the command name (field 2) is in parentheses and may hold spaces or parentheses itself
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return start ? { pid, start } : undefined;
}

/** true while that very process runs (not another one that got its pid since). */
export function isAlive(id: ProcessId): boolean {
  return processId(id.pid)?.start === id.start;
}
