/**
 * The firewall's facts, a part of a host's (facts/types.ts HostFacts): what the backend
 * (iptables.ts) parses from the gather's "iptables", "iptables-failed" and "nft" sections, and
 * all it reads to plan, verify and diagnose. Below the facts stage, so that the backend needs
 * nothing of it.
 */
export interface FirewallFacts {
  nat: NatFacts;
  /** undefined when iptables could not be read */
  forwardChain?: ForwardChainFacts;
  /** base chains of nftables tables other than iptables-nft's; empty when nft is absent */
  nftChains?: NftChainFacts[];
}

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
