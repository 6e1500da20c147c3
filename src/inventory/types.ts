import type { Cidr } from './ipv4.js';
import type { SourceLocation } from '../errors.js';

export type HostKeyMode = 'strict' | 'accept-new' | 'off';

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
  /** ansible_ssh_common_args (+ ansible_ssh_extra_args): -J / -o ProxyJump=… and a few -o options */
  commonArgs?: string;
  /** ansible_become: run as `user` through sudo */
  become?: { user: string; password?: string };
}

export interface BridgeSpec {
  name: string;
  subnet: Cidr;
  /** the bridge's own address, the containers' gateway */
  address: string;
  nat: boolean;
}

export interface NamespaceSpec {
  name: string;
  bridge: string;
  address: string;
  /** the veth end in the host's root namespace, enslaved to the bridge */
  hostIf: string;
  /** the veth end inside the namespace */
  nsIf: string;
}

/** What one host should have, with defaults filled and addresses allocated. Sorted by name. */
export interface DesiredNetwork {
  bridges: BridgeSpec[];
  namespaces: NamespaceSpec[];
}

export interface ResolvedHost {
  name: string;
  groups: string[];
  connection: Connection;
  network: DesiredNetwork;
  /** cnet_probe_target: what namespaces on a NAT bridge ping as "upstream" */
  probeTarget?: string;
}

export interface Inventory {
  files: string[];
  hosts: ResolvedHost[];
  /** group name → host names (all groups, `all` and `ungrouped` included) */
  groups: Map<string, Set<string>>;
}

/** Where a value came from, for error messages. */
export type Located<T> = { value: T; loc: SourceLocation };
