import type { HostFacts } from '../facts/types.js';
import { natComment, type OwnedObject } from '../ownership/record.js';

/**
 * Docker's shape, tagged: `-s SUBNET ! -o BRIDGE -m comment --comment cnet-remote:BRIDGE -j
 * MASQUERADE`; a fabric's bridge also leaves its supernet alone (`! -d SUPERNET`), as Flannel does.
 * Words in iptables-save's order, so that the rule read back compares equal.
 */
export function natRuleSpec(subnet: string, bridge: string, except?: string): string[] {
  return ['-s', subnet, ...(except ? ['!', '-d', except] : []), '!', '-o', bridge, '-m', 'comment', '--comment', natComment(bridge), '-j', 'MASQUERADE'];
}

/** Is the tagged MASQUERADE rule for this subnet and bridge among the host's NAT rules? */
export function hasNatRule(facts: HostFacts, subnet: string, bridge: string, except?: string): boolean {
  const spec = natRuleSpec(subnet, bridge, except).join(' ');
  return facts.nat.rules.some((r) => r.join(' ') === spec);
}

/** A POSTROUTING rule (iptables-save words) in exactly the shape cnet-remote writes, as the object it is. */
export function ourNatRule(words: string[]): Extract<OwnedObject, { kind: 'nat' }> | undefined {
  const at = (w: string) => words.indexOf(w);
  const subnet = words[at('-s') + 1];
  const bridge = words[at('-o') + 1];
  if (at('-s') < 0 || at('-o') < 0 || !subnet || !bridge) return undefined;
  const except = words[at('-d') - 1] === '!' && at('-d') > 0 ? words[at('-d') + 1] : undefined;
  return natRuleSpec(subnet, bridge, except).join(' ') === words.join(' ') ? { kind: 'nat', subnet, bridge, ...(except ? { except } : {}) } : undefined;
}
