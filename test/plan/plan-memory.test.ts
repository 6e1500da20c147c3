import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import { iptables } from '../../src/firewall/iptables.js';
import { nftables } from '../../src/firewall/nftables.js';
import { planUp, wantedOnHost } from '../../src/plan/plan.js';

// a full garbage collection on demand, so that what is measured is what stays reachable
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const HOSTS = 400;

/** HOSTS hosts on one segment and a routed fabric across all (a /24 each): every host routes the 399 others. */
function fabricOfMany(): string {
  const lines = ['all:', '  vars:', '    cnet:', '      fabric: { mode: routed, supernet: 10.128.0.0/14, host_prefix: 24 }'];
  lines.push('      namespaces:', '        db: { bridge: cnet0 }', '        web: { bridge: cnet0 }', '  hosts:');
  for (let i = 0; i < HOSTS; i++) lines.push(`    vm${i + 1}: { ansible_host: 10.239.${i >> 7}.${(i & 127) + 1} }`);
  return `${lines.join('\n')}\n`;
}

describe('planning a routed fabric keeps nothing of the hosts it planned', () => {
  it(`${HOSTS} hosts planned one after another, the inventory alive: the heap does not grow with them`, () => {
    const inventory = resolveInventory([parseSource('many.yaml', fabricOfMany())]);
    const empty = readFileSync(new URL('../fixtures/facts/empty.txt', import.meta.url), 'utf8');
    const routesOf = (i: number) => {
      const host = inventory.hosts[i]!;
      return planUp(host.network, parseFacts(empty, host.name)).steps.filter((s) => s.owns?.kind === 'route').length;
    };
    // the first hosts compile the planner's code: measured from after them
    for (let i = 0; i < 20; i++) expect(routesOf(i)).toBe(HOSTS - 1);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 20; i < HOSTS; i++) expect(routesOf(i)).toBe(HOSTS - 1);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // what a host's plan keeps, were it cached by network: ~140 bytes a peer route, 380 × 399 of them ≈ 20 MB
    expect(grown).toBeLessThan(4 * 2 ** 20);
  });
});

describe("a host's wanted sets (wantedOnHost): what its plan computed, its verification reuses", () => {
  it('each backend’s set computed once: the same set asked again; the other backend’s its own, wanting its own NAT', () => {
    const net = resolveInventory([parseSource('many.yaml', fabricOfMany())]).hosts[0]!.network;
    const wanted = wantedOnHost(net);
    const viaIptables = wanted(iptables);
    expect(wanted(iptables)).toBe(viaIptables);
    const viaNft = wanted(nftables);
    expect(wanted(nftables)).toBe(viaNft);
    expect(viaNft).not.toBe(viaIptables);
    expect([...viaIptables].filter((k) => k.startsWith('route ')).length).toBe(HOSTS - 1);
    expect([...viaNft].filter((k) => !viaIptables.has(k)).length).toBeGreaterThan(0);
  });
});
