import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { toDot } from '../../src/graph/dot.js';
import { foldHosts } from '../../src/graph/fold-hosts.js';
import { GROUP_LINE } from '../../src/graph/labels.js';
import { toMermaid } from '../../src/graph/mermaid.js';
import { graphModel, type GraphHostInput, type GraphModel } from '../../src/graph/model.js';
import { toSvg } from '../../src/graph/svg.js';
import { DRIFTS, fleet } from './fleet.js';
import { convergedFabricFacts, fabricInventory, FABRIC_ROUTED, inputs, inventory, liveInput, SEED_PART2, SEED_PB_JELLY } from './helpers.js';
import { descendants, parseXml } from './xml.js';

const hasDot = spawnSync('dot', ['-V']).status === 0;
const folded = (hosts: GraphHostInput[]): GraphModel => foldHosts(graphModel(hosts));
const titles = (model: GraphModel) => model.hosts.map((h) => [h.name, h.group?.length ?? 1]);
const svgTexts = (svg: string): string[] =>
  descendants(parseXml(svg))
    .filter((e) => e.name === 'text')
    .map((e) => e.text);

describe('foldHosts', () => {
  it('60 identical hosts: one host standing for all 60, in every format', () => {
    const model = folded(fleet(60));
    expect(model.hosts).toHaveLength(1);
    const [h] = model.hosts;
    expect(h!.group).toEqual(Array.from({ length: 60 }, (_, i) => `vm${i + 1}`));
    expect(h).not.toHaveProperty('address');
    expect(h!.id).toBe('h0');
    expect(svgTexts(toSvg(model))).toContain('vm1–vm60 (60 hosts)');
    expect(toDot(model)).toContain('  subgraph cluster_h0 {\n    label="vm1–vm60 (60 hosts)";');
    expect(toMermaid(model)).toContain('  subgraph h0["vm1–vm60 (60 hosts)"]');
  });

  it('the folded picture is one host high, where the unfolded one is 60', () => {
    const size = (svg: string) => {
      const root = parseXml(svg);
      return { width: Number(root.attrs.get('width')), height: Number(root.attrs.get('height')) };
    };
    const one = size(toSvg(graphModel(fleet(1))));
    const all = size(toSvg(graphModel(fleet(60))));
    const fold = size(toSvg(folded(fleet(60))));
    expect(all.height).toBeGreaterThan(50 * one.height);
    expect(fold.height).toBeLessThan(one.height + 20);
    expect(fold.width).toBeLessThan(one.width + 20);
  });

  it('live, 2 of 60 drifted each their own way: a host for the 58, and one for each drifted host', () => {
    const model = folded(fleet(60, { drift: { vm7: DRIFTS.brd1Down, vm33: DRIFTS.pbGone } }));
    expect(titles(model)).toEqual([
      ['vm1', 58],
      ['vm7', 1],
      ['vm33', 1],
    ]);
    const [group, vm7, vm33] = model.hosts;
    expect(group!.state).toBe('ok');
    expect(group!.mismatches).toBe(0);
    expect(vm7).toMatchObject({ state: 'drift', address: '10.0.0.7' });
    expect(vm7!.bridges.find((b) => b.name === 'brd1')).toMatchObject({ state: 'drift', notes: ['state: DOWN'] });
    expect(vm33!.namespaces.find((n) => n.name === 'pb')!.state).toBe('missing');
    const t = svgTexts(toSvg(model));
    expect(t).toEqual(expect.arrayContaining(['vm1–vm6, vm8–vm32, vm34–vm60 (58 hosts): no mismatches', 'vm7 (10.0.0.7): 1 mismatch', 'drift (state: DOWN)']));
    expect(t.some((x) => x.startsWith('vm33 (10.0.0.33): '))).toBe(true);
  });

  it('live, hosts that drifted the same way are drawn together; a host without facts apart from those with them', () => {
    const hosts = fleet(10, { drift: { vm2: DRIFTS.forwardingOff, vm5: DRIFTS.forwardingOff, vm9: DRIFTS.brd1Down } });
    hosts[7] = { name: hosts[7]!.name, address: hosts[7]!.address!, network: hosts[7]!.network };
    const model = folded(hosts);
    expect(titles(model)).toEqual([
      ['vm1', 6],
      ['vm2', 2],
      ['vm8', 1],
      ['vm9', 1],
    ]);
    expect(model.hosts[1]!.upstream).toMatchObject({ state: 'drift', notes: ['ip_forward: 0'] });
    expect(model.hosts[2]!.state).toBeUndefined();
    const t = svgTexts(toSvg(model));
    expect(t).toContain('vm1, vm3, vm4, vm6, vm7, vm10 (6 hosts): no mismatches');
    expect(t).toContain('vm2, vm5 (2 hosts): 1 mismatch each');
  });

  it('hosts that all differ: the same model, drawn as before', () => {
    const model = graphModel(inputs(inventory(SEED_PART2, SEED_PB_JELLY), 1));
    expect(foldHosts(model)).toBe(model);
    const a = fleet(1)[0]!;
    const b = { ...fleet(2)[1]!, network: inputs(inventory(SEED_PART2), 1)[0]!.network };
    const two = graphModel([a, b]);
    expect(foldHosts(two)).toBe(two);
    expect(toSvg(foldHosts(two))).toBe(toSvg(two));
  });

  it('fabric members are never folded: each has its own subnet and edges', () => {
    const inv = fabricInventory(FABRIC_ROUTED, 4);
    const model = graphModel(inputs(inv));
    expect(foldHosts(model)).toBe(model);
    const live = inv.hosts.map((h) => liveInput({ name: h.name, network: h.network }, convergedFabricFacts(h.network)));
    expect(foldHosts(graphModel(live)).hosts).toHaveLength(4);
  });

  it('folds wherever the hosts are, the group in the place of its first host', () => {
    const hosts = fleet(5);
    const other = { ...hosts[2]!, name: 'odd', network: inputs(inventory(SEED_PART2), 1)[0]!.network };
    const model = folded([hosts[3]!, other, hosts[0]!, hosts[4]!, hosts[1]!]);
    expect(model.hosts.map((h) => [h.id, h.name, h.group])).toEqual([
      ['h0', 'vm4', ['vm1', 'vm2', 'vm4', 'vm5']],
      ['h1', 'odd', undefined],
    ]);
  });

  it('a long list of names wraps, every line inside the picture', () => {
    const names = Array.from({ length: 40 }, (_, i) => `host-${String.fromCharCode(97 + (i % 26))}${i}x`);
    const { network } = fleet(1)[0]!;
    const model = folded(names.map((name) => ({ name, network })));
    const svg = toSvg(model);
    const root = parseXml(svg);
    const heading = descendants(root).filter((e) => e.name === 'text' && e.attrs.get('font-size') === '14');
    expect(heading.length).toBeGreaterThan(2);
    expect(heading.map((e) => e.text).join(' ')).toContain('(40 hosts)');
    for (const e of heading) expect(e.text.length).toBeLessThanOrEqual(GROUP_LINE);
    const width = Number(root.attrs.get('width'));
    const box = descendants(root).find((e) => e.name === 'rect' && e.attrs.get('fill') === '#fafafa')!;
    expect(Number(box.attrs.get('x')) + Number(box.attrs.get('width'))).toBeLessThanOrEqual(width);
    // the box starts below the last title line
    const bridge = descendants(root).find((e) => e.name === 'text' && e.text === 'br0')!;
    expect(Number(bridge.attrs.get('y'))).toBeGreaterThan(Math.max(...heading.map((e) => Number(e.attrs.get('y')))) + 20);
    expect(toDot(model)).toMatch(/label="host-a0x, host-a26x, [^"]*\\n[^"]*\(40 hosts\)";/);
    expect(toMermaid(model)).toMatch(/subgraph h0\["host-a0x, [^"]*<br\/>[^"]*\(40 hosts\)"\]/);
  });
});

describe('foldHosts: ids and names in the text formats', () => {
  const hostile = [`we"b<1>&'x`, 'a|b]#{c}`', 'x\\ny'];
  const model = () => {
    const hosts = fleet(6, { drift: { vm3: DRIFTS.pbGone } });
    const { network } = hosts[0]!;
    const live = hosts[0]!.live!;
    return folded([...hosts, ...hostile.map((name) => ({ name, network, live }))]);
  };

  it('DOT: unique, valid ids; names escaped; graphviz lays it out', () => {
    const text = toDot(model());
    const nodeIds = [...text.matchAll(/^ {4}(\S+) \[/gm)].map((m) => m[1]!);
    expect(new Set(nodeIds).size).toBe(nodeIds.length);
    for (const id of nodeIds) expect(id).toMatch(/^[A-Za-z0-9_]+$/);
    const clusters = [...text.matchAll(/^ {2}subgraph (\S+) \{/gm)].map((m) => m[1]!);
    expect(clusters).toEqual(['cluster_h0', 'cluster_h2']);
    expect(text).toContain(`    label="a|b]#{c}\`, vm1, vm2, vm4–vm6, we\\"b<1>&amp;'x, x\\\\ny (8 hosts)";`);
    expect(hasDot, 'dot (graphviz) is missing: bash scripts/setup-system.sh --test').toBe(true);
    const run = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('Mermaid: unique, valid ids; names as entities', () => {
    const text = toMermaid(model());
    const ids = [...text.matchAll(/^ {4}(\w+)[[(]/gm)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_]+$/);
    expect(text).toContain('  subgraph h0["a#124;b#93;#35;#123;c#125;#96;, vm1, vm2, vm4–vm6, we#34;b#60;1#62;#38;\'x, x#92;ny (8 hosts)"]');
    expect(text).toContain('  subgraph h2["vm3 (10.0.0.3)"]');
  });

  it('SVG: names escaped, the document well-formed', () => {
    const svg = toSvg(model());
    expect(svg).toContain('we&quot;b&lt;1&gt;&amp;&apos;x');
    expect(svgTexts(svg)).toContain(`a|b]#{c}\`, vm1, vm2, vm4–vm6, we"b<1>&'x, x\\ny (8 hosts): no mismatches`);
  });
});
