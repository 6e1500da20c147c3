import type { OwnedObject } from '../ownership/record.js';
import type { NatRule } from './nat-rule.js';
import type { FamilyName, FirewallFacts } from './types.js';

/** What a firewall backend owns on a host: NAT rules, and (nftables) the table that holds them. */
export type FirewallObject = Extract<OwnedObject, { kind: 'nat' | 'nft-table' }>;

/** A command and the one that takes it back. */
export interface FirewallCommand {
  argv: string[];
  undo?: string[];
}

/** A rule's removal: its delete, taken back by its add. */
export const removalOf = ({ add, del }: { add: string[]; del: string[] }): FirewallCommand => ({ argv: del, undo: add });

/**
 * A firewall backend: how cnet-remote's NAT rules are written, read back and removed with one
 * firewall tool (iptables.ts: the nat table's POSTROUTING chain, ip6tables' for IPv6; nftables.ts: a
 * table of its own, holding both families).
 * Each host gets one (choose.ts); what is ours in either is found and removed whichever is chosen.
 * Planning, verification and the graph ask it and never build a firewall command or read a
 * firewall's rules themselves. How the host's forward path treats the bridges' traffic is not a
 * backend's: every firewall on the host judges it (forward-path.ts).
 */
export interface FirewallBackend {
  /** the tool, as messages, `-v` and `--json` name it */
  readonly name: 'iptables' | 'nftables';
  /**
   * why NAT of this address family (default IPv4) cannot be planned on this host (with what to
   * do), if it cannot: ask it for each family the host's NAT'ed bridges have (IPv6: `nat6`)
   */
  unusable(facts: FirewallFacts, family?: FamilyName): string | undefined;
  /** the rule as this backend holds it (the object the record lists) */
  rule(rule: NatRule): NatRule;
  /** what must exist before rules can be added (nftables: its table, when absent), each owned */
  prepare(facts: FirewallFacts): (FirewallCommand & { owns: FirewallObject })[];
  /** the command that adds the rule and the one that deletes it (each the other's undo), for the rule's family (its subnet's) */
  natSteps(rule: NatRule): { add: string[]; del: string[] };
  /** is this object of the backend's on the host, and ours? */
  has(facts: FirewallFacts, o: FirewallObject): boolean;
  /** everything of ours in this backend on the host, both families: rules in exactly the shape cnet-remote writes, and their container */
  owned(facts: FirewallFacts): FirewallObject[];
  /** the command that removes an object of ours (rules before their table: see plan/step.ts phases) */
  removal(o: FirewallObject): FirewallCommand;
  /** the firewall facts once these objects are removed */
  without(facts: FirewallFacts, removed: FirewallObject[]): FirewallFacts;
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
