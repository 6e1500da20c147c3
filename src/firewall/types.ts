import type { AddressFamily } from '../address/family.js';
import type { NatRule } from './nat-rule.js';

/** An address family's name, as the firewall is asked about one (`unusable`, the forward-path judgements). */
export type FamilyName = AddressFamily['name'];

/**
 * The firewall's facts, a part of a host's (facts/types.ts HostFacts): what firewall/read-facts.ts
 * reads from the gather's "iptables", "iptables-failed", "ip6tables", "ip6tables-failed",
 * "nft-table", "nft-failed", "nft" and "firewalld" sections, and all the backends (iptables.ts,
 * nftables.ts), the choice between them (choose.ts) and the forward-path checks read to plan,
 * verify and diagnose. Below the facts stage, so that the backends need nothing of it.
 */
export interface FirewallFacts {
  /** iptables' nat table, as `iptables-save` printed it */
  nat: NatFacts;
  /** undefined when iptables could not be read */
  forwardChain?: ForwardChainFacts;
  /** ip6tables' nat table, as `ip6tables-save` printed it; absent when the gather did not read IPv6 (no "ip6tables" section) */
  nat6?: NatFacts;
  /** ip6tables' filter FORWARD chain; undefined when ip6tables was not read or could not be */
  forwardChain6?: ForwardChainFacts;
  /** base chains of nftables tables other than iptables-nft's; absent when not read (or nft is absent: then empty) */
  nftChains?: NftChainFacts[];
  /** nftables: whether `nft` answered, and cnet-remote's own table; absent from facts recorded before nftables was read */
  nft?: NftFacts;
  /** firewalld's zones, from its table `inet firewalld` (firewalld.ts); absent where that table does not exist */
  firewalld?: FirewalldFacts;
}

export interface NatFacts {
  /** iptables (for nat6: ip6tables) was found and answered */
  available: boolean;
  /** `iptables -t nat -S POSTROUTING` rules, tokenized (the leading `-A POSTROUTING` removed) */
  rules: string[][];
  error?: string;
  /**
   * the iptables the host runs, from iptables-save's header: `legacy` (the old x_tables) or
   * `nf_tables` (iptables-nft); undefined when it printed no table
   */
  variant?: 'legacy' | 'nf_tables';
  /** iptables-nft warned that iptables-legacy (ip6tables-legacy) tables exist as well (rules it cannot show: Docker or kube-proxy on legacy) */
  legacyTables?: boolean;
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

export interface NftFacts {
  /** `nft` was found and answered */
  available: boolean;
  /** why not */
  error?: string;
  /** cnet-remote's own table (nftables.ts TABLE), when it exists */
  table?: NftTableFacts;
}

/** cnet-remote's table: each chain, whether it holds no rule, and the NAT rule it holds when it is exactly one in cnet-remote's shape. */
export interface NftTableFacts {
  chains: { name: string; empty: boolean; rule?: NatRule }[];
  /** what else the table holds (sets, maps, …: `set NAME`): never cnet-remote's */
  others?: string[];
}

/**
 * firewalld (its nftables backend) as its table `inet firewalld` shows it: which zone forwarded
 * traffic entering by an interface or from a source is judged in (chain filter_FORWARD_ZONES,
 * first match wins, else the default zone), and how each zone's forward chain filter_FWD_ZONE
 * ends. Its base chain has policy accept but ends in `reject with icmpx admin-prohibited`.
 */
export interface FirewalldFacts {
  /** filter_FORWARD_ZONES's bindings in its order: an interface (`iifname`; a trailing `*` a wildcard), a source (`ip saddr` or `ip6 saddr` CIDR), or one this reader cannot judge (`other`: the rule's count) */
  bindings: FirewalldBinding[];
  /** the zone everything else falls to (the chain's last `goto`): firewalld's default zone */
  defaultZone?: string;
  zones: FirewalldZone[];
  /** filter_FORWARD_POLICIES_pre/post hold rules: policies between zones, not judged here */
  policies: boolean;
}

export type FirewalldBinding = { zone: string } & ({ interface: string } | { source: string } | { other: true });

export interface FirewalldZone {
  name: string;
  /** how its forward chain ends: `accept` (target ACCEPT, as trusted), `reject`, `drop`; undefined: it falls back to the base chain's reject */
  verdict?: 'accept' | 'reject' | 'drop';
  /** forwarding inside the zone (`<forward/>`, `--add-forward`): the interfaces (`oifname`) and sources (`ip daddr`, `ip6 daddr`) of the zone it accepts traffic toward */
  forwardTo: { interfaces: string[]; sources: string[] };
  /** rules in its forward chains this reader does not interpret (rich rules, forward ports, …): a reject is then not certain */
  other: number;
}
