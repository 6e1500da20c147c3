import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/facts/types.js';
import { toDot } from '../../src/graph/dot.js';
import { MESH_LIMIT } from '../../src/graph/fabric-model.js';
import { toMermaid } from '../../src/graph/mermaid.js';
import { graphModel, type GraphHostInput, type GraphModel } from '../../src/graph/model.js';
import { toSvg } from '../../src/graph/svg.js';
import type { Inventory } from '../../src/inventory/types.js';
import { mismatch } from '../../src/result/finding.js';
import { convergedFabricFacts, fabricInventory, FABRIC_ROUTED, FABRIC_VXLAN, inputs, mismatchesOf } from './helpers.js';
import { descendants, parseXml, type XmlElement } from './xml.js';

const hasDot = spawnSync('dot', ['-V']).status === 0;
const texts = (root: XmlElement): string[] =>
  descendants(root)
    .filter((e) => e.name === 'text')
    .map((e) => e.text);
const num = (el: XmlElement, attr: string): number => Number(el.attrs.get(attr));

/** Graphviz lays it out without a word on stderr; returns the SVG with `-` as graphviz writes it restored. */
function graphviz(dot: string): string {
  expect(hasDot, 'dot (graphviz) is missing: bash scripts/setup-system.sh --test').toBe(true);
  const run = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout.replaceAll('&#45;', '-');
}

/** Every host live: converged fabric facts, changed per host by `change`. */
function live(inv: Inventory, change: (host: string, facts: HostFacts) => void = () => {}): GraphHostInput[] {
  return inv.hosts.map((h) => {
    const facts = convergedFabricFacts(h.network);
    change(h.name, facts);
    return { name: h.name, address: h.connection.address, network: h.network, live: { facts, mismatches: mismatchesOf(h.network, facts) } };
  });
}

const links = (model: GraphModel) => model.fabric!.links.map((l) => [l.a, l.b, l.state, l.notes]);

describe('graph of a routed fabric', () => {
  const inv = fabricInventory(FABRIC_ROUTED);
  const model = graphModel(inputs(inv));

  it('the model: every member with its underlay address and subnet, one link per pair', () => {
    expect(model.fabric).toEqual({
      mode: 'routed',
      supernet: '172.30.0.0/16',
      members: [
        { host: 'vm1', id: 'h0', drawn: true, subnet: '172.30.0.0/24', underlay: '10.1.0.10' },
        { host: 'vm2', id: 'h1', drawn: true, subnet: '172.30.1.0/24', underlay: '10.1.0.11' },
        { host: 'vm3', id: 'h2', drawn: true, subnet: '172.30.2.0/24', underlay: '10.1.0.12' },
      ],
      layout: 'mesh',
      links: [
        { id: 'fl0', a: 'vm1', b: 'vm2', notes: [] },
        { id: 'fl1', a: 'vm1', b: 'vm3', notes: [] },
        { id: 'fl2', a: 'vm2', b: 'vm3', notes: [] },
      ],
    });
    expect(model.hosts[0]!.fabric).toEqual({ subnet: '172.30.0.0/24', underlay: '10.1.0.10', bridge: 'cnet0', bridgeId: 'h0_br0' });
  });

  it('mermaid: a subgraph per host named with its underlay address and subnet; an edge per pair with both routes', () => {
    const text = toMermaid(model);
    expect(text).toContain('  subgraph h0["vm1 · 10.1.0.10 · 172.30.0.0/24"]\n    direction LR\n    h0_br0["cnet0<br/>172.30.0.0/24<br/>gw 172.30.0.1"]\n');
    expect(text).toContain('  subgraph h2["vm3 · 10.1.0.12 · 172.30.2.0/24"]');
    expect(text).toContain('    h1_br0 ---|"ve-db ↔ eth0"| h1_ns0\n');
    expect(text).toContain('  fabric{{"fabric 172.30.0.0/16 · routed<br/>3 hosts, 6 routes<br/>one edge per pair of hosts"}}\n');
    expect(text).toContain(
      [
        '  h0 ---|"route 172.30.1.0/24 via 10.1.0.11<br/>route 172.30.0.0/24 via 10.1.0.10"| h1',
        '  h0 ---|"route 172.30.2.0/24 via 10.1.0.12<br/>route 172.30.0.0/24 via 10.1.0.10"| h2',
        '  h1 ---|"route 172.30.2.0/24 via 10.1.0.12<br/>route 172.30.1.0/24 via 10.1.0.11"| h2',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('vxcnet0');
    expect(text).not.toContain('classDef');
  });

  it('dot: clusters joined by edges clipped at them, the fabric as the graph label; graphviz accepts it', () => {
    const text = toDot(model);
    expect(text).toContain('  subgraph cluster_h1 {\n    label="vm2 · 10.1.0.11 · 172.30.1.0/24";');
    expect(text).toContain('  compound=true;');
    expect(text).toContain(
      '  h0_br0 -> h1_br0 [dir=none, ltail=cluster_h0, lhead=cluster_h1, label="route 172.30.1.0/24 via 10.1.0.11\\nroute 172.30.0.0/24 via 10.1.0.10"];',
    );
    expect(text).toContain('  label="fabric 172.30.0.0/16 · routed\\n3 hosts, 6 routes\\none edge per pair of hosts";\n  labelloc="t";\n}\n');
    const svg = graphviz(text);
    for (const s of ['fabric 172.30.0.0/16 · routed', 'vm3 · 10.1.0.12 · 172.30.2.0/24', 'route 172.30.2.0/24 via 10.1.0.12']) expect(svg).toContain(s);
  });

  it('svg: well-formed; the title, each host with its subnet, each pair of routes along its own lane', () => {
    const svg = toSvg(model);
    const root = parseXml(svg);
    const t = texts(root);
    expect(t).toEqual(
      expect.arrayContaining([
        'fabric 172.30.0.0/16 · routed',
        '3 hosts, 6 routes',
        'vm1 · 10.1.0.10 · 172.30.0.0/24',
        'vm2 · 10.1.0.11 · 172.30.1.0/24',
        'route 172.30.1.0/24 via 10.1.0.11',
      ]),
    );
    expect(t.filter((x) => x.startsWith('route '))).toHaveLength(6);
    // three host boxes: their veth and NAT connectors, and three fabric edges
    const lines = descendants(root).filter((e) => e.name === 'polyline');
    expect(lines).toHaveLength(3 * 3 + 3);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(toSvg(graphModel(inputs(inv)))).toBe(svg);
    inside(root);
  });
});

/** Every coordinate an integer inside the picture (rotated labels: their anchor). */
function inside(root: XmlElement): void {
  const [w, h] = [num(root, 'width'), num(root, 'height')];
  for (const e of descendants(root)) {
    for (const a of ['x', 'y', 'width', 'height']) if (e.attrs.has(a)) expect(e.attrs.get(a)).toMatch(/^\d+$/);
    if (e.attrs.has('x')) expect(num(e, 'x') + (e.attrs.has('width') ? num(e, 'width') : 0)).toBeLessThanOrEqual(w);
    if (e.attrs.has('y')) expect(num(e, 'y') + (e.attrs.has('height') ? num(e, 'height') : 0)).toBeLessThanOrEqual(h);
    for (const p of (e.attrs.get('points') ?? '').split(' ').filter(Boolean)) {
      const [px, py] = p.split(',').map(Number);
      expect(px! >= 0 && px! <= w && py! >= 0 && py! <= h, `${p} in ${w}x${h}`).toBe(true);
    }
  }
}

describe('graph of a VXLAN fabric', () => {
  const inv = fabricInventory(FABRIC_VXLAN);
  const model = graphModel(inputs(inv));

  it('mermaid: the VXLAN device on each bridge, a tunnel per pair between the devices', () => {
    const text = toMermaid(model);
    expect(text).toContain('  subgraph h1["vm2 · 10.1.0.11 · 172.31.1.0/24"]');
    expect(text).toContain('    h0_vx[["vxcnet0<br/>VXLAN vni 42 :4789<br/>mtu 1450"]]\n');
    expect(text).toContain('    h0_br0 ---|"port"| h0_vx\n');
    expect(text).toContain('  fabric{{"fabric 172.31.0.0/16 · VXLAN vni 42 :4789<br/>3 hosts, 3 tunnels<br/>one edge per pair of hosts"}}\n');
    expect(text).toContain(
      ['  h0_vx ---|"VXLAN vni 42 :4789"| h1_vx', '  h0_vx ---|"VXLAN vni 42 :4789"| h2_vx', '  h1_vx ---|"VXLAN vni 42 :4789"| h2_vx', ''].join('\n'),
    );
  });

  it('dot: the device in each cluster, tunnels between devices; graphviz accepts it', () => {
    const text = toDot(model);
    expect(text).toContain('    h2_vx [shape=component, label="vxcnet0\\nVXLAN vni 42 :4789\\nmtu 1450"];');
    expect(text).toContain('    h2_br0 -> h2_vx [dir=none, label="port"];');
    expect(text).toContain('  h0_vx -> h2_vx [dir=none, label="VXLAN vni 42 :4789"];');
    expect(graphviz(text)).toContain('VXLAN vni 42 :4789');
  });

  it('svg: the device below its bridge, joined to it; the tunnels', () => {
    const root = parseXml(toSvg(model));
    const t = texts(root);
    expect(t.filter((x) => x === 'vxcnet0')).toHaveLength(3);
    expect(t.filter((x) => x === 'VXLAN vni 42 :4789')).toHaveLength(3 + 3);
    const y = (label: string): number => num(descendants(root).find((e) => e.name === 'text' && e.text === label)!, 'y');
    expect(y('vxcnet0')).toBeGreaterThan(y('cnet0'));
    inside(root);
  });
});

describe('graph of a fabric, live', () => {
  it('converged: every edge, device and NAT (which leaves the supernet alone) ok', () => {
    for (const file of [FABRIC_ROUTED, FABRIC_VXLAN]) {
      const model = graphModel(live(fabricInventory(file)));
      expect(model.fabric!.links.map((l) => l.state)).toEqual(['ok', 'ok', 'ok']);
      for (const h of model.hosts) {
        expect(h.mismatches).toBe(0);
        expect(
          [h.state, ...h.bridges, ...h.nats, ...h.namespaces, ...h.veths, ...(h.fabric?.vxlan ? [h.fabric.vxlan] : [])].map((x) =>
            typeof x === 'string' ? x : x?.state,
          ),
        ).not.toContain('missing');
        expect(h.state).toBe('ok');
      }
    }
  });

  it('routed: a route gone on vm1 marks the vm1–vm2 edge missing (red, dashed) and says which', () => {
    const model = graphModel(
      live(fabricInventory(FABRIC_ROUTED), (host, facts) => {
        if (host === 'vm1') facts.root.routes = facts.root.routes.filter((r) => r.dst !== '172.30.1.0/24');
      }),
    );
    expect(links(model)).toEqual([
      ['vm1', 'vm2', 'missing', ['no route vm1 → vm2']],
      ['vm1', 'vm3', 'ok', []],
      ['vm2', 'vm3', 'ok', []],
    ]);
    expect(model.hosts.map((h) => [h.name, h.state, h.mismatches, h.notes])).toEqual([
      ['vm1', 'drift', 1, []],
      ['vm2', 'ok', 0, []],
      ['vm3', 'ok', 0, []],
    ]);
    const mermaid = toMermaid(model);
    expect(mermaid).toContain('  h0 ---|"route 172.30.1.0/24 via 10.1.0.11<br/>route 172.30.0.0/24 via 10.1.0.10<br/>missing (no route vm1 → vm2)"| h1\n');
    // edges: 3 per host (2 veths, NAT), then the fabric's: the first of them is 9
    expect(mermaid).toContain('  linkStyle 9 stroke:#c62828,stroke-width:2px,stroke-dasharray:4 4\n');
    const dot = toDot(model);
    expect(dot).toContain(
      'label="route 172.30.1.0/24 via 10.1.0.11\\nroute 172.30.0.0/24 via 10.1.0.10\\nmissing (no route vm1 → vm2)", style="dashed", color="#c62828", penwidth=2',
    );
    graphviz(dot);
    const root = parseXml(toSvg(model));
    expect(texts(root)).toContain('missing (no route vm1 → vm2)');
    expect(descendants(root).filter((e) => e.name === 'polyline' && e.attrs.get('stroke') === '#c62828')).toHaveLength(1);
  });

  it('routed: a route of someone else (a conflict, not a mismatch) is drift, from the facts', () => {
    const model = graphModel(
      live(fabricInventory(FABRIC_ROUTED), (host, facts) => {
        if (host === 'vm3') facts.root.routes = facts.root.routes.map((r) => (r.dst === '172.30.0.0/24' ? { ...r, gateway: '10.9.9.9' } : r));
      }),
    );
    expect(model.hosts[2]!.mismatches).toBe(0);
    expect(links(model)[1]).toEqual(['vm1', 'vm3', 'drift', ['vm3 → vm1: via 10.9.9.9 dev eth0']]);
  });

  it('vxlan: a missing forwarding entry marks that tunnel; a missing device, the device and all its tunnels', () => {
    const model = graphModel(
      live(fabricInventory(FABRIC_VXLAN), (host, facts) => {
        if (host === 'vm2') facts.fdb = new Map([['vxcnet0', facts.fdb!.get('vxcnet0')!.filter((e) => e.dst !== '10.1.0.12')]]);
        if (host === 'vm3') {
          facts.root.links = facts.root.links.filter((l) => l.name !== 'vxcnet0');
          facts.fdb = new Map();
        }
      }),
    );
    expect(links(model)).toEqual([
      ['vm1', 'vm2', 'ok', []],
      ['vm1', 'vm3', 'missing', ['no fdb entry vm3 → vm1']],
      ['vm2', 'vm3', 'missing', ['no fdb entry vm2 → vm3', 'no fdb entry vm3 → vm2']],
    ]);
    expect(model.hosts.map((h) => h.fabric!.vxlan!.state)).toEqual(['ok', 'ok', 'missing']);
    const mermaid = toMermaid(model);
    expect(mermaid).toContain('  h1_vx ---|"VXLAN vni 42 :4789<br/>missing (no fdb entry vm2 → vm3; no fdb entry vm3 → vm2)"| h2_vx\n');
    expect(mermaid).toMatch(/ {2}class [^\n]*h2_vx[^\n]* missing\n/);
    graphviz(toDot(model));
    parseXml(toSvg(model));
  });

  it("what is about no member is the device's (vxlan) or the host's (routed): a stale entry or route, the device down", () => {
    const vx = graphModel(
      live(fabricInventory(FABRIC_VXLAN), (host, facts) => {
        if (host !== 'vm1') return;
        facts.fdb!.get('vxcnet0')!.push({ mac: '00:00:00:00:00:00', dst: '10.1.0.99' });
        facts.root.links.find((l) => l.name === 'vxcnet0')!.up = false;
      }),
    );
    expect(vx.hosts[0]!.fabric!.vxlan).toMatchObject({ state: 'drift', notes: ['state: DOWN', 'fdb 10.1.0.99: not a member'] });
    expect(vx.hosts[0]!.state).toBe('drift');
    expect(vx.fabric!.links.map((l) => l.state)).toEqual(['ok', 'ok', 'ok']);
    expect(toMermaid(vx)).toContain('    h0_vx[["vxcnet0<br/>VXLAN vni 42 :4789<br/>mtu 1450<br/>drift (state: DOWN; fdb 10.1.0.99: not a member)"]]\n');

    const [vm1, ...others] = live(fabricInventory(FABRIC_ROUTED));
    const stale = mismatch({ kind: 'leftover-route', name: '172.30.9.0/24' }, '', 'absent', 'via 10.1.0.99');
    const routed = graphModel([{ ...vm1!, live: { facts: vm1!.live!.facts, mismatches: [stale] } }, ...others]);
    expect(routed.hosts[0]).toMatchObject({ state: 'drift', notes: ['leftover.route.172.30.9.0/24: via 10.1.0.99'] });
    expect(routed.fabric!.links.map((l) => l.state)).toEqual(['ok', 'ok', 'ok']);
  });
});

describe('graph of a fabric: --limit, and large fleets', () => {
  it('members left out are drawn as boxes, joined only to the hosts in the picture', () => {
    const inv = fabricInventory(FABRIC_ROUTED);
    const model = graphModel(inputs(inv, 1));
    expect(model.fabric!.members.map((m) => [m.host, m.id, m.drawn])).toEqual([
      ['vm1', 'h0', true],
      ['vm2', 'fm0', false],
      ['vm3', 'fm1', false],
    ]);
    expect(links(model).map(([a, b]) => `${a}-${b}`)).toEqual(['vm1-vm2', 'vm1-vm3']);
    const text = toMermaid(model);
    expect(text).toContain('  fm0["vm2 · 10.1.0.11 · 172.30.1.0/24<br/>not in this picture"]\n');
    expect(text).toContain('  h0 ---|"route 172.30.2.0/24 via 10.1.0.12<br/>route 172.30.0.0/24 via 10.1.0.10"| fm1\n');
    expect(text).toContain('3 hosts, 6 routes<br/>one edge per pair of hosts<br/>2 of them not in this picture');
    graphviz(toDot(model));
    const root = parseXml(toSvg(model));
    expect(texts(root)).toEqual(expect.arrayContaining(['vm3 · 10.1.0.12 · 172.30.2.0/24', 'not in this picture']));
    inside(root);
  });

  it(`past ${MESH_LIMIT} hosts (40): one edge per host to the fabric, and a label that says so`, () => {
    const inv = fabricInventory(FABRIC_ROUTED, 40);
    const model = graphModel(inputs(inv));
    const [mermaid, dot, svg] = [toMermaid(model), toDot(model), toSvg(model)];
    expect(model.fabric!.layout).toBe('hub');
    expect(model.fabric!.links).toHaveLength(40);
    const edges = mermaid.split('\n').filter((l) => /\| fabric$/.test(l));
    expect(edges).toHaveLength(40);
    expect(edges[0]).toBe('  h0 ---|"routes to 39 peers"| fabric');
    expect(mermaid).toContain(
      '  fabric{{"fabric 172.30.0.0/16 · routed<br/>40 hosts, 1560 routes<br/>more than 12 hosts: one edge per host to the fabric, not one per pair"}}\n',
    );
    // no edge between two hosts
    expect(mermaid).not.toMatch(/^ {2}h\d+ ---\|[^\n]*\| h\d+$/m);
    expect(dot.match(/ -> fabric /g)).toHaveLength(40);
    expect(dot).toContain('  fabric [shape=hexagon, label="fabric\\n172.30.0.0/16"];');
    const root = parseXml(svg);
    expect(texts(root)).toEqual(
      expect.arrayContaining(['40 hosts, 1560 routes', 'more than 12 hosts: one edge per host to the fabric, not one per pair', 'fabric 172.30.0.0/16']),
    );
    expect(texts(root).filter((t) => t === 'routes to 39 peers')).toHaveLength(40);
    // 40 hosts × (2 veths + NAT) + 40 edges to the bus
    expect(descendants(root).filter((e) => e.name === 'polyline')).toHaveLength(40 * 3 + 40);
    inside(root);
  });

  it('100 hosts live, one without routes: its edge says which, the first few and how many more', () => {
    const model = graphModel(
      live(fabricInventory(FABRIC_VXLAN, 100), (host, facts) => {
        if (host === 'vm7') facts.fdb = new Map([['vxcnet0', []]]);
      }),
    );
    const bad = model.fabric!.links.filter((l) => l.state !== 'ok');
    expect(bad.map((l) => [l.a, l.b, l.state, l.notes.length])).toEqual([['vm7', undefined, 'missing', 99]]);
    // hosts are in name order (vm1, vm10, vm100, …); peers in inventory order (vm1, vm2, …)
    const id = model.hosts.find((h) => h.name === 'vm7')!.id;
    const mermaid = toMermaid(model);
    expect(mermaid).toContain(
      `  ${id}_vx ---|"VXLAN to 99 peers<br/>missing (no fdb entry vm7 → vm1; no fdb entry vm7 → vm2; no fdb entry vm7 → vm3; … 96 more)"| fabric\n`,
    );
    parseXml(toSvg(model));
  });

  it('exactly the limit is still a full mesh', () => {
    const model = graphModel(inputs(fabricInventory(FABRIC_VXLAN, MESH_LIMIT)));
    expect(model.fabric!.layout).toBe('mesh');
    expect(model.fabric!.links).toHaveLength((MESH_LIMIT * (MESH_LIMIT - 1)) / 2);
    inside(parseXml(toSvg(model)));
  });

  it('a host outside the fabric is drawn as before, without fabric edges', () => {
    const inv = fabricInventory(FABRIC_ROUTED, 2);
    const other: GraphHostInput = { name: 'plain', address: '10.0.0.9', network: { bridges: [], namespaces: [] } };
    const text = toMermaid(graphModel([...inputs(inv), other]));
    expect(text).toContain('  subgraph h2["plain (10.0.0.9)"]');
    expect(text).not.toMatch(/h2 ---/);
    expect(execFileSync('dot', ['-Tsvg'], { input: toDot(graphModel([...inputs(inv), other])), encoding: 'utf8' })).toContain('plain (10.0.0.9)');
  });
});
