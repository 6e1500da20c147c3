import { describe, expect, it } from 'vitest';
import type { DesiredNetwork } from '../../src/inventory/types.js';
import { probePlan, type PlannedProbe } from '../../src/verify/probe-plan.js';
import { bothSeeds, network, seedNetwork } from './helpers.js';

const UPSTREAM = '198.51.100.7';

/** One line per probe: kind, netns (or -), from → to, target. */
const lines = (probes: PlannedProbe[]): string[] => probes.map((p) => `${p.kind} ${p.netns ?? '-'} ${p.from}->${p.to} ${p.target}`);

const PART2 = [
  'peer container1 container1->container2 172.18.0.3',
  'gateway container1 container1->br0 172.18.0.1',
  'peer container2 container2->container1 172.18.0.2',
  'gateway container2 container2->br0 172.18.0.1',
  'host - host->container1 172.18.0.2',
  'host - host->container2 172.18.0.3',
];

/** Every address the inventory names: bridges and namespaces. */
const addresses = (d: DesiredNetwork): Set<string> =>
  new Set([...d.bridges.flatMap((b) => b.nets.map((net) => net.address)), ...d.namespaces.flatMap((n) => n.addresses)]);

describe('probePlan on seed-part2', () => {
  const desired = seedNetwork('seed-part2.yaml');

  it('without an upstream target: peers both ways, each gateway, the host to each namespace; no upstream', () => {
    expect(lines(probePlan(desired))).toEqual(PART2);
  });

  it('with an upstream target: the same, plus each namespace on the NAT bridge to the upstream', () => {
    expect(lines(probePlan(desired, { ipv4: UPSTREAM }))).toEqual([
      ...PART2,
      `upstream container1 container1->upstream ${UPSTREAM}`,
      `upstream container2 container2->upstream ${UPSTREAM}`,
    ]);
  });

  it('an empty upstream string is no target', () => {
    expect(lines(probePlan(desired, { ipv4: '' }))).toEqual(PART2);
  });

  it('host probes run in the root namespace (no netns); all others inside their source namespace', () => {
    for (const p of probePlan(desired, { ipv4: UPSTREAM })) {
      if (p.kind === 'host') {
        expect(p.netns).toBeUndefined();
        expect(p.from).toBe('host');
      } else expect(p.netns).toBe(p.from);
    }
  });
});

describe('probePlan on both seeds', () => {
  const desired = bothSeeds();

  it('per bridge of n namespaces: n(n-1) peer, n gateway, n host and n upstream probes', () => {
    const probes = probePlan(desired, { ipv4: UPSTREAM });
    const count = (kind: string, bridge: string) =>
      probes.filter((p) => p.kind === kind && desired.namespaces.find((n) => n.name === (p.netns ?? p.to))?.bridge === bridge).length;
    for (const b of ['br0', 'brd1']) {
      expect([count('peer', b), count('gateway', b), count('host', b), count('upstream', b)]).toEqual([2, 2, 2, 2]);
    }
    expect(probes).toHaveLength(16);
  });

  it('never probes across bridges', () => {
    for (const p of probePlan(desired, { ipv4: UPSTREAM }).filter((x) => x.kind === 'peer')) {
      const from = desired.namespaces.find((n) => n.name === p.from)!;
      const to = desired.namespaces.find((n) => n.name === p.to)!;
      expect(from.bridge).toBe(to.bridge);
    }
  });

  it('targets are only addresses from the inventory, or the given upstream', () => {
    const known = addresses(desired);
    for (const p of probePlan(desired, { ipv4: UPSTREAM })) {
      if (p.kind === 'upstream') expect(p.target).toBe(UPSTREAM);
      else expect(known.has(p.target), `${p.kind} ${p.from}->${p.to} ${p.target}`).toBe(true);
    }
    for (const p of probePlan(desired)) expect(known.has(p.target)).toBe(true);
  });

  it('each target is the address of what the probe is to', () => {
    for (const p of probePlan(desired, { ipv4: UPSTREAM })) {
      if (p.kind === 'upstream') continue;
      // the seeds are IPv4-only: one address each, the probe's target
      const to =
        p.kind === 'gateway'
          ? desired.bridges.find((b) => b.name === p.to)?.nets.map((net) => net.address)
          : desired.namespaces.find((n) => n.name === p.to)?.addresses;
      expect(to).toEqual([p.target]);
    }
  });
});

describe('probePlan and NAT', () => {
  const desired = network(
    [
      'all:',
      '  vars:',
      '    cnet:',
      '      bridges:',
      '        lan: { subnet: 10.10.0.0/24, nat: false }',
      '        wan: { subnet: 10.20.0.0/24 }',
      '      namespaces:',
      '        a: { bridge: lan }',
      '        b: { bridge: lan }',
      '        c: { bridge: wan }',
      '',
    ].join('\n'),
  );

  it('a bridge with nat: false gets no upstream probe, even with a target', () => {
    expect(lines(probePlan(desired, { ipv4: UPSTREAM }))).toEqual([
      'peer a a->b 10.10.0.3',
      'gateway a a->lan 10.10.0.1',
      'peer b b->a 10.10.0.2',
      'gateway b b->lan 10.10.0.1',
      'host - host->a 10.10.0.2',
      'host - host->b 10.10.0.3',
      'gateway c c->wan 10.20.0.1',
      'host - host->c 10.20.0.2',
      `upstream c c->upstream ${UPSTREAM}`,
    ]);
  });

  it('a bridge without namespaces, and an empty network, get no probes', () => {
    expect(probePlan(network('all:\n  vars:\n    cnet:\n      bridges:\n        lone: { subnet: 10.30.0.0/24 }\n'), { ipv4: UPSTREAM })).toEqual([]);
    expect(probePlan({ bridges: [], namespaces: [] }, { ipv4: UPSTREAM })).toEqual([]);
  });
});
