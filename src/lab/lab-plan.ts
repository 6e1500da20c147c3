import { join } from 'node:path';
import { LabError } from '../errors.js';
import { formatIpv4 } from '../inventory/ipv4.js';

/**
 * Names and addresses of a lab, all derived from its name and network index, so that two labs
 * (e.g. two test files) can exist side by side and `lab down` finds everything after a crash.
 *
 *   root namespace ── <name>-c 10.N.0.1/17 ──┐
 *                                             ├─ bridge "br" in <name>-sw (the lab switch)
 *   <name>-up  "upstream" 10.N.0.2/17 ────────┤   + the "internet" address 10.N.128.1 on its lo
 *   <name>-h1 … <name>-hK  "VMs" 10.N.0.10+ ──┘   default route via the upstream; own sshd
 */
export interface LabPlan {
  name: string;
  net: number;
  hosts: number;
  dir: string;
  switchNs: string;
  upstreamNs: string;
  rootIf: string;
  controllerAddress: string;
  upstreamAddress: string;
  internetAddress: string;
  prefix: number;
  vmNs(i: number): string;
  vmName(i: number): string;
  vmAddress(i: number): string;
}

export const LAB_NAME = /^[a-z][a-z0-9]{0,7}$/;
export const LAB_ROOT = '/var/lib/cnet-remote/lab';
export const MAX_HOSTS = 30000;

export function labPlan(name: string, net: number, hosts: number, root = LAB_ROOT): LabPlan {
  if (!LAB_NAME.test(name)) throw new LabError(`lab name "${name}" must be 1-8 lowercase letters or digits, starting with a letter`);
  if (!Number.isInteger(net) || net < 1 || net > 254) throw new LabError(`lab network index ${net} must be 1-254 (the lab uses 10.<index>.0.0/16)`);
  if (!Number.isInteger(hosts) || hosts < 0 || hosts > MAX_HOSTS) throw new LabError(`lab hosts must be 0-${MAX_HOSTS}`);
  const base = 10 * 2 ** 24 + net * 2 ** 16;
  return {
    name,
    net,
    hosts,
    dir: join(root, name),
    switchNs: `${name}-sw`,
    upstreamNs: `${name}-up`,
    rootIf: `${name}-c`,
    controllerAddress: formatIpv4(base + 1),
    upstreamAddress: formatIpv4(base + 2),
    internetAddress: formatIpv4(base + 128 * 256 + 1),
    prefix: 17,
    vmNs: (i) => `${name}-h${i}`,
    vmName: (i) => `vm${i}`,
    vmAddress: (i) => formatIpv4(base + 9 + i),
  };
}

/** The lab's default network index, from its name, so `lab up --name x` needs no other flag. */
export function defaultNet(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) % 100;
  return 150 + h;
}
