import { join } from 'node:path';
import { LabError } from '../errors.js';
import { formatIpv4 } from '../address/ipv4.js';
import { formatIpv6 } from '../address/ipv6.js';

/**
 * Names and addresses of a lab, all derived from its name and network index, so that two labs
 * (e.g. two test files) can exist side by side and `lab down` finds everything after a crash.
 *
 *   root namespace ── <name>-c 10.N.0.1/17 ──┐
 *                                             ├─ bridge "br" in <name>-sw (the lab switch)
 *   <name>-up  "upstream" 10.N.0.2/17 ────────┤   + the "internet" address 10.N.128.1 on its lo
 *   <name>-h1 … <name>-hK  "VMs" 10.N.0.10+ ──┘   default route via the upstream; own sshd
 *
 * Beside IPv4, every lab has an IPv6 unique local prefix of its own, fd63:6e65:74NN::/48 ("cnet"
 * in ASCII, then the network index N in hex): reserving 10.N.0.0/16 reserves it too. Each IPv4
 * segment is a /64 of it, its subnet ID the third octet of the segment's first IPv4 address
 * (the main segment 0, the upstream's "internet" 80, the segments behind bastions a0 and b0),
 * and an address's interface ID is the IPv4 address's offset in its segment: vm1 10.N.0.10 is
 * fd63:6e65:74NN::a, the "internet" 10.N.128.1 is fd63:6e65:74NN:80::1, priv1 10.N.160.10 is
 * fd63:6e65:74NN:a0::a.
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
  /** the lab's IPv6 prefix (fd63:6e65:74NN::/48): each segment a /64 of it */
  network6: string;
  controllerAddress6: string;
  upstreamAddress6: string;
  internetAddress6: string;
  /** the IPv6 segments' prefix length */
  prefix6: number;
  /** whether the lab has its IPv6 addresses (false on a machine without IPv6, and for labs made before IPv6) */
  ipv6: boolean;
  /** the address family the inventory reaches the VMs over (`lab up --reach`) */
  reach: LabReach;
  vmNs(i: number): string;
  vmName(i: number): string;
  vmAddress(i: number): string;
  vmAddress6(i: number): string;
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
  address6: string;
  group: 'lab' | 'private' | 'deep';
  /** addresses of the bastions to jump through, in order */
  via: string[];
  /** their IPv6 addresses */
  via6: string[];
}

/** How the controller (and so the inventory) reaches the VMs: their IPv4 or their IPv6 addresses. */
export type LabReach = 'ipv4' | 'ipv6';
export const LAB_REACH: readonly LabReach[] = ['ipv4', 'ipv6'];

/** The address the inventory gives a VM (`ansible_host`) and its bastions', as the lab's reach says. */
export function reachOf(plan: Pick<LabPlan, 'reach'>, v: LabVm): { address: string; via: string[] } {
  return plan.reach === 'ipv6' ? { address: v.address6, via: v.via6 } : { address: v.address, via: v.via };
}

/** The lab's IPv6 prefix: fd63:6e65:74NN::/48, N the lab's network index. */
export function labNetwork6(net: number): string {
  return `${labAddress6(net, 0, 0)}/48`;
}

/** The IPv6 segments, by the third octet of their IPv4 segment's first address. */
const SEGMENT6 = { main: 0x0, internet: 0x80, behind: 0xa0, behind2: 0xb0 } as const;

const SEGMENT_OF: Record<LabVm['group'], number> = { lab: SEGMENT6.main, private: SEGMENT6.behind, deep: SEGMENT6.behind2 };

/** The lab's IPv6 address in `segment` with interface ID `host`: fd63:6e65:74NN:SEGMENT::HOST. */
export function labAddress6(net: number, segment: number, host: number): string {
  return formatIpv6((0xfd636e6574n << 88n) | (BigInt(net) << 80n) | (BigInt(segment) << 64n) | BigInt(host));
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
  const main6 = (i: number) => labAddress6(net, SEGMENT6.main, 9 + i);
  const priv6 = (k: number) => labAddress6(net, SEGMENT6.behind, 10 + k);
  const vms: LabVm[] = [
    ...Array.from(
      { length: hosts },
      (_, k): LabVm => ({
        key: `h${k + 1}`,
        ns: `${name}-h${k + 1}`,
        name: `vm${k + 1}`,
        address: main(k + 1),
        address6: main6(k + 1),
        group: 'lab',
        via: [],
        via6: [],
      }),
    ),
    ...behindHosts(behind, {
      key: 'p',
      ns: `${name}-p`,
      name: 'priv',
      group: 'private',
      first: seg1 + 10,
      address6: priv6,
      via: [main(1)],
      via6: [main6(1)],
    }),
    ...behindHosts(behind2, {
      key: 'q',
      ns: `${name}-q`,
      name: 'deep',
      group: 'deep',
      first: seg2 + 10,
      address6: (k) => labAddress6(net, SEGMENT6.behind2, 10 + k),
      via: [main(1), formatIpv4(seg1 + 10)],
      via6: [main6(1), priv6(0)],
    }),
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
    network6: labNetwork6(net),
    controllerAddress6: labAddress6(net, SEGMENT6.main, 1),
    upstreamAddress6: labAddress6(net, SEGMENT6.main, 2),
    internetAddress6: labAddress6(net, SEGMENT6.internet, 1),
    prefix6: 64,
    ipv6: true,
    reach: 'ipv4',
    vmNs: (i) => `${name}-h${i}`,
    vmName: (i) => `vm${i}`,
    vmAddress: main,
    vmAddress6: main6,
  };
}

/** The IPv6 segment (a /64) of a group's VMs: the main segment's, or the one behind a bastion. */
export function labSubnet6(net: number, group: LabVm['group']): string {
  return `${labAddress6(net, SEGMENT_OF[group], 0)}/64`;
}

/** The IPv6 address of a bastion segment's gateway (the bastion's second leg, `eth1`): its segment's ::1. */
export function segmentGateway6(net: number, group: 'private' | 'deep'): string {
  return labAddress6(net, SEGMENT_OF[group], 1);
}

/** `count` VMs behind a jump host: KEY1…, at addresses from `first` on (IPv6: `address6(k)`), reached through `via`. */
function behindHosts(
  count: number,
  o: { key: string; ns: string; name: string; group: LabVm['group']; first: number; address6: (k: number) => string; via: string[]; via6: string[] },
): LabVm[] {
  return Array.from(
    { length: count },
    (_, k): LabVm => ({
      key: `${o.key}${k + 1}`,
      ns: `${o.ns}${k + 1}`,
      name: `${o.name}${k + 1}`,
      address: formatIpv4(o.first + k),
      address6: o.address6(k),
      group: o.group,
      via: [...o.via],
      via6: [...o.via6],
    }),
  );
}

/** The lab's default network index, from its name, so `lab up --name x` needs no other flag. */
export function defaultNet(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) % 100;
  return 150 + h;
}
