import type { FirewallFacts } from '../firewall/types.js';
import type { TxnFacts } from '../remote/journal.js';
import type { OwnedObject } from '../ownership/record.js';

/** An address's family, as `ip -json` names it. */
export type AddressFamilyName = 'inet' | 'inet6';

export interface AddressFact {
  family: AddressFamilyName;
  local: string;
  prefixlen: number;
  scope: string;
  /** IPv6: duplicate address detection has not finished (the address is not usable yet) */
  tentative?: true;
  /** IPv6: duplicate address detection found the address in use on the link (it stays unusable) */
  dadfailed?: true;
}

export interface LinkFact {
  ifindex: number;
  name: string;
  /** linkinfo.info_kind: "bridge", "veth", … (undefined for plain devices) */
  kind?: string;
  master?: string;
  /** administratively up (the UP flag) */
  up: boolean;
  operstate: string;
  alias?: string;
  /** link-layer address */
  mac?: string;
  /** veth: the peer's ifindex, and (peer in another namespace) the nsid of that namespace */
  peerIfindex?: number;
  peerNetnsId?: number;
  mtu?: number;
  /** a VXLAN device's parameters */
  vxlan?: VxlanFacts;
  /** its addresses: IPv4's, then IPv6's (link-local ones among them) */
  addresses: AddressFact[];
}

export interface VxlanFacts {
  id: number;
  port?: number;
  local?: string;
  /** the underlay device it is bound to */
  dev?: string;
}

/** A forwarding-database entry of a VXLAN device that sends to a remote VTEP (`dst`). */
export interface FdbEntry {
  mac: string;
  dst: string;
}

export interface RouteFact {
  family: AddressFamilyName;
  /** a prefix, a bare address (a host route), or `default` (0.0.0.0/0, ::/0) */
  dst: string;
  gateway?: string;
  dev?: string;
  table: string;
  type: string;
  protocol?: string;
}

/** One network namespace's links and routes (IPv4's, then IPv6's). */
export interface NetnsFacts {
  links: LinkFact[];
  routes: RouteFact[];
}

/** The way in: the SSH connection's addresses and the host's route back to the controller. */
export interface MgmtFacts {
  client: string;
  server: string;
  dev?: string;
}

/** Everything one round trip learns about a host (its firewall's part: the backend's, firewall/types.ts). */
export interface HostFacts extends FirewallFacts {
  root: NetnsFacts;
  /** namespaces that exist, with their nsid as seen from the root namespace (if assigned) */
  netns: Map<string, number | undefined>;
  /** facts of the namespaces asked about that exist */
  namespaces: Map<string, NetnsFacts>;
  ipForward: boolean;
  /** net.ipv6.conf.all.forwarding (absent: the host has no IPv6, or the output is from before the gather read it) */
  ip6Forward?: boolean;
  /** net.ipv6.conf.all.disable_ipv6 = 1 (absent as ip6Forward) */
  ipv6Disabled?: boolean;
  /** the root namespace's interfaces → their net.ipv6.conf.IF.accept_ra (absent as ip6Forward) */
  acceptRa?: Map<string, number>;
  /** br_netfilter loaded and bridge-nf-call-iptables = 1: bridged traffic passes iptables */
  brNetfilter?: boolean;
  /** the same for IPv6: bridge-nf-call-ip6tables = 1, bridged IPv6 traffic passes ip6tables */
  brNetfilter6?: boolean;
  record: OwnedObject[];
  /** VXLAN devices asked about → their remote entries (absent device: no key) */
  fdb?: Map<string, FdbEntry[]>;
  txn?: TxnFacts;
  /** the state folder (/run/cnet-remote) is not root's alone: what was found; record and journal were not read */
  untrustedState?: string;
  /** the host's last transaction (`ID WORD`, as TxnFacts.after) when the gather began: another one meanwhile, and these facts mix two states */
  txnAtStart?: string;
  mgmt?: MgmtFacts;
  /** the effective uid the gather ran as (0: root; absent: output from before the gather said) */
  uid?: number;
}

export function findLink(ns: NetnsFacts | undefined, name: string): LinkFact | undefined {
  return ns?.links.find((l) => l.name === name);
}
