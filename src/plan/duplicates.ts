import type { HostFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import type { DesiredNetwork } from '../inventory/types.js';
import { mismatch, type Mismatch } from '../result/finding.js';

/** Who holds each address (IPv4 or IPv6) on a bridge: the bridge itself and the namespaces (read) whose veth is its port. */
function holders(bridge: string, facts: HostFacts): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (address: string, who: string) => out.set(address, [...(out.get(address) ?? []), who]);
  for (const a of findLink(facts.root, bridge)?.addresses ?? []) if (a.scope !== 'link') add(a.local, bridge);
  for (const [name, ns] of facts.namespaces) {
    const nsid = facts.netns.get(name);
    for (const l of ns.links) {
      const port = facts.root.links.find(
        (r) => r.kind === 'veth' && r.ifindex === l.peerIfindex && (nsid === undefined || r.peerNetnsId === undefined || r.peerNetnsId === nsid),
      );
      if (port?.master !== bridge) continue;
      for (const a of l.addresses) if (a.scope !== 'link') add(a.local, name);
    }
  }
  return out;
}

/** An address used twice on one of the inventory's bridges (`verify` names it: the two answer ARP in turn). */
export function duplicateAddresses(desired: DesiredNetwork, facts: HostFacts): Mismatch[] {
  return desired.bridges.flatMap((b) =>
    [...holders(b.name, facts)]
      .filter(([, who]) => who.length > 1)
      .map(([address, who]) => mismatch({ kind: 'bridge', name: b.name }, 'addresses', `${address} used once`, `${address} used by ${who.join(' and ')}`)),
  );
}

/** Addresses the inventory gives its namespaces that a namespace it does not name already uses on the same bridge. */
export function addressClashes(desired: DesiredNetwork, facts: HostFacts): string[] {
  const named = new Set(desired.namespaces.map((n) => n.name));
  return desired.namespaces.flatMap((n) => {
    const held = holders(n.bridge, facts);
    return n.addresses.flatMap((address) => {
      const others = (held.get(address) ?? []).filter((who) => who !== n.name && !named.has(who));
      return others.length ? [`${address} of namespace ${n.name} is still used on ${n.bridge} by ${others.join(' and ')}`] : [];
    });
  });
}
