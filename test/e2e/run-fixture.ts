import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LabInfo } from '../../src/lab/lab.js';
import { onVm, ROOT } from './lab-fixture.js';

/** The CLI in the background, for faults injected while it runs. */
export function background(env: Record<string, string>, ...args: string[]) {
  const child = spawn('node', [join(ROOT, 'bin', 'cnet-remote.js'), ...args], { env: { ...process.env, CI: 'true', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the condition holds (polling), or fails after `ms`: a bound on a hang, not a measurement. */
export async function until(cond: () => Promise<boolean>, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await cond()) return;
  throw new Error('timed out waiting');
}

/** The last line of a VM's transaction journal ('' when there is none). */
export async function journalEnd(lab: LabInfo, vm: number): Promise<string> {
  return (await onVm(lab, vm, 'tail -1 /run/cnet-remote/txn/journal 2>/dev/null\n')).stdout.trim();
}

/** pids of a VM's processes whose command line matches (lab processes only, found through the VM's namespace) */
export async function vmPids(lab: LabInfo, vm: number, pattern: RegExp): Promise<number[]> {
  const run = await onVm(lab, vm, 'for p in /proc/[0-9]*; do printf "%s %s\\n" "${p#/proc/}" "$(tr "\\0" " " < $p/cmdline 2>/dev/null)"; done\n');
  return run.stdout
    .split('\n')
    .filter((l) => pattern.test(l))
    .map((l) => Number(l.split(' ')[0]));
}

export type Host = {
  name: string;
  status: string;
  error?: string;
  changes: number;
  steps: string[];
  warnings?: { message: string }[];
  mismatches: { path: string; desired: string; actual: string; object: { kind: string; name: string; host?: string }; part: string }[];
};
export const byName = (stdout: string): Record<string, Host> => Object.fromEntries((JSON.parse(stdout) as { hosts: Host[] }).hosts.map((h) => [h.name, h]));
