import type { Cidr } from '../address/family.js';
import type { InventoryIssue, SourceLocation } from '../errors.js';

/**
 * StrictHostKeyChecking: `strict` (yes), `ask` (OpenSSH's default: a new host's key is confirmed
 * at a terminal, refused without one), `accept-new`, `off` (no).
 */
export type HostKeyMode = 'strict' | 'ask' | 'accept-new' | 'off';

/**
 * What the inventory says about reaching a host. Unset fields come from the user's ssh config,
 * then OpenSSH's defaults, when connecting (src/transport/target.ts).
 */
export interface Connection {
  /** what ssh is given: ansible_host, else the inventory name (also looked up in the ssh config) */
  address: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  /** ansible_password / CNET_SSH_PASSWORD: never printed */
  password?: string;
  hostKeyChecking?: HostKeyMode;
  knownHostsFile?: string;
  /** ansible_ssh_timeout, else ansible.cfg's timeout: seconds (Ansible passes ssh -o ConnectTimeout) */
  connectTimeout?: number;
  /** ansible_ssh_common_args (+ ansible_ssh_extra_args): -J / -o ProxyJump=… and a few -o options */
  commonArgs?: string;
  /** ansible_become: run as `user` through sudo */
  become?: { user: string; password?: string };
  /**
   * ansible_connection: local — the host is the controller itself: its scripts run in a local
   * `sh -s` (src/transport/local.ts), no SSH; the SSH fields above are then unused. Absent: SSH.
   */
  kind?: 'local';
}

/** A bridge's addressing in one family: its subnet, its own address (the containers' gateway) and whether its traffic out is masqueraded. */
export interface BridgeNet {
  subnet: Cidr;
  /** the bridge's own address, the containers' gateway, as `ip` prints it */
  address: string;
  nat: boolean;
  /** the fabric's bridge: traffic to the fabric's supernet is not masqueraded */
  natExcept?: Cidr;
}

export interface BridgeSpec {
  name: string;
  /** one per family it has (subnet, subnet6), in FAMILIES order: IPv4's first; never empty */
  nets: BridgeNet[];
  /** the fabric's bridge under VXLAN: the bridge and every veth on it get this MTU */
  mtu?: number;
}

export interface NamespaceSpec {
  name: string;
  bridge: string;
  /** its address in each of its bridge's nets, in their order, as `ip` prints them */
  addresses: string[];
  /** the veth end in the host's root namespace, enslaved to the bridge */
  hostIf: string;
  /** the veth end inside the namespace */
  nsIf: string;
}

/** Another member of the fabric, as this host needs to know it. */
export interface FabricPeer {
  host: string;
  /** its container subnet */
  subnet: Cidr;
  /** its address on the underlay (IPv4 or IPv6) */
  underlay: string;
  /** with supernet6: its IPv6 subnet, and (routed) the IPv6 address its IPv6 subnet is routed via */
  subnet6?: Cidr;
  underlay6?: string;
  /** a container of it to ping in cross-host probes (the first namespace on its fabric bridge), at each of its addresses */
  probe?: { ns: string; address: string; address6?: string };
}

export interface VxlanSpec {
  /** the VXLAN device's name */
  device: string;
  vni: number;
  /** UDP port */
  port: number;
  /** the underlay device it sends from (else the kernel's route to each peer decides) */
  dev?: string;
  /** the underlay MTU less the encapsulation (50 bytes over IPv4, 70 over IPv6) */
  mtu: number;
}

/**
 * The fleet-wide network this host is a member of (cnet.fabric): the supernet is split into one
 * subnet per host, carried by the fabric's bridge; `routed` gives a route to each peer's subnet
 * via its underlay address (Flannel's host-gw), `vxlan` joins the bridges over a VXLAN device
 * with the peers in its forwarding database (head-end replication, no multicast).
 */
export interface FabricSpec {
  mode: 'routed' | 'vxlan';
  supernet: Cidr;
  /** the fabric's bridge on this host (also among the bridges) */
  bridge: string;
  /** this host's container subnet */
  subnet: Cidr;
  /** this host's address on the underlay (IPv4 or IPv6: VXLAN runs over either) */
  underlay: string;
  /** the fabric's IPv6 addresses (cnet.fabric.supernet6) and this host's IPv6 subnet of them */
  supernet6?: Cidr;
  subnet6?: Cidr;
  /** a routed fabric with supernet6: this host's IPv6 underlay address */
  underlay6?: string;
  /**
   * every other member, in inventory order (the order the inventory first names hosts, not name
   * order: see FlatHost.order). Computed when read (resolve-fabric.ts): read it once per use.
   */
  peers: FabricPeer[];
  vxlan?: VxlanSpec;
}

/** `cnet.firewall`: which tool writes the host's NAT rules; `auto` (the default) picks per host (firewall/choose.ts). */
export const FIREWALL_SETTINGS = ['auto', 'nftables', 'iptables'] as const;
export type FirewallSetting = (typeof FIREWALL_SETTINGS)[number];

/** What one host should have, with defaults filled and addresses allocated. Sorted by name. */
export interface DesiredNetwork {
  bridges: BridgeSpec[];
  namespaces: NamespaceSpec[];
  fabric?: FabricSpec;
  /** absent: auto */
  firewall?: FirewallSetting;
}

export interface ResolvedHost {
  name: string;
  groups: string[];
  connection: Connection;
  network: DesiredNetwork;
  /** cnet_probe_target(6): what namespaces on a NAT bridge ping as "upstream", per family */
  probeTarget?: { ipv4?: string; ipv6?: string };
}

export interface Inventory {
  files: string[];
  /** how each file was read (loadInventory), for -v */
  formats?: { file: string; format: 'yaml' | 'ini' | 'json' | 'dynamic' | 'host list' }[];
  /** what Ansible would warn of too (a skipped key, a group that is not a mapping): reading went on */
  warnings?: InventoryIssue[];
  hosts: ResolvedHost[];
  /** group name → host names (all groups, `all` and `ungrouped` included) */
  groups: Map<string, Set<string>>;
}

/** Where a value came from, for error messages. */
export type Located<T> = { value: T; loc: SourceLocation };
