import { describe, expect, it } from 'vitest';
import { graphModel, type GraphHost, type LiveState } from '../../src/graph/model.js';
import { assess } from '../../src/plan/assess.js';
import { mismatch, type Mismatch } from '../../src/result/finding.js';
import { convergedFacts, inputs, inventory, inventoryText, liveInput, recordedFacts, SEED_PART2, SEED_PB_JELLY } from './helpers.js';
import { bothSeedsOnOneHost } from './seed-inputs.js';

/** Every element's state, by a readable key. */
function states(h: GraphHost): Record<string, LiveState | undefined> {
  return Object.fromEntries([
    ['host', h.state],
    ...h.bridges.map((b) => [`bridge ${b.name}`, b.state]),
    ...h.namespaces.map((n) => [`namespace ${n.name}`, n.state]),
    ...h.veths.map((v) => [`veth ${v.hostIf}`, v.state]),
    ...h.nats.map((n) => [`nat ${n.bridge}`, n.state]),
    ['upstream', h.upstream?.state],
  ]);
}

describe('graphModel: desired networks', () => {
  it('seed part 2: br0 with NAT, container1/container2 on it by veth1↔ceth1 and veth2↔ceth2', () => {
    const model = graphModel(inputs(inventory(SEED_PART2), 1));
    expect(model).toEqual({
      live: false,
      hosts: [
        {
          id: 'h0',
          name: 'vm1',
          address: '10.0.0.1',
          bridges: [{ id: 'h0_br0', name: 'br0', nets: [{ family: 'ipv4', subnet: '172.18.0.0/16', address: '172.18.0.1', nat: true }], notes: [] }],
          namespaces: [
            { id: 'h0_ns0', name: 'container1', bridge: 'br0', addresses: ['172.18.0.2/16'], hostIf: 'veth1', nsIf: 'ceth1', notes: [] },
            { id: 'h0_ns1', name: 'container2', bridge: 'br0', addresses: ['172.18.0.3/16'], hostIf: 'veth2', nsIf: 'ceth2', notes: [] },
          ],
          veths: [
            { id: 'h0_veth0', from: 'h0_br0', to: 'h0_ns0', bridge: 'br0', namespace: 'container1', hostIf: 'veth1', nsIf: 'ceth1', notes: [] },
            { id: 'h0_veth1', from: 'h0_br0', to: 'h0_ns1', bridge: 'br0', namespace: 'container2', hostIf: 'veth2', nsIf: 'ceth2', notes: [] },
          ],
          nats: [{ id: 'h0_nat0', from: 'h0_br0', to: 'h0_up', bridge: 'br0', family: 'ipv4', subnet: '172.18.0.0/16', notes: [] }],
          upstream: { id: 'h0_up', notes: [] },
          notes: [],
        },
      ],
    });
  });

  it('seed pb/jelly: brd1 with NAT, pb and jelly on it by their bread veths', () => {
    const [h] = graphModel(inputs(inventory(SEED_PB_JELLY), 1)).hosts;
    expect(h!.bridges.map((b) => [b.name, b.nets])).toEqual([['brd1', [{ family: 'ipv4', subnet: '172.19.0.0/24', address: '172.19.0.1', nat: true }]]]);
    expect(h!.namespaces.map((n) => [n.name, ...n.addresses])).toEqual([
      ['jelly', '172.19.0.3/24'],
      ['pb', '172.19.0.2/24'],
    ]);
    expect(h!.veths.map((v) => [v.bridge, v.hostIf, v.nsIf, v.namespace])).toEqual([
      ['brd1', 'bread-j-veth', 'veth-jelly', 'jelly'],
      ['brd1', 'bread-pb-veth', 'veth-pb', 'pb'],
    ]);
    expect(h!.nats.map((n) => [n.bridge, n.subnet, n.to])).toEqual([['brd1', '172.19.0.0/24', h!.upstream!.id]]);
  });

  it('gives each host its own ids, and no upstream to a host without NAT', () => {
    const inv = inventoryText(`
all:
  hosts:
    a: { ansible_host: 10.0.0.1 }
    b: { ansible_host: 10.0.0.2 }
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.5.0.0/24, nat: false }
      namespaces:
        n1: { bridge: br0 }
`);
    const model = graphModel(inputs(inv));
    expect(model.hosts.map((h) => [h.id, h.bridges[0]!.id, h.namespaces[0]!.id, h.upstream, h.nats])).toEqual([
      ['h0', 'h0_br0', 'h0_ns0', undefined, []],
      ['h1', 'h1_br0', 'h1_ns0', undefined, []],
    ]);
    const ids = model.hosts.flatMap((h) => [h.id, ...h.bridges.map((b) => b.id), ...h.namespaces.map((n) => n.id), ...h.veths.map((v) => v.id)]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_]+$/);
  });

  it('a host without an address has none in the model', () => {
    const [h] = graphModel([{ name: 'x', network: { bridges: [], namespaces: [] } }]).hosts;
    expect(h).not.toHaveProperty('address');
    expect(h).toMatchObject({ name: 'x', bridges: [], namespaces: [], veths: [], nats: [] });
  });
});

describe('graphModel: live, from recorded facts', () => {
  it('converged: everything ok', () => {
    const model = graphModel([liveInput(bothSeedsOnOneHost(), recordedFacts('converged'))]);
    expect(model.live).toBe(true);
    const h = model.hosts[0]!;
    expect(h.mismatches).toBe(0);
    expect(Object.values(states(h))).toHaveLength(1 + 2 + 4 + 4 + 2 + 1);
    for (const [key, state] of Object.entries(states(h))) expect(state, key).toBe('ok');
    expect([h, ...h.bridges, ...h.namespaces, ...h.veths, ...h.nats].every((e) => e.notes.length === 0)).toBe(true);
  });

  it('drifted: container2 missing, brd1 down, pb without default route, jelly with an extra address, br0 NAT missing, forwarding off', () => {
    const h = graphModel([liveInput(bothSeedsOnOneHost(), recordedFacts('drifted'))]).hosts[0]!;
    expect(h.mismatches).toBe(13);
    expect(states(h)).toEqual({
      host: 'drift',
      'bridge br0': 'ok',
      'bridge brd1': 'drift',
      'namespace container1': 'ok',
      'namespace container2': 'missing',
      'namespace jelly': 'drift',
      'namespace pb': 'drift',
      'veth veth1': 'ok',
      'veth veth2': 'missing',
      'veth bread-j-veth': 'ok',
      'veth bread-pb-veth': 'ok',
      'nat br0': 'missing',
      'nat brd1': 'ok',
      upstream: 'drift',
    });
    const by = <T extends { notes: string[] }>(list: T[], key: (x: T) => string, name: string): string[] => list.find((x) => key(x) === name)!.notes;
    expect(by(h.bridges, (b) => b.name, 'brd1')).toEqual(['state: DOWN']);
    expect(by(h.namespaces, (n) => n.name, 'pb')).toEqual(['default_route: none']);
    expect(by(h.namespaces, (n) => n.name, 'jelly')).toEqual(['address: 172.19.0.3/24, 172.19.0.99/24']);
    expect(by(h.nats, (n) => n.bridge, 'br0')).toEqual(['nat: absent']);
    expect(h.upstream!.notes).toEqual(['ip_forward: 0']);
    expect(h.notes).toEqual([]);
  });

  it('empty host: every element missing, the upstream drifted (forwarding off)', () => {
    const h = graphModel([liveInput(bothSeedsOnOneHost(), recordedFacts('empty'))]).hosts[0]!;
    const s = states(h);
    expect(s.upstream).toBe('drift');
    delete s.upstream;
    delete s.host;
    expect(new Set(Object.values(s))).toEqual(new Set(['missing']));
  });

  it('a host given without live facts in a live model has no states', () => {
    const model = graphModel([liveInput(bothSeedsOnOneHost(), recordedFacts('converged')), inputs(inventory(SEED_PART2))[1]!]);
    expect(model.live).toBe(true);
    expect(Object.values(states(model.hosts[1]!)).every((s) => s === undefined)).toBe(true);
  });
});

describe('graphModel: live, placing mismatches', () => {
  const odd = inventoryText(`
all:
  hosts:
    h: { ansible_host: 10.0.0.1 }
  vars:
    cnet:
      bridges:
        a: { subnet: 10.1.0.0/24, nat: true }
        a.nat: { subnet: 10.2.0.0/24, nat: false }
      namespaces:
        a.b-c_d: { bridge: a, host_if: h.a-b_c, ns_if: n.a-b_c }
        a.b-c_d.veth: { bridge: a.nat }
`).hosts[0]!.network;

  const live = (mismatches: Mismatch[]) => graphModel([{ name: 'h', network: odd, live: { facts: convergedFacts(odd), mismatches } }]).hosts[0]!;

  it('the synthetic facts are converged', () => {
    expect(assess(odd, convergedFacts(odd))).toEqual({ findings: [], conflicts: [] });
    expect(new Set(Object.values(states(live([]))))).toEqual(new Set(['ok']));
  });

  it('names with dots: the mismatch names its object, whatever the path looks like', () => {
    const h = live([
      mismatch({ kind: 'nat', name: 'a' }, '', 'MASQUERADE 10.1.0.0/24 ! -o a', 'absent'),
      mismatch({ kind: 'namespace', name: 'a.b-c_d' }, 'veth', 'h.a-b_c <-> n.a-b_c@a.b-c_d', 'not paired'),
    ]);
    expect(states(h)).toMatchObject({
      'bridge a': 'ok',
      'bridge a.nat': 'ok',
      'nat a': 'missing',
      'namespace a.b-c_d': 'ok',
      'namespace a.b-c_d.veth': 'ok',
      'veth h.a-b_c': 'drift',
    });

    const other = live([
      mismatch({ kind: 'bridge', name: 'a.nat' }, '', 'bridge', 'absent'),
      mismatch({ kind: 'namespace', name: 'a.b-c_d.veth' }, '', 'present', 'absent'),
      mismatch({ kind: 'namespace', name: 'a.b-c_d.veth' }, 'default_route', 'via 10.2.0.1 dev eth0', 'none'),
    ]);
    expect(states(other)).toMatchObject({
      'bridge a': 'ok',
      'bridge a.nat': 'missing',
      'nat a': 'ok',
      'namespace a.b-c_d': 'ok',
      'namespace a.b-c_d.veth': 'missing',
      'veth h.a-b_c': 'ok',
    });
  });

  it('attachment and interface state are the veth edge; lo, address, route are the namespace', () => {
    const h = live([
      mismatch({ kind: 'namespace', name: 'a.b-c_d' }, 'host_if.master', 'a', 'none'),
      mismatch({ kind: 'namespace', name: 'a.b-c_d' }, 'lo', 'UP', 'DOWN'),
    ]);
    expect(h.veths.find((v) => v.namespace === 'a.b-c_d')).toMatchObject({ state: 'drift', notes: ['host_if.master: none'] });
    expect(h.namespaces.find((n) => n.name === 'a.b-c_d')).toMatchObject({ state: 'drift', notes: ['lo: DOWN'] });
  });

  it('a mismatch naming nothing drawn drifts the host itself', () => {
    const h = live([mismatch({ kind: 'leftover-link', name: 'something' }, '', 'absent', 'y')]);
    expect(h.state).toBe('drift');
    expect(h.notes).toEqual(['leftover.link.something: y']);
  });

  it('facts show what mismatches cannot: a bridge name taken by a device not ours, iptables gone', () => {
    const facts = convergedFacts(odd);
    const a = facts.root.links.find((l) => l.name === 'a')!;
    delete a.alias;
    facts.nat = { available: false, rules: [], error: 'iptables: not found' };
    const h = graphModel([{ name: 'h', network: odd, live: { facts, mismatches: [] } }]).hosts[0]!;
    expect(h.bridges.find((b) => b.name === 'a')).toMatchObject({ state: 'drift', notes: ['not created by cnet-remote'] });
    expect(h.nats[0]).toMatchObject({ state: 'missing', notes: ['iptables unavailable'] });
    expect(h.state).toBe('drift');
  });
});
