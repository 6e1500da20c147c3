import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, type LabInfo } from '../../src/lab/lab.js';
import { LAB_ROOT, type LabReach, type LabShape } from '../../src/lab/lab-plan.js';
import { startLab as startAnyLab } from '../../src/lab/lab-start.js';
import { processId } from '../../src/lab/process-id.js';

/**
 * Each e2e file owns a lab with a name of this run's own (its prefix and random characters) on a
 * free 10.N network reserved as `lab up` does, so files, and two test runs (two checkouts), can
 * run side by side and beside a user's lab. The lab belongs to the test process: if the run
 * crashes, the next lab start removes it. The CLI under test is the built one (`npm test` builds
 * first), run as a child process.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SEED_PART2 = join(ROOT, 'inventories', 'seed-part2.yaml');
export const SEED_PB_JELLY = join(ROOT, 'inventories', 'seed-pb-jelly.yaml');

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A lab name of this run: `prefix` (2-3 lowercase letters, the test file's) and random letters/digits, 8 in all. */
export function testLabName(prefix: string): string {
  if (!/^[a-z]{2,3}$/.test(prefix)) throw new Error(`test lab prefix "${prefix}": 2-3 lowercase letters`);
  return prefix + Array.from({ length: 8 - prefix.length }, () => ALNUM[randomInt(ALNUM.length)]).join('');
}

/**
 * Where a test lab's search for a free network starts, when the test does not say: 100-149, clear
 * of the 150-249 that `lab up` derives from a user's lab name.
 */
export const testNetFrom = () => 100 + randomInt(50);

/**
 * Starts a lab for this test file: `prefix` and random characters as its name (never one that
 * exists), the first free network from `from` on, owned by this process. With `image` (debian12,
 * debian13, debian13-nft) the VMs run that Debian userland (built once per machine at the first
 * use, about a minute; cached after). With `reach: 'ipv6'` its inventory reaches the VMs at their
 * IPv6 addresses.
 */
export async function startLab(
  prefix: string,
  hosts: number,
  shape: LabShape = {},
  o: { from?: number; image?: string; reach?: LabReach } = {},
): Promise<LabInfo> {
  for (let attempt = 1; ; attempt++) {
    const name = testLabName(prefix);
    try {
      return await startAnyLab({
        name,
        hosts,
        shape,
        from: o.from ?? testNetFrom(),
        owner: processId()!,
        replace: false,
        ...(o.image === undefined ? {} : { image: o.image }),
        ...(o.reach === undefined ? {} : { reach: o.reach }),
      });
    } catch (e) {
      if (attempt < 5 && /exists already/.test(String(e))) continue;
      await labDown(name, join(LAB_ROOT, name)).catch(() => undefined);
      throw e;
    }
  }
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
    return {
      ...run,
      json: JSON.parse(run.stdout) as {
        hosts: {
          name: string;
          status: string;
          changes: number;
          verified: boolean;
          steps: string[];
          mismatches: { path: string; desired: string; actual: string }[];
          error?: string;
        }[];
        summary: Record<string, number>;
      },
    };
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

/** The real OpenSSH client with these arguments (and this environment): the side cnet-remote is compared with. */
export function realSsh(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('ssh', args, { env }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** Runs a shell script on lab VM i with the real OpenSSH client (an independent check), as `user` (default root). */
export function onVm(lab: LabInfo, i: number, script: string, user = 'root'): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      'ssh',
      [
        '-i',
        lab.key,
        '-o',
        `UserKnownHostsFile=${lab.knownHosts}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        'LogLevel=ERROR',
        `${user}@${lab.plan.vmAddress(i)}`,
        'sh -s',
      ],
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    // ssh may end before it reads the script (a VM whose sshd is down): its exit code says so, not EPIPE
    child.stdin?.on('error', () => undefined);
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
  const run = await onVm(
    lab,
    vm,
    `${[
      "ip -j link show | tr ',' '\\n' | grep '\"ifname\"' | sort",
      'ip netns list | sort',
      'iptables -t nat -S',
      'iptables -S',
      'cat /proc/sys/net/ipv4/ip_forward',
      'ls /run/cnet-remote/owned 2>/dev/null || echo no-record',
    ].join('\n')}\n`,
  );
  return run.stdout;
}
