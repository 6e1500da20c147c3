import { describe, expect, it } from 'vitest';
import { formatCidr } from '../../src/address/family.js';
import { FABRIC_PROBE_ALL, FABRIC_PROBE_RANDOM, fabricProbeNote, fabricTargets, probePlan, type PlannedProbe } from '../../src/verify/probe-plan.js';
import { fabricInventory, fabricNetwork, manyHosts } from '../plan/fabric-helpers.js';

const lines = (probes: PlannedProbe[]): string[] => probes.map((p) => `${p.kind} ${p.netns ?? '-'} ${p.from}->${p.to} ${p.target}`);
const fabricProbes = (probes: PlannedProbe[]) => probes.filter((p) => p.kind === 'fabric');

describe('probePlan in a 3-host fabric', () => {
  it.each([
    ['routed', '172.30'],
    ['vxlan', '172.31'],
  ] as const)('%s: from the first namespace on the fabric bridge (db) to each peer’s probe container', (mode, net) => {
    expect(lines(fabricProbes(probePlan(fabricNetwork(mode), undefined, 'vm1')))).toEqual([
      `fabric db db->vm2/db ${net}.1.2`,
      `fabric db db->vm3/db ${net}.2.2`,
    ]);
  });

  it('come after the host’s own probes (peer, gateway, host, upstream), which are those of any bridge', () => {
    expect(lines(probePlan(fabricNetwork('routed'), { ipv4: '10.239.128.1' }, 'vm1'))).toEqual([
      'peer db db->web 172.30.0.3',
      'gateway db db->cnet0 172.30.0.1',
      'peer web web->db 172.30.0.2',
      'gateway web web->cnet0 172.30.0.1',
      'host - host->db 172.30.0.2',
      'host - host->web 172.30.0.3',
      'upstream db db->upstream 10.239.128.1',
      'upstream web web->upstream 10.239.128.1',
      'fabric db db->vm2/db 172.30.1.2',
      'fabric db db->vm3/db 172.30.2.2',
    ]);
  });

  it('a fabric without a namespace on its bridge probes nothing across hosts', () => {
    const bare = fabricNetwork(
      'routed',
      undefined,
      'vm1',
      'all:\n  vars:\n    cnet:\n      namespaces:\n        db: { bridge: other }\n        web: { bridge: other }\n      bridges:\n        other: { subnet: 10.50.0.0/24 }\n',
    );
    expect(bare.namespaces.every((n) => n.bridge === 'other')).toBe(true);
    expect(fabricProbes(probePlan(bare, undefined, 'vm1'))).toEqual([]);
  });
});

describe('fabricTargets: every peer up to FABRIC_PROBE_ALL, a bounded set beyond', () => {
  it('is 8 = the ring’s two neighbours + 6 others', () => {
    expect([FABRIC_PROBE_ALL, FABRIC_PROBE_RANDOM]).toEqual([8, 6]);
  });

  it('9 hosts (8 peers): every peer; 10 hosts (9 peers): 8 of them', () => {
    for (const h of fabricInventory('routed', manyHosts(9)).hosts) expect(fabricTargets(h.network.fabric!, h.name)).toHaveLength(8);
    for (const h of fabricInventory('routed', manyHosts(10)).hosts) expect(fabricTargets(h.network.fabric!, h.name)).toHaveLength(8);
  });

  describe('20 hosts', () => {
    const hosts = fabricInventory('vxlan', manyHosts(20)).hosts;
    const names = hosts.map((h) => h.name);
    const targets = new Map(hosts.map((h) => [h.name, fabricProbes(probePlan(h.network, undefined, h.name)).map((p) => p.to.split('/')[0]!)]));
    /** ring order: by subnet (inventory order vm1 … vm20; the hosts themselves come in name order) */
    const ring = [...hosts].sort((a, b) => Number(a.network.fabric!.subnet.network) - Number(b.network.fabric!.subnet.network)).map((h) => h.name);

    it('the subnets follow inventory order (vmN gets 172.31.N-1.0/24), not name order', () => {
      for (const h of hosts) expect(formatCidr(h.network.fabric!.subnet)).toBe(`172.31.${Number(h.name.slice(2)) - 1}.0/24`);
      expect(ring).toEqual(Array.from({ length: 20 }, (_, i) => `vm${i + 1}`));
      expect(names.slice(0, 3)).toEqual(['vm1', 'vm10', 'vm11']);
    });

    it('each host probes 8 distinct peers, never itself, each at its probe container', () => {
      for (const h of hosts) {
        const probes = fabricProbes(probePlan(h.network, undefined, h.name));
        expect(probes, h.name).toHaveLength(8);
        const to = targets.get(h.name)!;
        expect(new Set(to).size, h.name).toBe(8);
        expect(to, h.name).not.toContain(h.name);
        for (const p of probes) {
          const peer = h.network.fabric!.peers.find((x) => `${x.host}/db` === p.to)!;
          expect(p.target).toBe(peer.probe!.address);
          expect(p).toMatchObject({ netns: 'db', from: 'db' });
        }
      }
    });

    it('the first two are the ring neighbours (next and previous subnet), wrapping at both ends', () => {
      for (const [i, name] of ring.entries()) {
        const next = ring[(i + 1) % ring.length];
        const prev = ring[(i + ring.length - 1) % ring.length];
        expect(targets.get(name)!.slice(0, 2), name).toEqual([next, prev]);
      }
    });

    it('every host is probed by at least 2 others', () => {
      for (const name of names) {
        const by = names.filter((n) => targets.get(n)!.includes(name));
        expect(by.length, name).toBeGreaterThanOrEqual(2);
        expect(by, name).not.toContain(name);
      }
    });

    it('is the same on every call (a hash of the two names, not chance)', () => {
      for (const h of hosts) {
        expect(probePlan(h.network, undefined, h.name)).toEqual(probePlan(h.network, undefined, h.name));
        expect(fabricTargets(h.network.fabric!, h.name)).toEqual(fabricTargets(h.network.fabric!, h.name));
      }
      const again = fabricInventory('vxlan', manyHosts(20)).hosts;
      for (const h of again) expect(fabricProbes(probePlan(h.network, undefined, h.name)).map((p) => p.to.split('/')[0])).toEqual(targets.get(h.name));
    });

    it('the 6 others differ between hosts (not one fixed subset for the whole fleet)', () => {
      const others = new Set(names.map((n) => targets.get(n)!.slice(2).sort().join(',')));
      expect(others.size).toBeGreaterThan(1);
    });
  });
});

describe('fabricProbeNote: what the output says the fabric probes cover', () => {
  it('small fabric: every other member; big: 8 of N, ring + random; up: deferred to verify; no fabric: nothing', () => {
    const small = fabricInventory('routed').hosts.map((h) => h.network);
    expect(fabricProbeNote(small, 'verify')).toBe('fabric probes: each host pings a container on every other member (2)');
    const big = fabricInventory('vxlan', manyHosts(20)).hosts.map((h) => h.network);
    expect(fabricProbeNote(big, 'verify')).toBe(
      'fabric probes: each host pings 8 of its 19 peers, its ring neighbours and 6 chosen at random (the same each run): every host is pinged by at least two others',
    );
    expect(fabricProbeNote(small, 'up')).toMatch(/run with `verify --probe`/);
    expect(fabricProbeNote([{ bridges: [], namespaces: [] }], 'verify')).toBeUndefined();
  });
});
