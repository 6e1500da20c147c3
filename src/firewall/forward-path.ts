import { type Cidr, familyOf, formatCidr } from '../address/family.js';
import { quoteArgv } from '../shell/quote.js';
import { IPTABLES } from './iptables.js';
import type { FirewallFacts } from './types.js';

/**
 * The forward path as iptables' filter table judges it: its FORWARD chain (Docker sets its policy
 * to DROP). Whichever backend writes cnet-remote's NAT rules, every firewall on the host judges
 * what the bridges route: this chain when iptables answers, and native nftables' forward chains
 * (nft-chains.ts). A rule accepting in one does not overrule a drop in another.
 */

/** A network whose forwarded traffic is judged: a bridge (by its name and subnet). */
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

/** How the FORWARD chain treats a network's routed traffic. */
export function forwardVerdict(facts: FirewallFacts, net: ForwardNet): ForwardVerdict {
  const cmd = IPTABLES[familyOf(net.subnet).name];
  return {
    ...(facts.forwardChain ? { policy: facts.forwardChain.policy } : {}),
    accepted: forwardAccepted(facts, net),
    drops: forwardDrops(facts, net).map((r) => ({ text: r.join(' '), fix: quoteArgv([cmd, '-D', 'FORWARD', ...r]) })),
  };
}

/** The commands that accept a bridge's traffic out, and the replies back. */
export function acceptFix(net: ForwardNet): string {
  const cmd = IPTABLES[familyOf(net.subnet).name];
  return [
    quoteArgv([cmd, '-I', 'FORWARD', '-i', net.name, '-j', 'ACCEPT']),
    quoteArgv([cmd, '-I', 'FORWARD', '-o', net.name, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']),
  ].join(' && ');
}

/** Flannel's answer to a FORWARD chain that drops: accept the supernet (a fabric's), from and to. */
export function acceptNetFix(c: Cidr): string {
  const cmd = IPTABLES[familyOf(c).name];
  const net = formatCidr(c);
  return [quoteArgv([cmd, '-I', 'FORWARD', '-s', net, '-j', 'ACCEPT']), quoteArgv([cmd, '-I', 'FORWARD', '-d', net, '-j', 'ACCEPT'])].join(' && ');
}
