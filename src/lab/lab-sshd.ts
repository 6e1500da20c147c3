import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { exec, spawnDetached } from './local-exec.js';
import type { LabPlan } from './lab-plan.js';
import { fillTemplate } from './lab-templates.js';

/**
 * The VMs' sshd: one config for the lab (`<lab folder>/sshd_config`), from templates/sshd_config;
 * with 3 VMs or more, vm3 takes passwords only through keyboard-interactive
 * (templates/sshd_config.kbd-only).
 */
export function writeSshdConfig(plan: LabPlan): void {
  // vm3 by its addresses: the one the connection came to (over IPv4 or IPv6)
  const vm3 = [plan.vmAddress(3), ...(plan.ipv6 ? [plan.vmAddress6(3)] : [])].join(',');
  const kbdOnly = plan.hosts >= 3 ? fillTemplate('sshd_config.kbd-only', { address: vm3 }) : '';
  writeFileSync(join(plan.dir, 'sshd_config'), fillTemplate('sshd_config', { dir: plan.dir }) + kbdOnly);
}

/** Resolves once something listens on host:port; rejects after `deadline` (ms since the epoch). */
export function waitForPort(host: string, port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = connect({ host, port });
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new LabError(`sshd on ${host}:${port} did not start`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

const vmKey = (vm: number | string) => (typeof vm === 'number' ? `h${vm}` : vm);

/**
 * (Re)starts a VM's sshd; `vm` is a main-segment index or a key (h1, p1, q1). In a lab with an
 * image it enters the VM's root too, so /usr/sbin/sshd, its PAM and its libraries are the image's.
 */
export function startSshd(plan: LabPlan, vm: number | string, holder?: number): void {
  const key = vmKey(vm);
  const pid0 = holder ?? Number(readFileSync(join(plan.dir, `${key}.holder`), 'utf8'));
  // each VM's sshd logs to its own file in the lab folder (logins, refusals: what a test can count)
  const pid = spawnDetached([
    'nsenter',
    '-t',
    String(pid0),
    '-m',
    '-u',
    '-n',
    ...(plan.image ? ['-r', '-w'] : []),
    '/usr/sbin/sshd',
    '-D',
    '-f',
    `${plan.dir}/sshd_config`,
    '-h',
    `${plan.dir}/hostkeys/${key}`,
    '-E',
    `${plan.dir}/${key}.log`,
  ]);
  writeFileSync(join(plan.dir, `${key}.sshd`), String(pid));
}

/** Stops one VM's sshd (the VM and its containers stay): a host that is down for SSH. */
export function stopSshd(plan: LabPlan, vm: number | string): void {
  const file = join(plan.dir, `${vmKey(vm)}.sshd`);
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  rmSync(file, { force: true });
}

/** Silently drops SSH to a VM (no refusal, no reset): a host that makes connections time out. */
export async function blackhole(plan: LabPlan, vm: number | string, on = true): Promise<void> {
  const v = plan.vms.find((x) => x.key === vmKey(vm));
  if (!v) throw new LabError(`no VM ${vm} in lab ${plan.name}`);
  // both ways: an established session must hear nothing either; over IPv6 too, in a lab with IPv6
  for (const tool of plan.ipv6 ? ['iptables', 'ip6tables'] : ['iptables']) {
    await exec(['ip', 'netns', 'exec', v.ns, tool, '-w', on ? '-I' : '-D', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'DROP']);
    await exec(['ip', 'netns', 'exec', v.ns, tool, '-w', on ? '-I' : '-D', 'OUTPUT', '-p', 'tcp', '--sport', '22', '-j', 'DROP']);
  }
}
