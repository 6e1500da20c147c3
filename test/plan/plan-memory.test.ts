import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import { planUp } from '../../src/plan/plan.js';

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
