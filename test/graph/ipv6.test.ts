import { describe, expect, it } from 'vitest';
import { toDot } from '../../src/graph/dot.js';
import { foldHosts } from '../../src/graph/fold-hosts.js';
import { hostTitleLines } from '../../src/graph/labels.js';
import { mermaidText, toMermaid } from '../../src/graph/mermaid.js';
import { graphModel, type GraphHost, type GraphHostInput, type GraphModel } from '../../src/graph/model.js';
import { toSvg } from '../../src/graph/svg.js';
import { hostParts } from '../../src/graph/text-parts.js';
import type { HostFacts } from '../../src/facts/types.js';
import { convergedFacts, liveInput, mismatchesOf } from './helpers.js';
import { DUAL, DUAL_TEXTS, dualInput, V6_ONLY, V6_ONLY_TEXTS, v6OnlyInput } from './ipv6-inputs.js';
import { descendants, parseXml } from './xml.js';

/** Every text a format draws, one string per line of a label, as a reader sees it. */
const FORMATS: Record<string, (model: GraphModel) => string[]> = {
  text: (model) =>
    model.hosts.flatMap((h) => {
      const { nodes, edges } = hostParts(h);
      return [...hostTitleLines(h), ...[...nodes, ...edges].flatMap((p) => p.lines)];
    }),
  mermaid: (model) => [...toMermaid(model).matchAll(/"([^"]*)"/g)].flatMap((m) => m[1]!.split('<br/>')),
  dot: (model) => [...toDot(model).matchAll(/label="((?:[^"\\]|\\.)*)"/g)].flatMap((m) => m[1]!.split('\\n')),
  svg: (model) =>
    descendants(parseXml(toSvg(model)))
      .filter((e) => e.name === 'text')
      .map((e) => e.text),
};

const only = (h: GraphHost | undefined): GraphHost => h!;

describe('graphModel: IPv6', () => {
  it('a dual-stack bridge: each family’s subnet and gateway, each namespace’s address in both, a NAT per family', () => {
    const h = only(graphModel([dualInput()]).hosts[0]);
    expect(h.bridges.map((b) => [b.name, b.nets])).toEqual([
      [
        'br0',
        [
          { family: 'ipv4', subnet: '172.18.0.0/16', address: '172.18.0.1', nat: true },
          { family: 'ipv6', subnet: 'fd00:18::/64', address: 'fd00:18::1', nat: true },
        ],
      ],
    ]);
    expect(h.namespaces.map((n) => [n.name, n.addresses])).toEqual([
      ['c1', ['172.18.0.2/16', 'fd00:18::2/64']],
      ['c2', ['172.18.0.3/16', 'fd00:18::3/64']],
    ]);
    expect(h.nats.map((n) => [n.id, n.family, n.subnet, n.from, n.to])).toEqual([
      ['h0_nat0', 'ipv4', '172.18.0.0/16', 'h0_br0', 'h0_up'],
      ['h0_nat0_ipv6', 'ipv6', 'fd00:18::/64', 'h0_br0', 'h0_up'],
    ]);
    const ids = [h.id, ...h.bridges, ...h.namespaces, ...h.veths, ...h.nats].map((x) => (typeof x === 'string' ? x : x.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_]+$/);
  });

  it('IPv6-only bridges: one net each; NAT66 for the unique local prefix, none for the routed global one', () => {
    const h = only(graphModel([v6OnlyInput()]).hosts[0]);
    expect(h.bridges.map((b) => [b.name, b.nets.map((n) => [n.family, n.subnet, n.address, n.nat])])).toEqual([
      ['br6', [['ipv6', 'fd00:6::/64', 'fd00:6::1', true]]],
      ['brg', [['ipv6', '2001:db8:1::/64', '2001:db8:1::1', false]]],
    ]);
    expect(h.namespaces.map((n) => n.addresses)).toEqual([['fd00:6::2/64'], ['2001:db8:1::2/64']]);
    expect(h.nats.map((n) => [n.bridge, n.family, n.subnet])).toEqual([['br6', 'ipv6', 'fd00:6::/64']]);
    expect(h.upstream).toBeDefined();
    expect(h.veths.map((v) => [v.bridge, v.namespace])).toEqual([
      ['br6', 's1'],
      ['brg', 'g1'],
    ]);
  });

  it('hosts alike but for an IPv6 address are not folded together; alike ones are', () => {
    const other = { ...DUAL, namespaces: DUAL.namespaces.map((n, i) => (i === 0 ? { ...n, addresses: ['172.18.0.2', 'fd00:18::99'] } : n)) };
    const model = foldHosts(
      graphModel([
        { name: 'vm1', network: DUAL },
        { name: 'vm2', network: DUAL },
        { name: 'vm3', network: other },
      ]),
    );
    expect(model.hosts.map((h) => h.group ?? [h.name])).toEqual([['vm1', 'vm2'], ['vm3']]);
  });
});

describe('every picture shows IPv6 beside IPv4', () => {
  for (const [format, texts] of Object.entries(FORMATS)) {
    it(`${format}: the dual-stack bridge’s subnets, gateways, namespace addresses, NAT and NAT66`, () => {
      const drawn = texts(graphModel([dualInput()]));
      expect(drawn).toEqual(expect.arrayContaining(DUAL_TEXTS));
      // IPv4's before IPv6's, as the bridge lists them
      expect(drawn.indexOf('172.18.0.0/16')).toBeLessThan(drawn.indexOf('fd00:18::/64'));
    });

    it(`${format}: an IPv6-only bridge renders, with no IPv4 text`, () => {
      const drawn = texts(graphModel([v6OnlyInput()]));
      expect(drawn).toEqual(expect.arrayContaining(V6_ONLY_TEXTS));
      expect(drawn).not.toContain('NAT');
      expect(drawn.filter((t) => /\b\d+\.\d+\.\d+\.\d+\b/.test(t))).toEqual([]);
    });
  }

  it('mermaid: the whole dual-stack picture (colons need no escaping in a quoted label)', () => {
    expect(mermaidText('fd00:18::/64')).toBe('fd00:18::/64');
    expect(toMermaid(graphModel([dualInput()]))).toBe(
      [
        'flowchart LR',
        '  subgraph h0["vm1 (10.0.0.1)"]',
        '    direction LR',
        '    h0_br0["br0<br/>172.18.0.0/16<br/>gw 172.18.0.1<br/>fd00:18::/64<br/>gw fd00:18::1"]',
        '    h0_ns0("c1<br/>172.18.0.2/16<br/>fd00:18::2/64")',
        '    h0_ns1("c2<br/>172.18.0.3/16<br/>fd00:18::3/64")',
        '    h0_up(("upstream"))',
        '    h0_br0 ---|"veth1 ↔ ceth1"| h0_ns0',
        '    h0_br0 ---|"veth2 ↔ ceth2"| h0_ns1',
        '    h0_br0 -->|"NAT"| h0_up',
        '    h0_br0 -->|"NAT66"| h0_up',
        '  end',
        '',
      ].join('\n'),
    );
  });

  it('dot: the IPv6-only bridge’s node and its NAT66 edge', () => {
    const text = toDot(graphModel([v6OnlyInput()]));
    expect(text).toContain('    label="vm6 (fd00:100::6)";');
    expect(text).toContain('    h0_br0 [shape=box, label="br6\\nfd00:6::/64\\ngw fd00:6::1"];');
    expect(text).toContain('    h0_br1 [shape=box, label="brg\\n2001:db8:1::/64\\ngw 2001:db8:1::1"];');
    expect(text).toContain('    h0_ns0 [shape=box, label="s1\\nfd00:6::2/64", style="rounded"];');
    expect(text).toContain('    h0_br0 -> h0_up [label="NAT66"];');
    expect(text).not.toContain('h0_br1 -> h0_up');
  });

  it('svg: boxes wide enough for IPv6 texts; the two NATs of one bridge end apart, on the bridge', () => {
    const root = parseXml(toSvg(graphModel([dualInput()])));
    const rects = descendants(root).filter((e) => e.name === 'rect');
    const bridgeText = descendants(root).find((e) => e.name === 'text' && e.text === 'br0')!;
    const bridge = rects.find((r) => Number(r.attrs.get('x')) < Number(bridgeText.attrs.get('x')) && r.attrs.get('rx') === '3')!;
    const [bx, by, bw, bh] = ['x', 'y', 'width', 'height'].map((a) => Number(bridge.attrs.get(a)));
    // five lines: name, IPv4 subnet and gateway, IPv6 subnet and gateway
    expect(bh).toBe(12 + 15 * 5);
    expect(bw).toBeGreaterThanOrEqual(Math.ceil('gw fd00:18::1'.length * 6.6) + 20);
    // NAT polylines end at the bridge's left side, at two heights inside it
    const ends = descendants(root)
      .filter((e) => e.name === 'polyline')
      .map((e) => e.attrs.get('points')!.split(' ').at(-1)!.split(',').map(Number))
      .filter(([x]) => x === bx);
    expect(ends).toHaveLength(2);
    const ys = ends.map(([, y]) => y!);
    expect(new Set(ys).size).toBe(2);
    for (const y of ys) expect(y > by! && y < by! + bh!).toBe(true);
  });
});

/** The dual-stack host in live mode with `change` made to its converged facts. */
function dualLive(change?: (f: HostFacts) => void, mismatches?: 'none'): GraphHost {
  const facts = convergedFacts(DUAL);
  change?.(facts);
  const input: GraphHostInput = mismatches === 'none' ? { ...dualInput(), live: { facts, mismatches: [] } } : liveInput(dualInput(), facts);
  return only(graphModel([input]).hosts[0]);
}

const nsLink = (f: HostFacts, ns: string) => f.namespaces.get(ns)!.links.find((l) => l.name !== 'lo')!;
const dropAddress = (address: string) => (f: HostFacts) => {
  const link = nsLink(f, 'c1');
  link.addresses = link.addresses.filter((a) => a.local !== address);
};

describe('graphModel: live, both families', () => {
  it('converged dual-stack and IPv6-only hosts: every element ok', () => {
    expect(mismatchesOf(DUAL, convergedFacts(DUAL))).toEqual([]);
    expect(mismatchesOf(V6_ONLY, convergedFacts(V6_ONLY))).toEqual([]);
    for (const h of [dualLive(), only(graphModel([liveInput(v6OnlyInput(), convergedFacts(V6_ONLY))]).hosts[0])]) {
      for (const el of [h, ...h.bridges, ...h.namespaces, ...h.veths, ...h.nats, h.upstream!]) {
        expect(el.state).toBe('ok');
        expect(el.notes).toEqual([]);
      }
    }
  });

  it('an IPv6 address gone: its namespace drifts, with what it has (the mismatch) or what it lacks (the facts alone)', () => {
    const assessed = dualLive(dropAddress('fd00:18::2'));
    expect(assessed.namespaces.map((n) => [n.name, n.state, n.notes])).toEqual([
      ['c1', 'drift', ['address: 172.18.0.2/16']],
      ['c2', 'ok', []],
    ]);
    const facts = dualLive(dropAddress('fd00:18::2'), 'none');
    expect(facts.namespaces[0]).toMatchObject({ state: 'drift', notes: ['address fd00:18::2/64: absent'] });
    // the IPv4 address is compared the same way
    expect(dualLive(dropAddress('172.18.0.2'), 'none').namespaces[0]!.notes).toEqual(['address 172.18.0.2/16: absent']);
  });

  it('an IPv6 address whose duplicate address detection failed, and a gateway address gone, from the facts', () => {
    const h = dualLive((f) => {
      nsLink(f, 'c2').addresses[1]!.dadfailed = true;
      const br = f.root.links.find((l) => l.name === 'br0')!;
      br.addresses = br.addresses.filter((a) => a.family !== 'inet6');
    }, 'none');
    expect(h.namespaces[1]).toMatchObject({ state: 'drift', notes: ['address fd00:18::3/64: dadfailed'] });
    expect(h.bridges[0]).toMatchObject({ state: 'drift', notes: ['address fd00:18::1/64: absent'] });
  });

  it('NAT66 gone: the IPv6 NAT edge is missing, IPv4’s stays ok; from the mismatch or the facts', () => {
    for (const mismatches of [undefined, 'none'] as const) {
      const h = dualLive((f) => {
        f.nat6!.rules = [];
      }, mismatches);
      expect(h.nats.map((n) => [n.family, n.state, n.notes])).toEqual([
        ['ipv4', 'ok', []],
        ['ipv6', 'missing', ['nat6: absent']],
      ]);
    }
  });

  it('IPv6 forwarding off: the upstream drifts, named ip6_forward; IPv4’s forwarding alone is not blamed', () => {
    for (const mismatches of [undefined, 'none'] as const) {
      const h = dualLive((f) => {
        f.ip6Forward = false;
      }, mismatches);
      expect(h.upstream).toMatchObject({ state: 'drift', notes: ['ip6_forward: 0'] });
    }
  });

  it('the live pictures carry the IPv6 notes', () => {
    const model = graphModel([{ ...dualInput(), live: { facts: convergedFacts(DUAL), mismatches: [] } }]);
    const h = model.hosts[0]!;
    h.namespaces[0]!.state = 'drift';
    h.namespaces[0]!.notes.push('address fd00:18::2/64: absent');
    for (const [format, texts] of Object.entries(FORMATS)) expect(texts(model), format).toContain('drift (address fd00:18::2/64: absent)');
  });
});
