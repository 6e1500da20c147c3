import type { NatRule } from './nat-rule.js';

/**
 * The firewall's facts, a part of a host's (facts/types.ts HostFacts): what firewall/parse-facts.ts
 * reads from the gather's "iptables", "iptables-failed", "nft-table", "nft-failed" and "nft"
 * sections, and all the backends (iptables.ts, nftables.ts), the choice between them (choose.ts)
 * and the forward-path checks read to plan, verify and diagnose. Below the facts stage, so that
 * the backends need nothing of it.
 */
export interface FirewallFacts {
  /** iptables' nat table, as `iptables-save` printed it */
  nat: NatFacts;
  /** undefined when iptables could not be read */
  forwardChain?: ForwardChainFacts;
  /** base chains of nftables tables other than iptables-nft's; absent when not read (or nft is absent: then empty) */
  nftChains?: NftChainFacts[];
  /** nftables: whether `nft` answered, and cnet-remote's own table; absent from facts recorded before nftables was read */
  nft?: NftFacts;
}

export interface NatFacts {
  /** iptables was found and answered */
  available: boolean;
  /** `iptables -t nat -S POSTROUTING` rules, tokenized (the leading `-A POSTROUTING` removed) */
  rules: string[][];
  error?: string;
  /**
   * the iptables the host runs, from iptables-save's header: `legacy` (the old x_tables) or
   * `nf_tables` (iptables-nft); undefined when it printed no table
   */
  variant?: 'legacy' | 'nf_tables';
  /** iptables-nft warned that iptables-legacy tables exist as well (rules it cannot show: Docker or kube-proxy on legacy) */
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
