/**
 * What a mismatch is about, as data: the object (its kind, its name, and for a fabric's route or
 * forwarding entry the peer host it leads to) and the part of it that differs. Consumers (graph,
 * reports) read these fields; the dotted path (`bridges.br0.state`) is rendered from them here,
 * only for people and for `--json`, which has always carried it.
 */
export type FindingKind =
  /** a bridge the inventory names; `name`: the bridge */
  | 'bridge'
  /** a bridge's MASQUERADE rule; `name`: the bridge */
  | 'nat'
  /** a bridge's IPv6 MASQUERADE (NAT66) rule; `name`: the bridge */
  | 'nat6'
  /** a namespace the inventory names (with its veth pair, addresses, default route) */
  | 'namespace'
  /** net.ipv4.ip_forward; `name`: `ip_forward` */
  | 'ip_forward'
  /** net.ipv6.conf.all.forwarding; `name`: `ip6_forward` */
  | 'ip6_forward'
  /** net.ipv6.conf.DEV.accept_ra, raised to 2 so that forwarding keeps the router advertisements DEV learns its routes from; `name`: DEV */
  | 'accept_ra'
  /** a fabric's VXLAN device; `name`: the device */
  | 'vxlan'
  /** a fabric's route; `name`: its destination; `host`: the peer it leads to (none: the supernet onto the bridge) */
  | 'route'
  /** a VXLAN forwarding entry; `name`: its underlay address; `host`: the peer, when a member has that address */
  | 'fdb'
  /** what cnet-remote made and the inventory no longer names: a namespace, an interface, a NAT rule (`name`: its subnet), a route (`name`: its destination), ip_forward, its nftables table (`name`: `inet cnet_remote`) */
  | 'leftover-netns'
  | 'leftover-link'
  | 'leftover-nat'
  | 'leftover-route'
  | 'leftover-ip_forward'
  | 'leftover-ip6_forward'
  | 'leftover-accept_ra'
  | 'leftover-nft-table'
  /** after `down`: something of cnet-remote's still there; `name`: the command that would remove it */
  | 'owned';

export interface FindingObject {
  kind: FindingKind;
  name: string;
  host?: string;
}

/** One difference between the desired network and the host: `verify` prints it, `up` repairs it. */
export interface Mismatch {
  /** rendered from `object` and `part` by `mismatch()`: for people and `--json`, never read back */
  path: string;
  desired: string;
  actual: string;
  object: FindingObject;
  /** what of the object differs (`state`, `address`, `host_if.master`, …); `''`: the object itself */
  part: string;
}

/** The object's path: also what `checked` lists (one JUnit test case each). */
export function objectPath(o: FindingObject): string {
  switch (o.kind) {
    case 'bridge':
      return `bridges.${o.name}`;
    case 'nat':
      return `bridges.${o.name}.nat`;
    case 'nat6':
      return `bridges.${o.name}.nat6`;
    case 'namespace':
      return `namespaces.${o.name}`;
    case 'ip_forward':
      return 'ip_forward';
    case 'ip6_forward':
      return 'ip6_forward';
    case 'accept_ra':
      return `accept_ra.${o.name}`;
    case 'vxlan':
      return 'fabric.vxlan';
    case 'route':
      return o.host === undefined ? 'fabric.route' : `fabric.routes.${o.host}`;
    case 'fdb':
      return `fabric.fdb.${o.host ?? o.name}`;
    case 'leftover-netns':
      return `leftover.netns.${o.name}`;
    case 'leftover-link':
      return `leftover.link.${o.name}`;
    case 'leftover-nat':
      return `leftover.nat.${o.name}`;
    case 'leftover-route':
      return `leftover.route.${o.name}`;
    case 'leftover-ip_forward':
      return 'leftover.ip_forward';
    case 'leftover-ip6_forward':
      return 'leftover.ip6_forward';
    case 'leftover-accept_ra':
      return `leftover.accept_ra.${o.name}`;
    case 'leftover-nft-table':
      return 'leftover.nft_table';
    case 'owned':
      return 'owned';
  }
}

/** The dotted path of an object's part: `bridges.br0` + `state` → `bridges.br0.state`. */
export function findingPath(object: FindingObject, part: string): string {
  const base = objectPath(object);
  return part === '' ? base : `${base}.${part}`;
}

export function mismatch(object: FindingObject, part: string, desired: string, actual: string): Mismatch {
  return { path: findingPath(object, part), desired, actual, object, part };
}
