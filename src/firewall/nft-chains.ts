import { quoteArgv } from '../shell/quote.js';
import type { FamilyName, FirewallFacts, NftChainFacts } from './types.js';

/**
 * Native nftables base chains: another firewall on the host (firewalld, a distribution's
 * nftables.conf) whose forward hook may drop what the bridges route, whatever backend
 * cnet-remote writes its own rules with. Read from the gather's "nft" section.
 */

/** iptables-nft (ip6tables-nft) keeps its own tables in nftables; they are read through `iptables-save` (`ip6tables-save`) instead. */
const IPTABLES_TABLES = new Set(['ip', 'ip6'].flatMap((f) => ['filter', 'nat', 'mangle', 'raw', 'security'].map((t) => `${f} ${t}`)));

/**
 * The nftables families whose forward hook sees a family's traffic: its own (`ip`, `ip6`),
 * `inet` (both), `bridge` (bridged frames, whatever they carry); never the other IP family's.
 */
const JUDGING: Record<FamilyName, ReadonlySet<string>> = { ipv4: new Set(['ip', 'inet', 'bridge']), ipv6: new Set(['ip6', 'inet', 'bridge']) };

/** `nft -j list chains` → the base chains (those hooked into the kernel) of native nftables tables. */
export function parseNftChains(text: string): NftChainFacts[] {
  if (text.trim() === '') return [];
  const doc = JSON.parse(text) as { nftables?: { chain?: Partial<NftChainFacts> }[] };
  return (doc.nftables ?? [])
    .flatMap((e) => (e.chain?.hook ? [e.chain] : []))
    .filter((c) => !IPTABLES_TABLES.has(`${c.family} ${c.table}`))
    .map((c) => ({ family: c.family ?? '', table: c.table ?? '', name: c.name ?? '', hook: c.hook ?? '', policy: c.policy ?? 'accept' }));
}

/** Native nftables chains hooked on forward, judging this family's traffic (default IPv4), whose policy drops what no rule accepts. */
export function nftForwardDrops(facts: FirewallFacts, family: FamilyName = 'ipv4'): NftChainFacts[] {
  return (facts.nftChains ?? []).filter((c) => c.hook === 'forward' && c.policy === 'drop' && JUDGING[family].has(c.family));
}

/** The commands that make such a chain accept a bridge's traffic out, and the replies back (by interface: the same words in a chain of any family). */
export function nftAcceptFix(c: NftChainFacts, bridge: string): string {
  return [
    quoteArgv(['nft', 'insert', 'rule', c.family, c.table, c.name, 'iifname', bridge, 'accept']),
    quoteArgv(['nft', 'insert', 'rule', c.family, c.table, c.name, 'oifname', bridge, 'ct', 'state', 'related,established', 'accept']),
  ].join(' && ');
}
