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

/** `ip -json`'s name of an address's family. */
const inet = (address: string): 'inet' | 'inet6' => (address.includes(':') ? 'inet6' : 'inet');

/** Facts of a host that has exactly the desired network, both families (assess finds nothing in them). */
export function convergedFacts(network: DesiredNetwork): HostFacts {
  const lo = (): LinkFact => ({
    ifindex: 1,
    name: 'lo',
    up: true,
    operstate: 'UNKNOWN',
    addresses: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }],
  });
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
      addresses: b.nets.map((net) => ({ family: inet(net.address), local: net.address, prefixlen: net.subnet.prefix, scope: 'global' })),
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
          mac: macFor(n.addresses[0]!),
          peerIfindex: hostIndex,
          peerNetnsId: 0,
          addresses: bridge.nets.map((net, i) => ({ family: inet(net.address), local: n.addresses[i]!, prefixlen: net.subnet.prefix, scope: 'global' })),
        },
      ],
      routes: bridge.nets.map((net) => ({ family: inet(net.address), dst: 'default', gateway: net.address, dev: n.nsIf, table: 'main', type: 'unicast' })),
    });
  });
  const nets = network.bridges.flatMap((b) => b.nets.filter((net) => net.nat).map((net) => ({ b, net })));
  const rules = (family: 'inet' | 'inet6'): string[][] =>
    nets
      .filter(({ net }) => inet(net.address) === family)
      .map(({ b, net }) => natRuleSpec(formatCidr(net.subnet), b.name, net.natExcept ? formatCidr(net.natExcept) : undefined));
  const ipv6 = network.bridges.some((b) => b.nets.some((net) => inet(net.address) === 'inet6'));
  return {
    root,
    netns,
    namespaces,
    ipForward: true,
    nat: { available: true, rules: rules('inet') },
    ...(ipv6 ? { ip6Forward: true, nat6: { available: true, rules: rules('inet6') } } : {}),
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
    if (b.mtu === undefined) continue;
    link(b.name).mtu = b.mtu;
    for (const n of network.namespaces.filter((x) => x.bridge === b.name)) {
      link(n.hostIf).mtu = b.mtu;
      link(n.nsIf, n.name).mtu = b.mtu;
    }
  }
  const peers = f.peers;
  const route = (dst: string, via: { gateway?: string; dev: string }) => ({ family: 'inet' as const, dst, ...via, table: 'main', type: 'unicast' });
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
