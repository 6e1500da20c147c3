import { familyOfText } from '../address/family.js';
import { natComment } from '../ownership/record.js';
import { type FirewallBackend, removalOf } from './backend.js';
import { type NatRule, natFamily } from './nat-rule.js';
import type { FamilyName, FirewallFacts, NatFacts } from './types.js';

/** The command of each address family: ip6tables for IPv6, with the same words (its own tables). */
export const IPTABLES: Record<FamilyName, string> = { ipv4: 'iptables', ipv6: 'ip6tables' };

/** The nat table of the family's iptables: IPv6's absent when the gather did not read it. */
export const natFactsOf = (facts: FirewallFacts, family: FamilyName): NatFacts | undefined => (family === 'ipv6' ? facts.nat6 : facts.nat);

/**
 * Docker's shape, tagged: `-s SUBNET ! -o BRIDGE -m comment --comment cnet-remote:BRIDGE -j
 * MASQUERADE`; a fabric's bridge also leaves its supernet alone (`! -d SUPERNET`), as Flannel does.
 * Words in iptables-save's order (ip6tables-save's are the same), so that the rule read back compares equal.
 */
export function natRuleSpec(subnet: string, bridge: string, except?: string): string[] {
  return ['-s', subnet, ...(except ? ['!', '-d', except] : []), '!', '-o', bridge, '-m', 'comment', '--comment', natComment(bridge), '-j', 'MASQUERADE'];
}

const specOf = (r: NatRule): string[] => natRuleSpec(r.subnet, r.bridge, r.except);

/** Is the tagged MASQUERADE rule for this subnet and bridge among the host's NAT rules (of its family's iptables)? */
export function hasNatRule(facts: FirewallFacts, r: NatRule): boolean {
  const spec = specOf(r).join(' ');
  return (natFactsOf(facts, natFamily(r))?.rules ?? []).some((x) => x.join(' ') === spec);
}

/**
 * A POSTROUTING rule (iptables-save words) in exactly the shape cnet-remote writes, as the object
 * it is; read from the family's iptables (default IPv4), its addresses must be that family's, so
 * that its removal goes to the tool that holds it.
 */
export function ourNatRule(words: string[], family: FamilyName = 'ipv4'): NatRule | undefined {
  const at = (w: string) => words.indexOf(w);
  const subnet = words[at('-s') + 1];
  const bridge = words[at('-o') + 1];
  if (at('-s') < 0 || at('-o') < 0 || !subnet || !bridge) return undefined;
  const except = words[at('-d') - 1] === '!' && at('-d') > 0 ? words[at('-d') + 1] : undefined;
  if ([subnet, ...(except ? [except] : [])].some((a) => familyOfText(a).name !== family)) return undefined;
  return natRuleSpec(subnet, bridge, except).join(' ') === words.join(' ') ? { kind: 'nat', subnet, bridge, ...(except ? { except } : {}) } : undefined;
}

function natSteps(r: NatRule): { add: string[]; del: string[] } {
  const cmd = [IPTABLES[natFamily(r)], '-w', '-t', 'nat'];
  return { add: [...cmd, '-A', 'POSTROUTING', ...specOf(r)], del: [...cmd, '-D', 'POSTROUTING', ...specOf(r)] };
}

/** Why the family's iptables cannot take NAT rules, with what to do. */
function unusable(facts: FirewallFacts, family: FamilyName = 'ipv4'): string | undefined {
  const nat = natFactsOf(facts, family);
  const cmd = IPTABLES[family];
  // the gather reads ip6tables only when asked for IPv6 (or the record holds an IPv6 object)
  if (!nat) return `${cmd} was not read on the host (the facts were gathered without IPv6): IPv6 NAT cannot be planned from them`;
  if (nat.available) return undefined;
  const pkg = family === 'ipv6' ? 'iptables, which holds ip6tables' : 'iptables';
  return `${cmd} is not usable on the host (${nat.error || 'not found'}): install it (apt-get install ${pkg}), or set cnet.firewall: nftables, or ${family === 'ipv6' ? 'nat6' : 'nat'}: false`;
}

/**
 * iptables (legacy or nf_tables): rules in the nat table's POSTROUTING chain, each deleted by its
 * own words; IPv6's with ip6tables, in its own nat table.
 */
export const iptables: FirewallBackend = {
  name: 'iptables',
  unusable,
  rule: ({ nftables: _, ...r }) => r,
  prepare: () => [],
  natSteps,
  has: (facts, o) => o.kind === 'nat' && hasNatRule(facts, o),
  owned: (facts) => [
    ...facts.nat.rules.flatMap((words) => ourNatRule(words, 'ipv4') ?? []),
    ...(facts.nat6?.rules ?? []).flatMap((words) => ourNatRule(words, 'ipv6') ?? []),
  ],
  // it holds rules only: backendOf gives it no table
  removal: (o) => (o.kind === 'nat' ? removalOf(natSteps(o)) : { argv: [] }),
  without: (facts, removed) => {
    const gone = (family: FamilyName) =>
      new Set(removed.flatMap((o) => (o.kind === 'nat' && !o.nftables && natFamily(o) === family ? [specOf(o).join(' ')] : [])));
    const left = (nat: NatFacts, family: FamilyName): NatFacts => {
      const g = gone(family);
      return { ...nat, rules: nat.rules.filter((x) => !g.has(x.join(' '))) };
    };
    return { ...facts, nat: left(facts.nat, 'ipv4'), ...(facts.nat6 ? { nat6: left(facts.nat6, 'ipv6') } : {}) };
  },
};
