import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, labUp, type LabInfo } from '../../src/lab/lab.js';
import { LAB_ROOT, labPlan, type LabShape } from '../../src/lab/lab-plan.js';

/**
 * Each e2e file owns a lab (its own name and 10.N network), so files can run in parallel.
 * The CLI under test is the built one (`npm test` builds first), run as a child process.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SEED_PART2 = join(ROOT, 'inventories', 'seed-part2.yaml');
export const SEED_PB_JELLY = join(ROOT, 'inventories', 'seed-pb-jelly.yaml');

export async function startLab(name: string, net: number, hosts: number, shape: LabShape = {}): Promise<LabInfo> {
  return labUp(labPlan(name, net, hosts, LAB_ROOT, shape), undefined);
}

export async function stopLab(lab: LabInfo | undefined): Promise<void> {
  if (lab) await labDown(lab.plan.name, lab.plan.dir);
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(...args: string[]): Promise<CliRun> {
  return cliEnv({}, ...args);
}

export function cliEnv(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('node', [join(ROOT, 'bin', 'cnet-remote.js'), ...args], { env: { ...process.env, CI: 'true', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export async function cliJson(...args: string[]) {
  const run = await cli(...args, '--json');
  try {
    return { ...run, json: JSON.parse(run.stdout) as { hosts: { name: string; status: string; changes: number; verified: boolean; steps: string[]; mismatches: { path: string; desired: string; actual: string }[]; error?: string }[]; summary: Record<string, number> } };
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

/** Runs a shell script on lab VM i with the real OpenSSH client (an independent check). */
export function onVm(lab: LabInfo, i: number, script: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      'ssh',
      ['-i', lab.key, '-o', `UserKnownHostsFile=${lab.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', `root@${lab.plan.vmAddress(i)}`, 'sh -s'],
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(script);
  });
}

/** true when one ping from `ns` (or the VM itself) to `target` is answered. */
export async function pings(lab: LabInfo, vm: number, ns: string | undefined, target: string): Promise<boolean> {
  const run = await onVm(lab, vm, `${ns ? `ip netns exec ${ns} ` : ''}ping -c 1 -W 1 ${target} >/dev/null 2>&1 && echo yes || echo no\n`);
  return run.stdout.trim() === 'yes';
}

/** What `down` must leave exactly as it was: links, namespaces, NAT rules, ip_forward, our record. */
export async function snapshot(lab: LabInfo, vm: number): Promise<string> {
  const run = await onVm(lab, vm, [
    "ip -j link show | tr ',' '\\n' | grep '\"ifname\"' | sort",
    'ip netns list | sort',
    'iptables -t nat -S',
    'iptables -S',
    'cat /proc/sys/net/ipv4/ip_forward',
    'ls /run/cnet-remote/owned 2>/dev/null || echo no-record',
  ].join('\n') + '\n');
  return run.stdout;
}
