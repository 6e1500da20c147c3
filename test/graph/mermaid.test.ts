import { describe, expect, it } from 'vitest';
import { graphModel } from '../../src/graph/model.js';
import { mermaidText, toMermaid } from '../../src/graph/mermaid.js';
import { inputs, inventory, inventoryText, liveInput, recordedFacts, SEED_PART2, SEED_PB_JELLY } from './helpers.js';
import { bothSeedsOnOneHost } from './seed-inputs.js';

describe('toMermaid', () => {
  it('seed part 2 on one host', () => {
    expect(toMermaid(graphModel(inputs(inventory(SEED_PART2), 1)))).toBe(
      [
        'flowchart LR',
        '  subgraph h0["vm1 (10.0.0.1)"]',
        '    direction LR',
        '    h0_br0["br0<br/>172.18.0.0/16<br/>gw 172.18.0.1"]',
        '    h0_ns0("container1<br/>172.18.0.2/16")',
        '    h0_ns1("container2<br/>172.18.0.3/16")',
        '    h0_up(("upstream"))',
        '    h0_br0 ---|"veth1 ↔ ceth1"| h0_ns0',
        '    h0_br0 ---|"veth2 ↔ ceth2"| h0_ns1',
        '    h0_br0 -->|"NAT"| h0_up',
        '  end',
        '',
      ].join('\n'),
    );
  });

  it('seed pb/jelly: every name, address, veth and the NAT', () => {
    const text = toMermaid(graphModel(inputs(inventory(SEED_PB_JELLY))));
    for (const s of ['subgraph h0["vm1 (10.0.0.1)"]', 'subgraph h1["vm2 (10.0.0.2)"]']) expect(text).toContain(s);
    expect(text).toContain('h0_br0["brd1<br/>172.19.0.0/24<br/>gw 172.19.0.1"]');
    expect(text).toContain('h0_ns0("jelly<br/>172.19.0.3/24")');
    expect(text).toContain('h0_ns1("pb<br/>172.19.0.2/24")');
    expect(text).toContain('h0_br0 ---|"bread-j-veth ↔ veth-jelly"| h0_ns0');
    expect(text).toContain('h0_br0 ---|"bread-pb-veth ↔ veth-pb"| h0_ns1');
    expect(text).toContain('h0_br0 -->|"NAT"| h0_up');
    expect(text).toContain('h1_br0 -->|"NAT"| h1_up');
    expect(text).not.toContain('classDef');
  });

  it('live: states as classes and link styles, what drifted in the labels', () => {
    const text = toMermaid(graphModel([liveInput(bothSeedsOnOneHost(), recordedFacts('drifted'))]));
    expect(text).toContain('classDef drift stroke:#e67e22,stroke-width:2px,stroke-dasharray:6 4,fill:#fff4e5,color:#1b1b1b');
    expect(text).toContain('classDef missing stroke:#c62828,stroke-width:2px,stroke-dasharray:4 4,fill:#fdecea,color:#c62828');
    expect(text).toContain('  class h0_br0,h0_ns0 ok\n  class h0_br1,h0_ns2,h0_ns3,h0_up drift\n  class h0_ns1 missing\n');
    // edges in order: 4 veths (veth2 is the second), then NAT br0, NAT brd1
    expect(text).toContain('  linkStyle 0,2,3,5 stroke:#2e7d32,stroke-width:2px\n  linkStyle 1,4 stroke:#c62828,stroke-width:2px,stroke-dasharray:4 4\n');
    expect(text).toContain('h0_br1["brd1<br/>172.19.0.0/24<br/>gw 172.19.0.1<br/>drift (state: DOWN)"]');
    expect(text).toContain('h0_ns3("pb<br/>172.19.0.2/24<br/>drift (default_route: none)")');
    expect(text).toContain('h0_ns1("container2<br/>172.18.0.3/16<br/>missing")');
    expect(text).toContain('h0_br0 -->|"NAT<br/>missing"| h0_up');
    expect(text).toContain('h0_up(("upstream<br/>drift (ip_forward: 0)"))');
  });

  it('converged: every node and link ok', () => {
    const text = toMermaid(graphModel([liveInput(bothSeedsOnOneHost(), recordedFacts('converged'))]));
    expect(text).toContain('  class h0_br0,h0_br1,h0_ns0,h0_ns1,h0_ns2,h0_ns3,h0_up ok\n  linkStyle 0,1,2,3,4,5 stroke:#2e7d32,stroke-width:2px\n');
    expect(text).not.toMatch(/class \S+ (drift|missing)/);
  });

  it('odd names: ids derived, labels quoted and escaped', () => {
    const inv = inventoryText(`
all:
  hosts:
    a.b-c_d: { ansible_host: 10.0.0.3 }
  vars:
    cnet:
      bridges:
        a.b-c_d: { subnet: 10.9.0.0/24, nat: false }
        end: { subnet: 10.8.0.0/24, nat: false }
      namespaces:
        a.b-c_d: { bridge: a.b-c_d, host_if: v.a-b_c, ns_if: e.a-b_c }
`);
    const text = toMermaid(graphModel([...inputs(inv), { name: 'we"b<1>|#x`', network: { bridges: [], namespaces: [] } }]));
    expect(text).toContain('  subgraph h0["a.b-c_d (10.0.0.3)"]');
    expect(text).toContain('    h0_br0["a.b-c_d<br/>10.9.0.0/24<br/>gw 10.9.0.1"]');
    expect(text).toContain('    h0_br1["end<br/>10.8.0.0/24<br/>gw 10.8.0.1"]');
    expect(text).toContain('    h0_br0 ---|"v.a-b_c ↔ e.a-b_c"| h0_ns0');
    expect(text).toContain('  subgraph h1["we#34;b#60;1#62;#124;#35;x#96;"]');
    expect(text).toContain('    h1_empty["no bridges"]');
    // every id (of a subgraph, a node, an edge's ends) is a plain word
    const ids = text
      .split('\n')
      .flatMap((line) => /^\s+(?:subgraph )?([^\s[("|]+)(?:.*\| (\S+))?/.exec(line)?.slice(1) ?? [])
      .filter((id): id is string => id !== undefined && !['direction', 'end'].includes(id));
    expect(ids).toEqual(['h0', 'h0_br0', 'h0_br1', 'h0_ns0', 'h0_br0', 'h0_ns0', 'h1', 'h1_empty']);
  });

  it('escapes what Mermaid would read as syntax', () => {
    expect(mermaidText('a"b#c&d<e>f|g`h[i]{j}\\k')).toBe('a#34;b#35;c#38;d#60;e#62;f#124;g#96;h#91;i#93;#123;j#125;#92;k');
    expect(mermaidText('a.b-c_d ↔ x')).toBe('a.b-c_d ↔ x');
  });
});
