// The lab the bench runs on: `cnet-remote lab up` at the largest size, its inventory read for the
// hosts' addresses, key and known_hosts (which every tool then uses), and `lab down`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { must } from './run.mjs';

export const CLI = new URL('../bin/cnet-remote.js', import.meta.url).pathname;
const cli = (...args) => [process.execPath, CLI, ...args];

/**
 * @typedef {{ name: string, address: string }} LabHost
 * @typedef {{ name: string, net: number, inventory: string, dir: string, user: string, key: string, knownHosts: string, hosts: LabHost[] }} Lab
 */

/**
 * Holds a lock on the lab's name for as long as this process lives, so that two benches never
 * share a lab (`lab up` replaces a lab of the same name: each would wreck the other's run).
 * The lock is a flock(1) held by a child that ends when its stdin closes, that is when we exit,
 * however we exit: it is never stale. Resolves false when another bench holds it.
 * @returns {Promise<boolean>}
 */
export function lockLabName(name) {
  const file = `${existsSync('/run/lock') ? '/run/lock' : '/tmp'}/cnet-remote-bench-${name}.lock`;
  return new Promise((resolve) => {
    const holder = spawn('flock', ['-n', '-E', '75', file, '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    holder.stdout.once('data', () => resolve(true));
    holder.on('exit', () => resolve(false));
    holder.on('error', () => resolve(false));
  });
}

/**
 * `net` undefined: the first free network, as `lab up` chooses; `owner` a pid: the lab is removed
 * at the next lab start once that process has ended.
 * @returns {Promise<Lab>}
 */
export async function labUp(name, hosts, net, logDir, owner) {
  await must(
    cli(
      'lab',
      'up',
      '--name',
      name,
      '--hosts',
      String(hosts),
      ...(net === undefined ? [] : ['--net', String(net)]),
      ...(owner === undefined ? [] : ['--owner', String(owner)]),
    ),
    { logDir, label: 'lab-up' },
  );
  return readLab(name, logDir);
}

export async function labDown(name, logDir) {
  await must(cli('lab', 'down', '--name', name), { logDir, label: 'lab-down' });
}

/** The lab's inventory: its `lab` group's hosts in VM order, and the connection vars. */
export async function readLab(name, logDir) {
  const inventory = (await must(cli('lab', 'inventory', '--name', name), { logDir, label: 'lab-inventory' })).trim();
  const inv = parse(readFileSync(inventory, 'utf8'));
  const vars = inv.all.vars;
  const hosts = Object.entries(inv.all.children.lab.hosts)
    .map(([n, h]) => ({ name: n, address: h.ansible_host }))
    .sort((a, b) => Number(a.name.replace(/\D/g, '')) - Number(b.name.replace(/\D/g, '')));
  if (!vars.ansible_user || !vars.ansible_ssh_private_key_file || !vars.cnet_known_hosts_file) {
    throw new Error(`${inventory}: expected ansible_user, ansible_ssh_private_key_file and cnet_known_hosts_file in all.vars`);
  }
  return {
    name,
    net: Number(hosts[0]?.address.split('.')[1]),
    inventory,
    dir: dirname(inventory),
    hosts,
    user: vars.ansible_user,
    key: vars.ansible_ssh_private_key_file,
    knownHosts: vars.cnet_known_hosts_file,
  };
}
