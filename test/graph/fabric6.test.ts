import { describe, expect, it } from 'vitest';
import { toDot } from '../../src/graph/dot.js';
import { toMermaid } from '../../src/graph/mermaid.js';
import { graphModel } from '../../src/graph/model.js';
import { inputs, inventoryText } from './helpers.js';

/** A dual-stack fabric of 3 hosts, routed over both families' underlay addresses. */
const inv = inventoryText(`all:
  vars:
    cnet:
      fabric: { mode: routed, supernet: 172.30.0.0/16, supernet6: fd00:30::/48 }
      namespaces:
        db: { bridge: cnet0 }
  hosts:
    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address6: "fd63::a" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address6: "fd63::b" }
    vm3: { ansible_host: 10.1.0.12, cnet_underlay_address6: "fd63::c" }
`);

describe('a dual-stack fabric in the graph', () => {
  const model = graphModel(inputs(inv));

  it('names both supernets, and each member both subnets and both underlay addresses', () => {
    expect(model.fabric!.supernet).toBe('172.30.0.0/16, fd00:30::/48');
    expect(model.fabric!.members.map((m) => [m.host, m.subnet, m.underlay])).toEqual([
      ['vm1', '172.30.0.0/24, fd00:30::/64', '10.1.0.10, fd63::a'],
      ['vm2', '172.30.1.0/24, fd00:30:0:1::/64', '10.1.0.11, fd63::b'],
      ['vm3', '172.30.2.0/24, fd00:30:0:2::/64', '10.1.0.12, fd63::c'],
    ]);
  });

  it('Mermaid and DOT show the IPv6 prefixes and the fabric bridge IPv6 gateway', () => {
    for (const text of [toMermaid(model), toDot(model)]) {
      expect(text).toContain('fd00:30::/48');
      expect(text).toContain('fd00:30:0:2::/64');
      expect(text).toContain('gw fd00:30:0:1::1');
    }
  });
});
