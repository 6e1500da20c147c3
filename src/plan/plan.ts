import { firewallFor, forwardObject, learnsFromRa } from './assess-forwarding.js';
import { ipv6 } from '../address/ipv6.js';
import type { HostFacts } from '../facts/types.js';
import type { FirewallBackend } from '../firewall/backend.js';
import type { FirewallChoice } from '../firewall/choose.js';
import { describeNat } from '../firewall/nat-rule.js';
import type { DesiredNetwork } from '../inventory/types.js';
import type { OwnedObject } from '../ownership/record.js';
import { mismatch, type FindingObject } from '../result/finding.js';
import { assess, type Finding } from './assess.js';
import { addressClashes } from './duplicates.js';
import { guardConflicts } from './guard.js';
import { withPrivilege } from './privilege.js';
import { afterRemoval, ownedKey, ownedOnHost, recordAfter, removalStep } from './owned.js';
import { sortSteps, type Step } from './step.js';

export interface UpPlan {
  steps: Step[];
  /** what differs from the inventory (what `up` repairs), the leftovers among them when pruning */
  findings: Finding[];
  /** objects of cnet-remote's the inventory no longer names (removed by `up` unless --no-prune) */
  leftovers: Finding[];
  /** reasons the plan cannot be applied without touching what is not ours */
  conflicts: string[];
  /** what the record lists once the steps have run */
  record: OwnedObject[];
  /** the backend that writes the host's NAT rules, and why (for `-v` and `--json`) */
  firewall: FirewallChoice;
}

/** An empty host: what the inventory makes on it is everything it wants to own. */
const NOTHING: HostFacts = {
  root: { links: [], routes: [] },
  netns: new Map(),
  namespaces: new Map(),
  ipForward: false,
  ip6Forward: false,
  nat: { available: true, rules: [] },
  nat6: { available: true, rules: [] },
  nft: { available: true },
  record: [],
};

const describe = (o: OwnedObject): { object: FindingObject; what: string } => {
  switch (o.kind) {
    case 'netns':
      return { object: { kind: 'leftover-netns', name: o.name }, what: `namespace ${o.name}` };
    case 'link':
      return { object: { kind: 'leftover-link', name: o.name }, what: `interface ${o.name}` };
    case 'nat':
      return { object: { kind: 'leftover-nat', name: o.subnet }, what: describeNat(o) };
    case 'route':
      return { object: { kind: 'leftover-route', name: o.dst }, what: `route ${o.dst} ${o.via ? `via ${o.via}` : `dev ${o.dev}`}` };
    case 'forward':
      return o.family === 'ipv6'
        ? { object: { kind: 'leftover-ip6_forward', name: 'ip6_forward' }, what: 'net.ipv6.conf.all.forwarding=1' }
        : { object: { kind: 'leftover-ip_forward', name: 'ip_forward' }, what: 'ip_forward=1' };
    case 'accept-ra':
      return { object: { kind: 'leftover-accept_ra', name: o.dev }, what: `accept_ra=2 on ${o.dev}` };
    case 'nft-table':
      return { object: { kind: 'leftover-nft-table', name: `${o.family} ${o.name}` }, what: `nftables table ${o.family} ${o.name}` };
  }
};

/** A route the inventory still wants to its destination is repaired in place (replaced), not a leftover. */
const wantedKey = (o: OwnedObject): string => (o.kind === 'route' ? `route ${o.dst}` : ownedKey(o));

/** What the inventory makes on a host, by firewall backend: everything it wants to own. */
export type Wanted = (firewall: FirewallBackend) => Set<string>;

/**
 * The wanted sets of one host's network, each computed once per backend. One host's operation
 * holds it (`up` plans, then verifies with the same), never the run: cached by network for the
 * run, every host's set would stay (a key per peer route in a routed fabric: N² in all, 133 MB at
 * 1,000 hosts; bench/README.md).
 */
export function wantedOnHost(desired: DesiredNetwork): Wanted {
  const byBackend = new Map<string, Set<string>>();
  return (firewall) => {
    let wanted = byBackend.get(firewall.name);
    if (!wanted) {
      wanted = new Set(assess(desired, NOTHING, firewall).findings.flatMap((f) => f.fix.flatMap((s) => (s.owns ? [wantedKey(s.owns)] : []))));
      byBackend.set(firewall.name, wanted);
    }
    return wanted;
  };
}

/**
 * What is cnet-remote's on the host (its record and marks) and the inventory no longer wants: a
 * namespace renamed, a bridge whose subnet changed (its old NAT rule), `nat: false` (the rules,
 * ip_forward). Each with the step that removes it.
 */
export function leftovers(
  desired: DesiredNetwork,
  facts: HostFacts,
  firewall = firewallFor(desired, facts).backend,
  wantedOf: Wanted = wantedOnHost(desired),
): Finding[] {
  const wanted = wantedOf(firewall);
  // accept_ra raised for IPv6 forwarding stays while that is wanted and the interface still learns routes from RAs
  const forwards6 = wanted.has(wantedKey(forwardObject(ipv6)));
  return ownedOnHost(facts)
    .filter((o) => !wanted.has(wantedKey(o)) && !(o.kind === 'accept-ra' && forwards6 && learnsFromRa(facts, o.dev)))
    .map((o) => {
      const { object, what } = describe(o);
      return {
        ...mismatch(object, '', 'absent', `${what} (made by cnet-remote; the inventory no longer names it)`),
        fix: [removalStep(o, facts, 'the inventory no longer names it')],
      };
    });
}

/**
 * The pure planner for `up`: only what is missing or different; nothing when converged. With
 * `prune` (the default), what is ours and no longer wanted is removed first, and the rest is
 * planned against the host as it will be then. `wanted`: the host's, to share with its verification.
 */
export function planUp(desired: DesiredNetwork, facts: HostFacts, opts: { prune?: boolean; wanted?: Wanted } = {}): UpPlan {
  const prune = opts.prune ?? true;
  // chosen once, on the host as it is: removing leftovers never changes where the rules go
  const firewall = firewallFor(desired, facts);
  const left = leftovers(desired, facts, firewall.backend, opts.wanted);
  const removals = prune ? sortSteps(left.flatMap((f) => f.fix)) : [];
  const base = afterRemoval(
    facts,
    removals.flatMap((s) => (s.disowns ? [s.disowns] : [])),
  );
  const { findings, conflicts } = assess(desired, base, firewall.backend);
  const steps = [...removals, ...sortSteps(findings.flatMap((f) => f.fix))];
  // with --no-prune, a leftover may still hold an address the inventory now gives another namespace
  const clashes = prune ? [] : addressClashes(desired, base).map((c) => `${c}, a leftover of cnet-remote's: run up without --no-prune to remove it`);
  return {
    steps,
    findings: prune ? [...left, ...findings] : findings,
    leftovers: left,
    conflicts: withPrivilege(facts, steps.length, [...conflicts, ...guardConflicts(desired, base, steps), ...clashes], firewall.backend),
    record: recordAfter(facts, steps),
    firewall,
  };
}

/**
 * The pure planner for `down`: removes what is cnet-remote's (its record's objects that still
 * carry its mark, and what carries the mark though the record lost it), and nothing else.
 */
export function planDown(facts: HostFacts): Step[] {
  return sortSteps(ownedOnHost(facts).map((o) => removalStep(o, facts, 'made by up')));
}

/** After `down`: what was cnet-remote's and is still there — should be nothing. */
export function remaining(record: OwnedObject[], after: HostFacts): string[] {
  return planDown({ ...after, record }).map((s) => s.argv.join(' '));
}
