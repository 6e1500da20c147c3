import { readFileSync } from 'node:fs';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts, LinkFact } from '../../src/facts/types.js';
import type { GraphHostInput } from '../../src/graph/model.js';
import { formatCidr } from '../../src/address/family.js';
import { loadInventory, resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { DesiredNetwork, Inventory } from '../../src/inventory/types.js';
import { TAG } from '../../src/ownership/record.js';
import { assess, macFor } from '../../src/plan/assess.js';
import { natRuleSpec } from '../../src/firewall/iptables.js';
import type { Mismatch } from '../../src/result/finding.js';

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
  return assess(network, facts).findings.map(({ fix: _, ...m }) => m);
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
    root.links.push({
      ifindex: ifindex++,
      name: b.name,
      kind: 'bridge',
      up: true,
      operstate: 'UP',
      alias: TAG,
      addresses: [{ local: b.address, prefixlen: b.subnet.prefix, scope: 'global' }],
    });
  }
  const netns = new Map<string, number | undefined>();
  const namespaces = new Map<string, HostFacts['root']>();
  network.namespaces.forEach((n, nsid) => {
    const bridge = network.bridges.find((b) => b.name === n.bridge)!;
    const hostIndex = ifindex++;
    netns.set(n.name, nsid);
    root.links.push({
      ifindex: hostIndex,
      name: n.hostIf,
      kind: 'veth',
      master: n.bridge,
      up: true,
      operstate: 'UP',
      alias: TAG,
      peerIfindex: 2,
      peerNetnsId: nsid,
      addresses: [],
    });
    namespaces.set(n.name, {
      links: [
        { ...lo(), alias: TAG },
        {
          ifindex: 2,
          name: n.nsIf,
          kind: 'veth',
          up: true,
          operstate: 'UP',
          alias: TAG,
          mac: macFor(n.address),
          peerIfindex: hostIndex,
          peerNetnsId: 0,
          addresses: [{ local: n.address, prefixlen: bridge.subnet.prefix, scope: 'global' }],
        },
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

export const FABRIC_ROUTED = here('../../inventories/fabric-routed.yaml');
export const FABRIC_VXLAN = here('../../inventories/fabric-vxlan.yaml');

/**
 * `count` hosts vm1, vm2, … at 10.1.0.10, 10.1.0.11, … (in memory) with a fabric inventory, as
 * `cnet-remote graph HOSTS.yaml inventories/fabric-*.yaml` reads them.
 */
export function fabricInventory(file: string, count = 3): Inventory {
  const hosts = Array.from({ length: count }, (_, i) => `    vm${i + 1}: { ansible_host: 10.1.${Math.floor((10 + i) / 256)}.${(10 + i) % 256} }`);
  return resolveInventory([parseSource('hosts.yaml', `all:\n  hosts:\n${hosts.join('\n')}\n`), parseSource(file, readFileSync(file, 'utf8'))]);
}

/** Facts of a fabric member that has exactly the desired network, fabric included: its routes, or its VXLAN device and forwarding entries. */
export function convergedFabricFacts(network: DesiredNetwork): HostFacts {
  const facts = convergedFacts(network);
  const f = network.fabric!;
  const link = (name: string, ns?: string) => (ns === undefined ? facts.root : facts.namespaces.get(ns)!).links.find((l) => l.name === name)!;
  for (const b of network.bridges) {
    if (b.natExcept)
      facts.nat.rules = facts.nat.rules.map((r) =>
        r.join(' ') === natRuleSpec(formatCidr(b.subnet), b.name).join(' ') ? natRuleSpec(formatCidr(b.subnet), b.name, formatCidr(b.natExcept!)) : r,
      );
    if (b.mtu === undefined) continue;
    link(b.name).mtu = b.mtu;
    for (const n of network.namespaces.filter((x) => x.bridge === b.name)) {
      link(n.hostIf).mtu = b.mtu;
      link(n.nsIf, n.name).mtu = b.mtu;
    }
  }
  const peers = f.peers;
  const route = (dst: string, via: { gateway?: string; dev: string }) => ({ dst, ...via, table: 'main', type: 'unicast' });
  if (f.vxlan) {
    const v = f.vxlan;
    facts.root.links.push({
      ifindex: 99,
      name: v.device,
      kind: 'vxlan',
      master: f.bridge,
      up: true,
      operstate: 'UNKNOWN',
      alias: TAG,
      mtu: v.mtu,
      vxlan: { id: v.vni, port: v.port, local: f.underlay },
      addresses: [],
    });
    facts.fdb = new Map([[v.device, peers.map((p) => ({ mac: '00:00:00:00:00:00', dst: p.underlay }))]]);
    facts.root.routes.push(route(formatCidr(f.supernet), { dev: f.bridge }));
  } else {
    for (const p of peers) facts.root.routes.push(route(formatCidr(p.subnet), { gateway: p.underlay, dev: 'eth0' }));
  }
  return facts;
}
