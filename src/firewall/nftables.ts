import { natComment } from '../ownership/record.js';
import { type FirewallBackend, type FirewallObject, removalOf } from './backend.js';
import { type NatRule, natFamily } from './nat-rule.js';
import { CHAIN_PREFIX, chainOf, NAT_PRIORITY, NFT_PROTOCOL, TABLE } from './nft-table.js';
import type { FirewallFacts } from './types.js';

/**
 * Native nftables: a table of cnet-remote's own, `inet cnet_remote`, with a base chain per NAT'ed
 * bridge and family (`nat_BRIDGE` for IPv4, `nat6_BRIDGE` for IPv6; type nat, hook postrouting,
 * srcnat's priority) holding its one MASQUERADE rule, commented `cnet-remote:BRIDGE` as the
 * iptables rule is. The inet table holds both families: one backend, one tool, for a dual-stack host. A chain per bridge, so that a rule
 * is added and removed by name (nftables deletes rules only by handle, which an undo planned
 * before the add cannot know). Each change is one `nft` command: one kernel transaction. The
 * table is created before the first rule and removed after the last; nothing outside it is
 * touched. No forward accept goes in it: nftables runs every base chain on a hook, and a drop in
 * another table's chain is final whatever ours accepts — the fix goes where the drop is
 * (forward-path.ts names it).
 */
const T = [TABLE.family, TABLE.name] as const;
const TABLE_OBJECT: FirewallObject = { kind: 'nft-table', family: TABLE.family, name: TABLE.name };

/** `ip saddr SUBNET [ip daddr != EXCEPT] oifname != "BRIDGE" masquerade comment "cnet-remote:BRIDGE"`; IPv6's `ip6 saddr …` */
function natRuleWords(r: NatRule): string[] {
  const ip = NFT_PROTOCOL[natFamily(r)];
  return [
    ip,
    'saddr',
    r.subnet,
    ...(r.except ? [ip, 'daddr', '!=', r.except] : []),
    'oifname',
    '!=',
    `"${r.bridge}"`,
    'masquerade',
    'comment',
    `"${natComment(r.bridge)}"`,
  ];
}

const sameRule = (a: NatRule, b: NatRule) => a.subnet === b.subnet && a.bridge === b.bridge && a.except === b.except;
const ourRules = (facts: FirewallFacts): NatRule[] => facts.nft?.table?.chains.flatMap((c) => c.rule ?? []) ?? [];
const ourChainName = (name: string): boolean => Object.values(CHAIN_PREFIX).some((p) => name.startsWith(p));
/** the table holds nothing but ours: rules of ours, and chains of our names (either family's) left empty (by a flush); no set, map or other object */
const tableIsOurs = (facts: FirewallFacts): boolean =>
  !facts.nft?.table?.others?.length && (facts.nft?.table?.chains.every((c) => c.rule || (c.empty && ourChainName(c.name))) ?? false);

export const nftables: FirewallBackend = {
  name: 'nftables',
  // nft writes both families into the one inet table: what it needs is the same for IPv6
  unusable: (facts) =>
    facts.nft?.available
      ? undefined
      : `nftables is not usable on the host (${facts.nft?.error || 'nft not found'}): install it (apt-get install nftables), or set cnet.firewall: iptables, or nat: false`,
  rule: (r) => ({ ...r, nftables: true }),
  prepare: (facts) => (facts.nft?.table ? [] : [{ argv: ['nft', 'add', 'table', ...T], undo: ['nft', 'delete', 'table', ...T], owns: TABLE_OBJECT }]),
  natSteps: (r) => {
    const chain = [...T, chainOf(r.bridge, natFamily(r))];
    return {
      // the chain made anew (one that drifted to another hook, type or priority cannot be changed in place), in one transaction
      add: [
        'nft',
        ...['add', 'chain', ...chain, ';', 'flush', 'chain', ...chain, ';', 'delete', 'chain', ...chain, ';'],
        ...['add', 'chain', ...chain, `{ type nat hook postrouting priority ${NAT_PRIORITY} ; policy accept ; }`, ';'],
        ...['add', 'rule', ...chain, ...natRuleWords(r)],
      ],
      // a chain goes only once empty: both in one transaction
      del: ['nft', 'flush', 'chain', ...chain, ';', 'delete', 'chain', ...chain],
    };
  },
  // the table is ours by its name, but removed only when all it holds is ours: another's chain in it stays, and so does the table
  has: (facts, o) => (o.kind === 'nft-table' ? tableIsOurs(facts) : ourRules(facts).some((r) => sameRule(r, o))),
  owned: (facts) => [...ourRules(facts), ...(tableIsOurs(facts) ? [TABLE_OBJECT] : [])],
  removal: (o) => (o.kind === 'nft-table' ? { argv: ['nft', 'delete', 'table', ...T] } : removalOf(nftables.natSteps(o))),
  without: (facts, removed) => {
    const table = facts.nft?.table;
    if (!table || !facts.nft) return facts;
    if (removed.some((o) => o.kind === 'nft-table')) return { ...facts, nft: { available: facts.nft.available } };
    const gone = new Set(removed.flatMap((o) => (o.kind === 'nat' && o.nftables ? [chainOf(o.bridge, natFamily(o))] : [])));
    return { ...facts, nft: { ...facts.nft, table: { ...table, chains: table.chains.filter((c) => !gone.has(c.name)) } } };
  },
};
