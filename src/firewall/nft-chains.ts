import type { FirewallFacts, NftChainFacts } from './types.js';
import { quoteArgv } from '../shell/quote.js';

/**
 * Native nftables base chains: another firewall on the host (firewalld, a distribution's
 * nftables.conf) whose forward hook may drop what the bridges route, whatever backend
 * cnet-remote writes its own rules with. Read from the gather's "nft" section.
 */

/** iptables-nft keeps its own tables in nftables; they are read through `iptables-save` instead. */
const IPTABLES_TABLES = new Set(['ip filter', 'ip nat', 'ip mangle', 'ip raw', 'ip security']);

/** `nft -j list chains` → the base chains (those hooked into the kernel) of native nftables tables. */
export function parseNftChains(text: string): NftChainFacts[] {
  if (text.trim() === '') return [];
  const doc = JSON.parse(text) as { nftables?: { chain?: Partial<NftChainFacts> }[] };
  return (doc.nftables ?? [])
    .flatMap((e) => (e.chain?.hook ? [e.chain] : []))
    .filter((c) => !IPTABLES_TABLES.has(`${c.family} ${c.table}`))
    .map((c) => ({ family: c.family ?? '', table: c.table ?? '', name: c.name ?? '', hook: c.hook ?? '', policy: c.policy ?? 'accept' }));
}

/** Native nftables chains hooked on forward whose policy drops what no rule accepts. */
export function nftForwardDrops(facts: FirewallFacts): NftChainFacts[] {
  return (facts.nftChains ?? []).filter((c) => c.hook === 'forward' && c.policy === 'drop');
}

/** The commands that make such a chain accept a bridge's traffic out, and the replies back. */
export function nftAcceptFix(c: NftChainFacts, bridge: string): string {
  return [
    quoteArgv(['nft', 'insert', 'rule', c.family, c.table, c.name, 'iifname', bridge, 'accept']),
    quoteArgv(['nft', 'insert', 'rule', c.family, c.table, c.name, 'oifname', bridge, 'ct', 'state', 'related,established', 'accept']),
  ].join(' && ');
}
