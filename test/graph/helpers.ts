import { readFileSync } from 'node:fs';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts, LinkFact } from '../../src/facts/types.js';
import type { GraphHostInput } from '../../src/graph/model.js';
import { formatCidr } from '../../src/inventory/ipv4.js';
import { loadInventory, resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { DesiredNetwork, Inventory } from '../../src/inventory/types.js';
import { TAG } from '../../src/ownership/record.js';
import { assess, macFor, natRuleSpec } from '../../src/plan/assess.js';
import type { Mismatch } from '../../src/report/result.js';

const here = (rel: string): string => new URL(rel, import.meta.url).pathname;

export const HOSTS = here('../fixtures/graph/hosts.yaml');
export const SEED_PART2 = here('../../inventories/seed-part2.yaml');
export const SEED_PB_JELLY = here('../../inventories/seed-pb-jelly.yaml');

/** The test hosts vm1 (10.0.0.1) and vm2 (10.0.0.2) with the given seeds. */
export function inventory(...seeds: string[]): Inventory {
  return loadInventory([HOSTS, ...seeds]);
}

/** Graph inputs of an inventory's hosts (all, or the first `count`), desired only. */
export function inputs(inv: Inventory, count = inv.hosts.length): GraphHostInput[] {
  return inv.hosts.slice(0, count).map((h) => ({ name: h.name, address: h.connection.address, network: h.network }));
}

/** An inventory from YAML text (names checked as for real inventories). */
export function inventoryText(text: string): Inventory {
  return resolveInventory([parseSource('graph.yaml', text)]);
}

export function recordedFacts(name: 'empty' | 'converged' | 'drifted'): HostFacts {
  return parseFacts(readFileSync(here(`../fixtures/facts/${name}.txt`), 'utf8'));
}

/** What `verify` reports: the assessment's findings without their repairs. */
export function mismatchesOf(network: DesiredNetwork, facts: HostFacts): Mismatch[] {
  return assess(network, facts).findings.map(({ path, desired, actual }) => ({ path, desired, actual }));
}

/** A graph input in live mode: facts, and the mismatches assessed from them. */
export function liveInput(input: GraphHostInput, facts: HostFacts): GraphHostInput {
  return { ...input, live: { facts, mismatches: mismatchesOf(input.network, facts) } };
}

/** Facts of a host that has exactly the desired network (assess finds nothing in them). */
export function convergedFacts(network: DesiredNetwork): HostFacts {
  const lo = (): LinkFact => ({ ifindex: 1, name: 'lo', up: true, operstate: 'UNKNOWN', addresses: [{ local: '127.0.0.1', prefixlen: 8, scope: 'host' }] });
  const root: HostFacts['root'] = { links: [lo()], routes: [] };
  let ifindex = 10;
  for (const b of network.bridges) {
    root.links.push({ ifindex: ifindex++, name: b.name, kind: 'bridge', up: true, operstate: 'UP', alias: TAG, addresses: [{ local: b.address, prefixlen: b.subnet.prefix, scope: 'global' }] });
  }
  const netns = new Map<string, number | undefined>();
  const namespaces = new Map<string, HostFacts['root']>();
  network.namespaces.forEach((n, nsid) => {
    const bridge = network.bridges.find((b) => b.name === n.bridge)!;
    const hostIndex = ifindex++;
    netns.set(n.name, nsid);
    root.links.push({ ifindex: hostIndex, name: n.hostIf, kind: 'veth', master: n.bridge, up: true, operstate: 'UP', alias: TAG, peerIfindex: 2, peerNetnsId: nsid, addresses: [] });
    namespaces.set(n.name, {
      links: [
        lo(),
        { ifindex: 2, name: n.nsIf, kind: 'veth', up: true, operstate: 'UP', alias: TAG, mac: macFor(n.address), peerIfindex: hostIndex, peerNetnsId: 0, addresses: [{ local: n.address, prefixlen: bridge.subnet.prefix, scope: 'global' }] },
      ],
      routes: [{ dst: 'default', gateway: bridge.address, dev: n.nsIf, table: 'main', type: 'unicast' }],
    });
  });
  return {
    root,
    netns,
    namespaces,
    ipForward: true,
    nat: { available: true, rules: network.bridges.filter((b) => b.nat).map((b) => natRuleSpec(formatCidr(b.subnet), b.name)) },
    record: [],
  };
}
