import { join } from 'node:path';
import { LabError } from '../errors.js';
import { formatIpv4 } from '../address/ipv4.js';

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
  /** every simulated VM: the main segment's, then those behind a bastion */
  vms: LabVm[];
  /** the distribution the VMs run (lab-images.ts), on its built root file system; none: this machine's programs */
  image?: LabPlanImage;
}

/** A lab's image: its name and the built root file system its VMs' overlays lie on. */
export interface LabPlanImage {
  name: string;
  rootfs: string;
}

/**
 * A simulated VM. `lab` VMs sit on the main segment the controller reaches; `private` ones on a
 * segment reachable only through vm1 (a bastion); `deep` ones only through vm1 and then priv1.
 */
export interface LabVm {
  /** file-name key: h1, p1, q1 */
  key: string;
  ns: string;
  name: string;
  address: string;
  group: 'lab' | 'private' | 'deep';
  /** addresses of the bastions to jump through, in order */
  via: string[];
}

export interface LabShape {
  /** VMs on a private segment behind vm1 */
  behind?: number;
  /** VMs on a segment behind priv1 (two hops) */
  behind2?: number;
}

export const LAB_NAME = /^[a-z][a-z0-9]{0,7}$/;
export const LAB_ROOT = '/var/lib/cnet-remote/lab';
export const MAX_HOSTS = 30000;

export function labPlan(name: string, net: number, hosts: number, root = LAB_ROOT, shape: LabShape = {}): LabPlan {
  const behind = shape.behind ?? 0;
  const behind2 = shape.behind2 ?? 0;
  if (!LAB_NAME.test(name)) throw new LabError(`lab name "${name}" must be 1-8 lowercase letters or digits, starting with a letter`);
  if (!Number.isInteger(net) || net < 1 || net > 254) throw new LabError(`lab network index ${net} must be 1-254 (the lab uses 10.<index>.0.0/16)`);
  if (!Number.isInteger(hosts) || hosts < 0 || hosts > MAX_HOSTS) throw new LabError(`lab hosts must be 0-${MAX_HOSTS}`);
  if (!Number.isInteger(behind) || behind < 0 || behind > 4000 || (behind > 0 && hosts < 1))
    throw new LabError('--behind needs at least one host (vm1 is the bastion), and at most 4000');
  if (!Number.isInteger(behind2) || behind2 < 0 || behind2 > 4000 || (behind2 > 0 && behind < 1))
    throw new LabError('--behind2 needs --behind of at least 1 (priv1 is the second hop), and at most 4000');
  const base = 10 * 2 ** 24 + net * 2 ** 16;
  const seg1 = base + 160 * 256;
  const seg2 = base + 176 * 256;
  const main = (i: number) => formatIpv4(base + 9 + i);
  const vms: LabVm[] = [
    ...Array.from(
      { length: hosts },
      (_, k): LabVm => ({ key: `h${k + 1}`, ns: `${name}-h${k + 1}`, name: `vm${k + 1}`, address: main(k + 1), group: 'lab', via: [] }),
    ),
    ...behindHosts(behind, { key: 'p', ns: `${name}-p`, name: 'priv', group: 'private', first: seg1 + 10, via: [main(1)] }),
    ...behindHosts(behind2, { key: 'q', ns: `${name}-q`, name: 'deep', group: 'deep', first: seg2 + 10, via: [main(1), formatIpv4(seg1 + 10)] }),
  ];
  return {
    vms,
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
    vmAddress: main,
  };
}

/** `count` VMs behind a jump host: KEY1…, at addresses from `first` on, reached through `via`. */
function behindHosts(count: number, o: { key: string; ns: string; name: string; group: LabVm['group']; first: number; via: string[] }): LabVm[] {
  return Array.from(
    { length: count },
    (_, k): LabVm => ({
      key: `${o.key}${k + 1}`,
      ns: `${o.ns}${k + 1}`,
      name: `${o.name}${k + 1}`,
      address: formatIpv4(o.first + k),
      group: o.group,
      via: [...o.via],
    }),
  );
}

/** The lab's default network index, from its name, so `lab up --name x` needs no other flag. */
export function defaultNet(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) % 100;
  return 150 + h;
}
