import { familyOfText, type AddressFamily } from '../address/family.js';
import { natComment } from '../ownership/record.js';
import { type FirewallBackend, removalOf } from './backend.js';
import type { NatRule } from './nat-rule.js';
import type { FirewallFacts } from './types.js';

/** The command of each address family. */
export const IPTABLES: Record<AddressFamily['name'], string> = { ipv4: 'iptables' };

/**
 * Docker's shape, tagged: `-s SUBNET ! -o BRIDGE -m comment --comment cnet-remote:BRIDGE -j
 * MASQUERADE`; a fabric's bridge also leaves its supernet alone (`! -d SUPERNET`), as Flannel does.
 * Words in iptables-save's order, so that the rule read back compares equal.
 */
export function natRuleSpec(subnet: string, bridge: string, except?: string): string[] {
  return ['-s', subnet, ...(except ? ['!', '-d', except] : []), '!', '-o', bridge, '-m', 'comment', '--comment', natComment(bridge), '-j', 'MASQUERADE'];
}

const specOf = (r: NatRule): string[] => natRuleSpec(r.subnet, r.bridge, r.except);

/** Is the tagged MASQUERADE rule for this subnet and bridge among the host's NAT rules? */
export function hasNatRule(facts: FirewallFacts, r: NatRule): boolean {
  const spec = specOf(r).join(' ');
  return facts.nat.rules.some((x) => x.join(' ') === spec);
}

/** A POSTROUTING rule (iptables-save words) in exactly the shape cnet-remote writes, as the object it is. */
export function ourNatRule(words: string[]): NatRule | undefined {
  const at = (w: string) => words.indexOf(w);
  const subnet = words[at('-s') + 1];
  const bridge = words[at('-o') + 1];
  if (at('-s') < 0 || at('-o') < 0 || !subnet || !bridge) return undefined;
  const except = words[at('-d') - 1] === '!' && at('-d') > 0 ? words[at('-d') + 1] : undefined;
  return natRuleSpec(subnet, bridge, except).join(' ') === words.join(' ') ? { kind: 'nat', subnet, bridge, ...(except ? { except } : {}) } : undefined;
}

function natSteps(r: NatRule): { add: string[]; del: string[] } {
  const cmd = [IPTABLES[familyOfText(r.subnet).name], '-w', '-t', 'nat'];
  return { add: [...cmd, '-A', 'POSTROUTING', ...specOf(r)], del: [...cmd, '-D', 'POSTROUTING', ...specOf(r)] };
}

/** iptables (legacy or nf_tables): rules in the nat table's POSTROUTING chain, each deleted by its own words. */
export const iptables: FirewallBackend = {
  name: 'iptables',
  unusable: (facts) =>
    facts.nat.available
      ? undefined
      : `iptables is not usable on the host (${facts.nat.error || 'not found'}): install it (apt-get install iptables), or set cnet.firewall: nftables, or nat: false`,
  rule: ({ nftables: _, ...r }) => r,
  prepare: () => [],
  natSteps,
  has: (facts, o) => o.kind === 'nat' && hasNatRule(facts, o),
  owned: (facts) => facts.nat.rules.flatMap((words) => ourNatRule(words) ?? []),
  // it holds rules only: backendOf gives it no table
  removal: (o) => (o.kind === 'nat' ? removalOf(natSteps(o)) : { argv: [] }),
  without: (facts, removed) => {
    const gone = new Set(removed.flatMap((o) => (o.kind === 'nat' && !o.nftables ? [specOf(o).join(' ')] : [])));
    return { ...facts, nat: { ...facts.nat, rules: facts.nat.rules.filter((x) => !gone.has(x.join(' '))) } };
  },
};
