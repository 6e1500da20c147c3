import { type Cidr, familyOf, formatCidr } from '../address/family.js';
import { quoteArgv } from '../shell/quote.js';
import { IPTABLES } from './iptables.js';
import type { FamilyName, FirewallFacts, ForwardChainFacts } from './types.js';

/**
 * The forward path as iptables' filter table judges it: its FORWARD chain (Docker sets its policy
 * to DROP), and for IPv6 ip6tables' own (Docker 27+ and Ubuntu 24.04's ufw set its policy to DROP
 * too). Whichever backend writes cnet-remote's NAT rules, every firewall on the host judges
 * what the bridges route: this chain when iptables answers, and native nftables' forward chains
 * (nft-chains.ts). A rule accepting in one does not overrule a drop in another. Each judgement is
 * of one family, the subnet's: an IPv4 net is judged by iptables' chain, an IPv6 one by ip6tables'.
 */

/** A network whose forwarded traffic is judged: a bridge (by its name and one family's subnet: the family judged). */
export interface ForwardNet {
  name: string;
  subnet: Cidr;
}

export interface ForwardVerdict {
  /** the chain's policy as iptables prints it (`ACCEPT`, `DROP`); undefined when the chain could not be read */
  policy?: string;
  /** accepted before the policy applies, or the policy accepts */
  accepted: boolean;
  /** the rules that drop it: as shown, and the command that deletes each */
  drops: { text: string; fix: string }[];
}

const DROPS = new Set(['DROP', 'REJECT']);

/** The family's FORWARD chain: iptables' for IPv4, ip6tables' for IPv6; undefined when it was not (or could not be) read. */
export const forwardChainOf = (facts: FirewallFacts, family: FamilyName = 'ipv4'): ForwardChainFacts | undefined =>
  family === 'ipv6' ? facts.forwardChain6 : facts.forwardChain;

const chainFor = (facts: FirewallFacts, net: ForwardNet) => forwardChainOf(facts, familyOf(net.subnet).name);

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

/** Forwarded traffic of this bridge (in its subnet's family) is accepted before the policy applies (Docker's own rules do this). */
export function forwardAccepted(facts: FirewallFacts, net: ForwardNet): boolean {
  const chain = chainFor(facts, net);
  if (!chain) return true;
  const accepts = chain.rules.filter((r) => touches(r, net) && target(r) === 'ACCEPT');
  return chain.policy === 'ACCEPT' || accepts.length > 0;
}

/** The FORWARD rules (of its subnet's family) that drop this bridge's traffic. */
export function forwardDrops(facts: FirewallFacts, net: ForwardNet): string[][] {
  return (chainFor(facts, net)?.rules ?? []).filter((r) => touches(r, net) && DROPS.has(target(r) ?? ''));
}

/** How the FORWARD chain of its subnet's family treats a network's routed traffic; the fixes with that family's command (`ip6tables -D FORWARD …`). */
export function forwardVerdict(facts: FirewallFacts, net: ForwardNet): ForwardVerdict {
  const cmd = IPTABLES[familyOf(net.subnet).name];
  const chain = chainFor(facts, net);
  return {
    ...(chain ? { policy: chain.policy } : {}),
    accepted: forwardAccepted(facts, net),
    drops: forwardDrops(facts, net).map((r) => ({ text: r.join(' '), fix: quoteArgv([cmd, '-D', 'FORWARD', ...r]) })),
  };
}

/** The commands that accept a bridge's traffic out, and the replies back: iptables for an IPv4 net, ip6tables for an IPv6 one. */
export function acceptFix(net: ForwardNet): string {
  const cmd = IPTABLES[familyOf(net.subnet).name];
  return [
    quoteArgv([cmd, '-I', 'FORWARD', '-i', net.name, '-j', 'ACCEPT']),
    quoteArgv([cmd, '-I', 'FORWARD', '-o', net.name, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']),
  ].join(' && ');
}

/** Flannel's answer to a FORWARD chain that drops: accept the supernet (a fabric's; ip6tables for supernet6), from and to. */
export function acceptNetFix(c: Cidr): string {
  const cmd = IPTABLES[familyOf(c).name];
  const net = formatCidr(c);
  return [quoteArgv([cmd, '-I', 'FORWARD', '-s', net, '-j', 'ACCEPT']), quoteArgv([cmd, '-I', 'FORWARD', '-d', net, '-j', 'ACCEPT'])].join(' && ');
}
