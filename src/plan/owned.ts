import type { HostFacts, NetnsFacts } from '../facts/types.js';
import type { FirewallFacts } from '../firewall/types.js';
import { findLink } from '../facts/types.js';
import { ipv4 } from '../address/ipv4.js';
import { ipv6 } from '../address/ipv6.js';
import { acceptRaKey, forwardingOn, forwardObject } from './assess-forwarding.js';
import { BACKENDS, backendOf } from '../firewall/choose.js';
import { formatOwned, TAG, type OwnedObject } from '../ownership/record.js';
import { routeMatches, routesTo } from './assess-fabric.js';
import type { Step } from './step.js';

/**
 * What on a host is cnet-remote's: what its record lists and still carries its mark, and what
 * carries its mark though the record lost it. The marks: the alias `cnet-remote` on an interface
 * (a namespace: on its `lo`), the comment `cnet-remote:BRIDGE` on a NAT rule in cnet-remote's
 * exact shape (in iptables or in nftables, whichever backend is chosen now), the name of its
 * nftables table (holding nothing but ours). A namespace whose `lo` lacks the mark is another's, even with our name — unless
 * the record lists it and an interface inside carries the mark (made by a version before the
 * `lo` mark). Routes, forwarding and accept_ra switches carry no mark: the record alone speaks for them.
 */
export const ownedKey = formatOwned;

/** A namespace (its facts gathered) that cnet-remote made. */
export function namespaceIsOurs(name: string, facts: HostFacts): boolean {
  const ns = facts.namespaces.get(name);
  if (!ns || !facts.netns.has(name)) return false;
  return namespaceMarked(ns) || (facts.record.some((o) => o.kind === 'netns' && o.name === name) && ns.links.some((l) => l.alias === TAG));
}

export const namespaceMarked = (ns: NetnsFacts): boolean => findLink(ns, 'lo')?.alias === TAG;

/** Is the object there, and cnet-remote's (see above)? */
function presentAndOurs(o: OwnedObject, facts: HostFacts): boolean {
  switch (o.kind) {
    case 'netns':
      return namespaceIsOurs(o.name, facts);
    case 'link':
      return findLink(facts.root, o.name)?.alias === TAG;
    case 'nat':
    case 'nft-table':
      return backendOf(o).has(facts, o);
    case 'route':
      return routesTo(facts, o.dst).some((r) => routeMatches(r, o.via ? { via: o.via } : { dev: o.dev ?? '' }));
    case 'forward':
      return forwardingOn(facts, o.family === 'ipv6' ? ipv6 : ipv4) === true;
    case 'accept-ra':
      return facts.acceptRa?.get(o.dev) === 2;
  }
}

/** Everything on the host that is cnet-remote's, in a stable order (the record's first). */
export function ownedOnHost(facts: HostFacts): OwnedObject[] {
  const out = new Map<string, OwnedObject>();
  const add = (o: OwnedObject) => out.has(ownedKey(o)) || out.set(ownedKey(o), o);
  for (const o of facts.record) if (presentAndOurs(o, facts)) add(o);
  for (const l of facts.root.links) if (l.alias === TAG) add({ kind: 'link', name: l.name });
  for (const b of BACKENDS) for (const o of b.owned(facts)) add(o);
  for (const name of facts.namespaces.keys()) if (namespaceIsOurs(name, facts)) add({ kind: 'netns', name });
  return [...out.values()];
}

/** The step that removes an object of ours (and takes it off the record at commit). */
export function removalStep(o: OwnedObject, facts: HostFacts, reason: string): Step {
  switch (o.kind) {
    case 'nat':
    case 'nft-table': {
      const { argv, undo } = backendOf(o).removal(o);
      return { phase: o.kind === 'nat' ? 'del-nat' : 'del-nft-table', argv, reason, disowns: o, ...(undo ? { undo } : {}) };
    }
    case 'route': {
      const target = o.via ? ['via', o.via] : ['dev', o.dev ?? ''];
      return { phase: 'del-route', argv: ['ip', 'route', 'del', o.dst, ...target], reason, disowns: o, undo: ['ip', 'route', 'replace', o.dst, ...target] };
    }
    case 'netns':
      return { phase: 'del-netns', argv: ['ip', 'netns', 'del', o.name], reason, disowns: o };
    case 'link':
      return {
        phase: findLink(facts.root, o.name)?.kind === 'veth' ? 'del-veth' : 'del-bridge',
        argv: ['ip', 'link', 'del', 'dev', o.name],
        reason,
        disowns: o,
      };
    case 'forward':
    case 'accept-ra': {
      const key = o.kind === 'forward' ? (o.family === 'ipv6' ? ipv6 : ipv4).forwarding.sysctl : acceptRaKey(o.dev);
      const now = o.kind === 'forward' ? '1' : '2';
      return {
        phase: 'del-forward',
        argv: ['sysctl', '-w', `${key}=${o.from}`],
        reason: `${reason}: up had changed it`,
        disowns: o,
        undo: ['sysctl', '-w', `${key}=${now}`],
      };
    }
  }
}

/**
 * The host as it will be once these objects are removed: what the planner compares the inventory
 * with when `up` also removes what the inventory no longer names (a veth whose namespace goes
 * goes with it; a bridge's ports lose their master).
 */
export function afterRemoval(facts: HostFacts, removed: OwnedObject[]): HostFacts {
  if (removed.length === 0) return facts;
  const gone = new Set(removed.map(ownedKey));
  const netnsGone = new Set(removed.flatMap((o) => (o.kind === 'netns' ? [o.name] : [])));
  const nsidsGone = new Set([...netnsGone].map((n) => facts.netns.get(n)).filter((id): id is number => id !== undefined));
  const linksGone = facts.root.links.filter(
    (l) => gone.has(ownedKey({ kind: 'link', name: l.name })) || (l.kind === 'veth' && l.peerNetnsId !== undefined && nsidsGone.has(l.peerNetnsId)),
  );
  const linkNames = new Set(linksGone.map((l) => l.name));
  const firewallGone = removed.flatMap((o) => (o.kind === 'nat' || o.kind === 'nft-table' ? [o] : []));
  const nsid = (name: string) => facts.netns.get(name);
  const namespaces = new Map<string, NetnsFacts>();
  for (const [name, ns] of facts.namespaces) {
    if (netnsGone.has(name)) continue;
    // the peers of removed veths, in this namespace
    const peersGone = linksGone.filter((l) => l.peerNetnsId !== undefined && l.peerNetnsId === nsid(name)).map((l) => l.peerIfindex);
    namespaces.set(name, { ...ns, links: ns.links.filter((l) => !peersGone.includes(l.ifindex)) });
  }
  return {
    ...facts,
    root: {
      links: facts.root.links.filter((l) => !linkNames.has(l.name)).map((l) => (l.master && linkNames.has(l.master) ? { ...l, master: undefined } : l)),
      routes: facts.root.routes.filter(
        (r) =>
          !removed.some((o) => o.kind === 'route' && r.dst === o.dst && routeMatches(r, o.via ? { via: o.via } : { dev: o.dev ?? '' })) &&
          !(r.dev && linkNames.has(r.dev)),
      ),
    },
    netns: new Map([...facts.netns].filter(([name]) => !netnsGone.has(name))),
    namespaces,
    ...BACKENDS.reduce((f, b) => b.without(f, firewallGone), facts as FirewallFacts),
    ipForward: facts.ipForward && !gone.has(ownedKey(forwardObject(ipv4))),
    ...(facts.ip6Forward !== undefined ? { ip6Forward: facts.ip6Forward && !gone.has(ownedKey(forwardObject(ipv6))) } : {}),
    ...(facts.acceptRa
      ? { acceptRa: new Map([...facts.acceptRa].map(([dev, v]) => [dev, gone.has(ownedKey({ kind: 'accept-ra', dev, from: '1' })) ? 1 : v])) }
      : {}),
    record: facts.record.filter((o) => !gone.has(ownedKey(o))),
  };
}

/** What the record lists once the steps have run: what is ours now, less what they remove, plus what they create. */
export function recordAfter(facts: HostFacts, steps: Step[]): OwnedObject[] {
  const removed = new Set(steps.flatMap((s) => (s.disowns ? [ownedKey(s.disowns)] : [])));
  const out = new Map<string, OwnedObject>();
  for (const o of ownedOnHost(facts)) if (!removed.has(ownedKey(o))) out.set(ownedKey(o), o);
  for (const s of steps) if (s.owns) out.set(ownedKey(s.owns), s.owns);
  return [...out.values()];
}
