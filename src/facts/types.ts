import type { OwnedObject } from '../ownership/record.js';

export interface AddressFact {
  local: string;
  prefixlen: number;
  scope: string;
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
  /** IPv4 addresses */
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
  dst: string;
  gateway?: string;
  dev?: string;
  table: string;
  type: string;
  protocol?: string;
}

/** One network namespace's links and IPv4 routes. */
export interface NetnsFacts {
  links: LinkFact[];
  routes: RouteFact[];
}

/**
 * The firewall's facts (nat, forwardChain, nftChains) are read by the firewall backend
 * (src/firewall/: iptables.ts parses the "iptables", "iptables-failed" and "nft" sections).
 */
export interface NatFacts {
  /** iptables was found and answered */
  available: boolean;
  /** `iptables -t nat -S POSTROUTING` rules, tokenized (the leading `-A POSTROUTING` removed) */
  rules: string[][];
  error?: string;
}

/** The filter table's FORWARD chain: what decides whether routed (and, with br_netfilter, bridged) traffic passes. */
export interface ForwardChainFacts {
  policy: string;
  rules: string[][];
}

/** A base chain of native nftables (not iptables-nft's own `ip filter`/`ip nat` tables). */
export interface NftChainFacts {
  family: string;
  table: string;
  name: string;
  hook: string;
  policy: string;
}

/** The host's last cnet-remote transaction, from its journal. */
export interface TxnFacts {
  id: string;
  pid: number;
  /** its runner still runs */
  alive: boolean;
  /** the journal's last word: begin, done, failed, rolledback, commit, armed, confirmed, reverted */
  state: string;
  /** who ran it: `cnet-remote up from user@host (pid N) since …` */
  holder?: string;
  /** `ID WORD` as the transaction script compares it: a plan made now applies only while it is still this */
  after: string;
}

/** The way in: the SSH connection's addresses and the host's route back to the controller. */
export interface MgmtFacts {
  client: string;
  server: string;
  dev?: string;
}

/** Everything one round trip learns about a host. */
export interface HostFacts {
  root: NetnsFacts;
  /** namespaces that exist, with their nsid as seen from the root namespace (if assigned) */
  netns: Map<string, number | undefined>;
  /** facts of the namespaces asked about that exist */
  namespaces: Map<string, NetnsFacts>;
  ipForward: boolean;
  nat: NatFacts;
  /** undefined when iptables could not be read */
  forwardChain?: ForwardChainFacts;
  /** base chains of nftables tables other than iptables-nft's; empty when nft is absent */
  nftChains?: NftChainFacts[];
  /** br_netfilter loaded and bridge-nf-call-iptables = 1: bridged traffic passes iptables */
  brNetfilter?: boolean;
  record: OwnedObject[];
  /** VXLAN devices asked about → their remote entries (absent device: no key) */
  fdb?: Map<string, FdbEntry[]>;
  txn?: TxnFacts;
  /** the state folder (/run/cnet-remote) is not root's alone: what was found; record and journal were not read */
  untrustedState?: string;
  /** the host's last transaction (`ID WORD`, as TxnFacts.after) when the gather began: another one meanwhile, and these facts mix two states */
  txnAtStart?: string;
  mgmt?: MgmtFacts;
}

export function findLink(ns: NetnsFacts | undefined, name: string): LinkFact | undefined {
  return ns?.links.find((l) => l.name === name);
}
