import type { Cidr } from '../address/family.js';
import type { NatRule } from './nat-rule.js';
import type { FirewallFacts, NatFacts } from './types.js';

/**
 * A firewall backend: how cnet-remote's NAT rules are written, read back and removed, and how the
 * host's forward path is judged, for one firewall tool (iptables today, nftables next). Planning,
 * verification, diagnosis and the graph ask it (through `firewall`, chosen in choose.ts) and never
 * build a firewall command or read a firewall's rules themselves.
 */
export interface FirewallBackend {
  /** the tool, as messages name it */
  readonly name: string;
  /** the gather script's sections it reads */
  readonly sections: readonly string[];
  /** its sections of the gathered text → the facts' firewall fields */
  parseFacts(sections: GatheredSections): FirewallFacts;
  /** why NAT cannot be planned on this host (a conflict to report, with what to do), if it cannot */
  unusable(facts: FirewallFacts): string | undefined;
  /** the command that adds the rule and the one that deletes it (each the other's undo) */
  natSteps(rule: NatRule): { add: string[]; del: string[] };
  /** is exactly this rule among the host's? */
  hasNat(facts: FirewallFacts, rule: NatRule): boolean;
  /** the host's rules in exactly the shape cnet-remote writes (marked as ours: removed by `down`) */
  ownNat(facts: FirewallFacts): NatRule[];
  /** the NAT facts once these rules are removed */
  withoutNat(facts: FirewallFacts, removed: NatRule[]): NatFacts;
  /** how the forward chain treats a network's routed traffic */
  forwardVerdict(facts: FirewallFacts, net: ForwardNet): ForwardVerdict;
  /** the commands that accept a bridge's traffic out, and the replies back */
  acceptFix(net: ForwardNet): string;
  /** the commands that accept a network (a fabric's supernet), from and to */
  acceptNetFix(net: Cidr): string;
}

/** A network whose forwarded traffic is judged: a bridge (by its name and subnet). */
export interface ForwardNet {
  name: string;
  subnet: Cidr;
}

export interface ForwardVerdict {
  /** the chain's policy as the tool prints it (`ACCEPT`, `DROP`); undefined when the chain could not be read */
  policy?: string;
  /** accepted before the policy applies, or the policy accepts */
  accepted: boolean;
  /** the rules that drop it: as shown, and the command that deletes each */
  drops: { text: string; fix: string }[];
}

/** The gathered text's sections, as parse-facts.ts reads them (its errors name the host and section). */
export interface GatheredSections {
  get(name: string): string | undefined;
  has(name: string): boolean;
  /** the section, or a FactsError: the gather did not finish */
  need(name: string): string;
  /** `fn(body)`, or a FactsError naming the section that did not parse */
  parse<T>(name: string, body: string, fn: (text: string) => T): T;
}
