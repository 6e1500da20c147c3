import { type AddressFamily, type Cidr, familyOf, familyOfText, formatCidr } from '../address/family.js';
import type { FirewallFacts } from './types.js';
import { natComment } from '../ownership/record.js';
import { quoteArgv } from '../shell/quote.js';
import type { FirewallBackend, ForwardNet, ForwardVerdict, GatheredSections } from './backend.js';
import { forwardChain, natRules, parseIptablesSave } from './iptables-save.js';
import type { NatRule } from './nat-rule.js';
import { parseNftChains } from './nft-chains.js';

/** The command of each address family. */
const COMMAND: Record<AddressFamily['name'], string> = { ipv4: 'iptables' };

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

const DROPS = new Set(['DROP', 'REJECT']);

/** Does an iptables rule (words after `-A CHAIN`) name this bridge or its subnet? */
function touches(rule: string[], net: ForwardNet): boolean {
  const subnet = formatCidr(net.subnet);
  for (let i = 0; i < rule.length - 1; i++) {
    const [flag, value] = [rule[i], rule[i + 1]];
    if ((flag === '-i' || flag === '-o') && value === net.name && rule[i - 1] !== '!') return true;
    if ((flag === '-s' || flag === '-d') && value === subnet && rule[i - 1] !== '!') return true;
  }
  return false;
}

const target = (rule: string[]): string | undefined => rule[rule.indexOf('-j') + 1];

/** Forwarded traffic of this bridge is accepted before the policy applies (Docker's own rules do this). */
export function forwardAccepted(facts: FirewallFacts, net: ForwardNet): boolean {
  const chain = facts.forwardChain;
  if (!chain) return true;
  const accepts = chain.rules.filter((r) => touches(r, net) && target(r) === 'ACCEPT');
  return chain.policy === 'ACCEPT' || accepts.length > 0;
}

/** The FORWARD rules that drop this bridge's traffic. */
export function forwardDrops(facts: FirewallFacts, net: ForwardNet): string[][] {
  return (facts.forwardChain?.rules ?? []).filter((r) => touches(r, net) && DROPS.has(target(r) ?? ''));
}

export function acceptFix(net: ForwardNet): string {
  const cmd = COMMAND[familyOf(net.subnet).name];
  return [
    quoteArgv([cmd, '-I', 'FORWARD', '-i', net.name, '-j', 'ACCEPT']),
    quoteArgv([cmd, '-I', 'FORWARD', '-o', net.name, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']),
  ].join(' && ');
}

/** Flannel's answer to a FORWARD chain that drops: accept the supernet, from and to. */
function acceptNetFix(c: Cidr): string {
  const cmd = COMMAND[familyOf(c).name];
  const net = formatCidr(c);
  return [quoteArgv([cmd, '-I', 'FORWARD', '-s', net, '-j', 'ACCEPT']), quoteArgv([cmd, '-I', 'FORWARD', '-d', net, '-j', 'ACCEPT'])].join(' && ');
}

/**
 * The "iptables" section: `iptables-save`'s output, or (with "iptables-failed") why it failed;
 * "nft": `nft -j list chains`, for other firewalls' forward chains (nft-chains.ts).
 */
function parseFacts(s: GatheredSections) {
  const text = s.need('iptables');
  const saved = s.has('iptables-failed') ? undefined : parseIptablesSave(text);
  const nft = s.get('nft');
  return {
    nat: saved ? { available: true, rules: natRules(saved) } : { available: false, rules: [], error: text.trim() },
    ...(saved ? { forwardChain: forwardChain(saved) } : {}),
    ...(nft !== undefined ? { nftChains: s.parse('nft', nft, parseNftChains) } : {}),
  };
}

function forwardVerdict(facts: FirewallFacts, net: ForwardNet): ForwardVerdict {
  const cmd = COMMAND[familyOf(net.subnet).name];
  return {
    ...(facts.forwardChain ? { policy: facts.forwardChain.policy } : {}),
    accepted: forwardAccepted(facts, net),
    drops: forwardDrops(facts, net).map((r) => ({ text: r.join(' '), fix: quoteArgv([cmd, '-D', 'FORWARD', ...r]) })),
  };
}

/** iptables (legacy or nf_tables): rules in the nat table's POSTROUTING chain, the filter table's FORWARD chain. */
export const iptables: FirewallBackend = {
  name: 'iptables',
  sections: ['iptables', 'iptables-failed', 'nft'],
  parseFacts,
  unusable: (facts) =>
    facts.nat.available
      ? undefined
      : `iptables is not usable on the host (${facts.nat.error || 'not found'}): install it (apt-get install iptables) or set nat: false`,
  natSteps: (r) => {
    const cmd = [COMMAND[familyOfText(r.subnet).name], '-w', '-t', 'nat'];
    return { add: [...cmd, '-A', 'POSTROUTING', ...specOf(r)], del: [...cmd, '-D', 'POSTROUTING', ...specOf(r)] };
  },
  hasNat: hasNatRule,
  ownNat: (facts) => facts.nat.rules.flatMap((words) => ourNatRule(words) ?? []),
  withoutNat: (facts, removed) => {
    const gone = new Set(removed.map((r) => specOf(r).join(' ')));
    return { ...facts.nat, rules: facts.nat.rules.filter((x) => !gone.has(x.join(' '))) };
  },
  forwardVerdict,
  acceptFix,
  acceptNetFix,
};
