import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dotString, toDot } from '../../src/graph/dot.js';
import { graphModel } from '../../src/graph/model.js';
import { inputs, inventory, inventoryText, liveInput, recordedFacts, SEED_PART2, SEED_PB_JELLY } from './helpers.js';
import { bothSeeds, bothSeedsOnOneHost, ODD_NAMES } from './seed-inputs.js';

const hasDot = spawnSync('dot', ['-V']).status === 0;

describe('toDot', () => {
  it('seed part 2 on one host', () => {
    expect(toDot(graphModel(inputs(inventory(SEED_PART2), 1)))).toBe(
      [
        'digraph cnet {',
        '  rankdir=LR;',
        '  fontname="sans-serif";',
        '  node [fontname="sans-serif", fontsize=11];',
        '  edge [fontname="sans-serif", fontsize=10];',
        '  subgraph cluster_h0 {',
        '    label="vm1 (10.0.0.1)";',
        '    h0_br0 [shape=box, label="br0\\n172.18.0.0/16\\ngw 172.18.0.1"];',
        '    h0_ns0 [shape=box, label="container1\\n172.18.0.2/16", style="rounded"];',
        '    h0_ns1 [shape=box, label="container2\\n172.18.0.3/16", style="rounded"];',
        '    h0_up [shape=ellipse, label="upstream"];',
        '    h0_br0 -> h0_ns0 [dir=none, label="veth1 ↔ ceth1"];',
        '    h0_br0 -> h0_ns1 [dir=none, label="veth2 ↔ ceth2"];',
        '    h0_br0 -> h0_up [label="NAT"];',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('seed pb/jelly: a cluster per host with every name, address, veth and the NAT', () => {
    const text = toDot(graphModel(inputs(inventory(SEED_PB_JELLY))));
    expect(text).toContain('  subgraph cluster_h0 {\n    label="vm1 (10.0.0.1)";');
    expect(text).toContain('  subgraph cluster_h1 {\n    label="vm2 (10.0.0.2)";');
    expect(text).toContain('h0_br0 [shape=box, label="brd1\\n172.19.0.0/24\\ngw 172.19.0.1"];');
    expect(text).toContain('h0_ns0 [shape=box, label="jelly\\n172.19.0.3/24", style="rounded"];');
    expect(text).toContain('h0_ns1 [shape=box, label="pb\\n172.19.0.2/24", style="rounded"];');
    expect(text).toContain('h0_br0 -> h0_ns0 [dir=none, label="bread-j-veth ↔ veth-jelly"];');
    expect(text).toContain('h0_br0 -> h0_ns1 [dir=none, label="bread-pb-veth ↔ veth-pb"];');
    expect(text).toContain('h1_br0 -> h1_up [label="NAT"];');
    expect(text).not.toContain('color=');
  });

  it('live: colours and dashes by state', () => {
    const text = toDot(graphModel([liveInput(bothSeedsOnOneHost(), recordedFacts('drifted'))]));
    expect(text).toContain(
      'h0_ns1 [shape=box, label="container2\\n172.18.0.3/16\\nmissing", style="rounded,dashed,filled", color="#c62828", penwidth=2, fillcolor="#fdecea", fontcolor="#c62828"];',
    );
    expect(text).toContain('h0_br1 [shape=box, label="brd1\\n172.19.0.0/24\\ngw 172.19.0.1\\ndrift (state: DOWN)", style="dashed,filled", color="#e67e22"');
    expect(text).toContain('h0_ns0 [shape=box, label="container1\\n172.18.0.2/16", style="rounded,filled", color="#2e7d32"');
    expect(text).toContain('h0_br0 -> h0_ns1 [dir=none, label="veth2 ↔ ceth2\\nmissing", style="dashed", color="#c62828", penwidth=2, fontcolor="#c62828"];');
    expect(text).toContain('h0_br0 -> h0_up [label="NAT\\nmissing", style="dashed", color="#c62828"');
    expect(text).toContain('h0_br1 -> h0_up [label="NAT", color="#2e7d32"');
    expect(text).toContain('h0_ns3 [shape=box, label="pb\\n172.19.0.2/24\\ndrift (default_route: none)", style="rounded,dashed,filled", color="#e67e22"');
  });

  it('odd names: quoted, escaped, ids derived', () => {
    const inv = inventoryText(ODD_NAMES);
    const text = toDot(graphModel([...inputs(inv), { name: 'we"b\\n&lt;', network: { bridges: [], namespaces: [] } }]));
    expect(text).toContain('  subgraph cluster_h0 {\n    label="a.b-c_d (10.0.0.3)";');
    expect(text).toContain('    h0_br0 [shape=box, label="a.b-c_d\\n10.9.0.0/24\\ngw 10.9.0.1"];');
    expect(text).toContain('    h0_br0 -> h0_ns0 [dir=none, label="v.a-b_c ↔ e.a-b_c"];');
    expect(text).toContain('    label="we\\"b\\\\n&amp;lt;";');
    const ids = [...text.matchAll(/^ {4}(\S+) (?:->|\[)/gm)].map((m) => m[1]);
    expect(ids).toEqual(['h0_br0', 'h0_ns0', 'h0_up', 'h0_br0', 'h0_br0', 'h1_empty']);
  });

  it('escapes backslashes, quotes, line breaks and entities', () => {
    expect(dotString('a"b\\c\nd&e')).toBe('"a\\"b\\\\c\\nd&amp;e"');
    expect(dotString('x\\')).toBe('"x\\\\"');
  });

  it('graphviz accepts it (scripts/setup-system.sh --test installs it)', () => {
    expect(hasDot, 'dot (graphviz) is missing: bash scripts/setup-system.sh --test').toBe(true);
    const both = bothSeeds();
    const model = graphModel([liveInput(both[0]!, recordedFacts('drifted')), both[1]!]);
    const svg = execFileSync('dot', ['-Tsvg'], { input: toDot(model), encoding: 'utf8' });
    // graphviz writes '-' in SVG text as &#45;
    expect(svg.replaceAll('&#45;', '-')).toContain('bread-pb-veth ↔ veth-pb');
  });
});
