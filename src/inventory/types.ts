import type { Cidr } from './ipv4.js';
import type { SourceLocation } from '../errors.js';

export type HostKeyMode = 'strict' | 'accept-new' | 'off';

export interface Connection {
  address: string;
  port: number;
  user: string;
  /** undefined: the default keys in ~/.ssh and the ssh-agent */
  privateKeyFile?: string;
  hostKeyChecking: HostKeyMode;
  knownHostsFile: string;
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
