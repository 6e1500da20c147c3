import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts } from '../../src/facts/types.js';
import { formatCidr } from '../../src/address/family.js';
import { formatOwned } from '../../src/ownership/record.js';
import { guardConflicts } from '../../src/plan/guard.js';
import { planDown, planUp, remaining } from '../../src/plan/plan.js';
import { renderSteps } from '../../src/plan/render-shell.js';
import { PHASES, type Step } from '../../src/plan/step.js';
import { FABRIC_FACTS as F, fabricNetwork, LAB_HOSTS, UNDERLAY_DEV_ETH0 } from './fabric-helpers.js';

// recorded earlier, on another simulated VM: no fabric, a foreign bridge and a foreign NAT rule (see plan.test.ts)
const empty: HostFacts = parseFacts(readFileSync(new URL('../fixtures/facts/empty.txt', import.meta.url), 'utf8'));

const routed = fabricNetwork('routed');
const vxlan = fabricNetwork('vxlan');

const phaseRuns = (steps: Step[]): string[] => steps.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1]);
const owned = (steps: Step[]): string[] => steps.flatMap((s) => (s.owns ? [formatOwned(s.owns)] : []));
const cmds = (steps: Step[]): string[] => renderSteps(steps);
/** A structured copy of the facts, edited by `fn`. */
const edited = (f: HostFacts, fn: (c: HostFacts) => void): HostFacts => {
  const c = structuredClone(f);
  fn(c);
  return c;
};

const NAT_ROUTED = "-s 172.30.0.0/24 '!' -d 172.30.0.0/16 '!' -o cnet0 -m comment --comment cnet-remote:cnet0 -j MASQUERADE";
const NAT_VXLAN = "-s 172.31.0.0/24 '!' -d 172.31.0.0/16 '!' -o cnet0 -m comment --comment cnet-remote:cnet0 -j MASQUERADE";
const ZERO = '00:00:00:00:00:00';

describe('the desired fabric of vm1 (first in inventory order)', () => {
  it('routed: cnet0 on 172.30.0.0/24, NAT except the supernet, a route to vm2 and vm3 via their addresses', () => {
    expect(
      routed.bridges.map((b) => [
        b.name,
        b.nets.map((net) => [formatCidr(net.subnet), net.address, net.nat, net.natExcept && formatCidr(net.natExcept)]),
        b.mtu,
      ]),
    ).toEqual([['cnet0', [['172.30.0.0/24', '172.30.0.1', true, '172.30.0.0/16']], undefined]]);
    expect(routed.namespaces.map((n) => [n.name, n.addresses, n.hostIf, n.nsIf])).toEqual([
      ['db', ['172.30.0.2'], 've-db', 'eth0'],
      ['web', ['172.30.0.3'], 've-web', 'eth0'],
    ]);
    expect(routed.fabric?.peers.map((p) => [p.host, formatCidr(p.subnet), p.underlay])).toEqual([
      ['vm2', '172.30.1.0/24', '10.239.0.11'],
      ['vm3', '172.30.2.0/24', '10.239.0.12'],
    ]);
  });

  it('vxlan: the same shape on 172.31.0.0/16, MTU 1450 on the bridge, device vxcnet0 (VNI 42, port 4789)', () => {
    expect(vxlan.bridges.map((b) => [b.name, b.nets.map((net) => formatCidr(net.subnet)), b.mtu])).toEqual([['cnet0', ['172.31.0.0/24'], 1450]]);
    expect(vxlan.fabric?.underlay).toBe('10.239.0.10');
    expect(vxlan.fabric?.vxlan).toEqual({ device: 'vxcnet0', vni: 42, port: 4789, mtu: 1450 });
  });
});

describe('planUp on the recorded converged fabric', () => {
  it.each([
    ['routed', routed, F.routed],
    ['vxlan', vxlan, F.vxlan],
  ])('%s: nothing to do — zero steps, findings and conflicts', (_mode, desired, facts) => {
    const plan = planUp(desired, facts);
    expect(plan.findings).toEqual([]);
    expect(cmds(plan.steps)).toEqual([]);
    expect(plan.conflicts).toEqual([]);
  });

  it('vxlan: learned entries in the forwarding database (from the probes) are not findings', () => {
    const entries = F.vxlan.fdb?.get('vxcnet0') ?? [];
    expect(entries.filter((e) => e.mac !== ZERO).length).toBeGreaterThan(0);
    expect(planUp(vxlan, F.vxlan).findings).toEqual([]);
  });
});

describe('planUp routed on empty.txt: the full build', () => {
  const plan = planUp(routed, empty);
  const routes = plan.steps.filter((s) => s.argv.join(' ').startsWith('ip route replace 172.30.'));

  it('has no conflicts', () => {
    expect(plan.conflicts).toEqual([]);
  });

  it('routes each peer’s subnet via its underlay address, exactly once, owned, with an undo that deletes it', () => {
    expect(routes).toEqual([
      {
        phase: 'route',
        argv: ['ip', 'route', 'replace', '172.30.1.0/24', 'via', '10.239.0.11'],
        reason: 'the fabric routes 172.30.1.0/24 via 10.239.0.11',
        owns: { kind: 'route', dst: '172.30.1.0/24', via: '10.239.0.11' },
        undo: ['ip', 'route', 'del', '172.30.1.0/24', 'via', '10.239.0.11'],
      },
      {
        phase: 'route',
        argv: ['ip', 'route', 'replace', '172.30.2.0/24', 'via', '10.239.0.12'],
        reason: 'the fabric routes 172.30.2.0/24 via 10.239.0.12',
        owns: { kind: 'route', dst: '172.30.2.0/24', via: '10.239.0.12' },
        undo: ['ip', 'route', 'del', '172.30.2.0/24', 'via', '10.239.0.12'],
      },
    ]);
    expect(plan.findings.filter((f) => f.path.startsWith('fabric.'))).toEqual([
      {
        path: 'fabric.routes.vm2',
        desired: 'via 10.239.0.11',
        actual: 'absent',
        object: { kind: 'route', name: '172.30.1.0/24', host: 'vm2' },
        part: '',
        fix: [routes[0]],
      },
      {
        path: 'fabric.routes.vm3',
        desired: 'via 10.239.0.12',
        actual: 'absent',
        object: { kind: 'route', name: '172.30.2.0/24', host: 'vm3' },
        part: '',
        fix: [routes[1]],
      },
    ]);
  });

  it('no VXLAN device, FDB entry, supernet route or MTU in routed mode', () => {
    for (const c of cmds(plan.steps)) expect(c).not.toMatch(/vxlan|vxcnet0|\bfdb\b|172\.30\.0\.0\/16 dev|\bmtu\b/);
  });

  it('routes on the host after its bridge has its address, before the namespaces’ own steps', () => {
    const host = plan.steps.filter((s) => s.argv[0] === 'ip' && s.argv[1] !== '-n');
    expect(phaseRuns(host)).toEqual(['netns', 'bridge', 'veth', 'link', 'address', 'route']);
    const firstNs = plan.steps.findIndex((s) => s.argv[1] === '-n');
    expect(plan.steps.indexOf(routes[1]!)).toBeLessThan(firstNs);
    expect(cmds(plan.steps).indexOf('ip addr add 172.30.0.1/24 dev cnet0')).toBeLessThan(plan.steps.indexOf(routes[0]!));
  });

  it('masquerades what leaves the fabric, never what goes to the supernet, and turns forwarding on', () => {
    expect(cmds(plan.steps).slice(-2)).toEqual([`iptables -w -t nat -A POSTROUTING ${NAT_ROUTED}`, 'sysctl -w net.ipv4.ip_forward=1']);
    expect(plan.steps.find((s) => s.phase === 'nat')?.owns).toEqual({ kind: 'nat', subnet: '172.30.0.0/24', bridge: 'cnet0', except: '172.30.0.0/16' });
  });

  it('records the same objects, in the same order, as the real `up` recorded on vm1', () => {
    expect(owned(plan.steps)).toEqual(F.routed.record.map(formatOwned));
  });

  it('never touches the foreign bridge or NAT rule of empty.txt', () => {
    for (const c of cmds(plan.steps)) expect(c).not.toMatch(/foreign0|10\.77\./);
  });
});

describe('planUp vxlan on empty.txt: the full build', () => {
  const plan = planUp(vxlan, empty);
  const all = cmds(plan.steps);
  const at = (c: string): number => {
    const i = all.indexOf(c);
    if (i < 0) throw new Error(`no step ${c}`);
    return i;
  };

  it('builds the bridge, the VXLAN device on it, the containers at MTU 1450, the peers, the supernet route, NAT and forwarding', () => {
    expect(plan.conflicts).toEqual([]);
    expect(all).toEqual([
      'ip netns add db',
      'ip netns add web',
      'ip link add name cnet0 type bridge',
      'ip link add name vxcnet0 type vxlan id 42 dstport 4789 local 10.239.0.10',
      'ip link add name ve-db type veth peer name eth0 address 02:42:ac:1f:00:02 netns db',
      'ip link add name ve-web type veth peer name eth0 address 02:42:ac:1f:00:03 netns web',
      'ip link set dev cnet0 alias cnet-remote',
      'ip link set dev cnet0 mtu 1450',
      'ip link set dev cnet0 up',
      'ip link set dev ve-db alias cnet-remote',
      'ip link set dev ve-db master cnet0',
      'ip link set dev ve-db mtu 1450',
      'ip link set dev ve-db up',
      'ip link set dev ve-web alias cnet-remote',
      'ip link set dev ve-web master cnet0',
      'ip link set dev ve-web mtu 1450',
      'ip link set dev ve-web up',
      'ip link set dev vxcnet0 alias cnet-remote',
      'ip link set dev vxcnet0 mtu 1450',
      'ip link set dev vxcnet0 master cnet0',
      'ip link set dev vxcnet0 up',
      'ip addr add 172.31.0.1/24 dev cnet0',
      'ip route replace 172.31.0.0/16 dev cnet0',
      'ip -n db link set dev lo alias cnet-remote',
      'ip -n db link set dev lo up',
      'ip -n db link set dev eth0 alias cnet-remote',
      'ip -n db link set dev eth0 mtu 1450',
      'ip -n db link set dev eth0 up',
      'ip -n db addr add 172.31.0.2/24 dev eth0',
      'ip -n db route replace default via 172.31.0.1 dev eth0',
      'ip -n web link set dev lo alias cnet-remote',
      'ip -n web link set dev lo up',
      'ip -n web link set dev eth0 alias cnet-remote',
      'ip -n web link set dev eth0 mtu 1450',
      'ip -n web link set dev eth0 up',
      'ip -n web addr add 172.31.0.3/24 dev eth0',
      'ip -n web route replace default via 172.31.0.1 dev eth0',
      `bridge fdb append ${ZERO} dev vxcnet0 dst 10.239.0.11`,
      `bridge fdb append ${ZERO} dev vxcnet0 dst 10.239.0.12`,
      `iptables -w -t nat -A POSTROUTING ${NAT_VXLAN}`,
      'sysctl -w net.ipv4.ip_forward=1',
    ]);
  });

  it('creates the VXLAN device with its VNI, port and local address, owned, undone by deleting it', () => {
    expect(plan.steps.find((s) => s.phase === 'vxlan')).toEqual({
      phase: 'vxlan',
      argv: ['ip', 'link', 'add', 'name', 'vxcnet0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.239.0.10'],
      reason: 'VXLAN device vxcnet0 is missing',
      owns: { kind: 'link', name: 'vxcnet0' },
      undo: ['ip', 'link', 'del', 'dev', 'vxcnet0'],
    });
  });

  it('orders the VXLAN device after the bridge, before its mark, MTU, master and up', () => {
    const add = at('ip link add name vxcnet0 type vxlan id 42 dstport 4789 local 10.239.0.10');
    expect(at('ip link add name cnet0 type bridge')).toBeLessThan(add);
    for (const c of ['alias cnet-remote', 'mtu 1450', 'master cnet0', 'up']) expect(add).toBeLessThan(at(`ip link set dev vxcnet0 ${c}`));
    expect(PHASES.indexOf('bridge')).toBeLessThan(PHASES.indexOf('vxlan'));
    expect(PHASES.indexOf('vxlan')).toBeLessThan(PHASES.indexOf('link'));
  });

  it('sets MTU 1450 on the bridge, the VXLAN device, both host ends and both ends inside the namespaces', () => {
    expect(all.filter((c) => c.includes(' mtu '))).toEqual([
      'ip link set dev cnet0 mtu 1450',
      'ip link set dev ve-db mtu 1450',
      'ip link set dev ve-web mtu 1450',
      'ip link set dev vxcnet0 mtu 1450',
      'ip -n db link set dev eth0 mtu 1450',
      'ip -n web link set dev eth0 mtu 1450',
    ]);
  });

  it('appends one all-zeros FDB entry per peer, consecutive (one `bridge -batch`), after the device is up, each undone by its del', () => {
    const fdb = plan.steps.filter((s) => s.phase === 'fdb');
    expect(fdb.map((s) => [s.argv.join(' '), s.undo?.join(' '), s.owns])).toEqual([
      [`bridge fdb append ${ZERO} dev vxcnet0 dst 10.239.0.11`, `bridge fdb del ${ZERO} dev vxcnet0 dst 10.239.0.11`, undefined],
      [`bridge fdb append ${ZERO} dev vxcnet0 dst 10.239.0.12`, `bridge fdb del ${ZERO} dev vxcnet0 dst 10.239.0.12`, undefined],
    ]);
    const first = plan.steps.indexOf(fdb[0]!);
    expect(plan.steps.slice(first, first + fdb.length)).toEqual(fdb);
    expect(at('ip link set dev vxcnet0 up')).toBeLessThan(first);
    expect(plan.findings.filter((f) => f.path.startsWith('fabric.fdb.')).map((f) => [f.path, f.desired, f.actual])).toEqual([
      ['fabric.fdb.vm2', `${ZERO} dst 10.239.0.11`, 'absent'],
      ['fabric.fdb.vm3', `${ZERO} dst 10.239.0.12`, 'absent'],
    ]);
  });

  it('routes the supernet onto the bridge, owned, undone by deleting it', () => {
    expect(plan.steps.filter((s) => s.argv.includes('172.31.0.0/16') && s.argv[0] === 'ip')).toEqual([
      {
        phase: 'route',
        argv: ['ip', 'route', 'replace', '172.31.0.0/16', 'dev', 'cnet0'],
        reason: 'the fabric routes 172.31.0.0/16 dev cnet0',
        owns: { kind: 'route', dst: '172.31.0.0/16', dev: 'cnet0' },
        undo: ['ip', 'route', 'del', '172.31.0.0/16', 'dev', 'cnet0'],
      },
    ]);
  });

  it('names the fabric’s findings: the device, its MTU, master and state, each peer, the supernet route', () => {
    expect(plan.findings.map((f) => f.path).filter((p) => p.startsWith('fabric.'))).toEqual([
      'fabric.vxlan',
      'fabric.vxlan.mtu',
      'fabric.vxlan.master',
      'fabric.vxlan.state',
      'fabric.fdb.vm2',
      'fabric.fdb.vm3',
      'fabric.route',
    ]);
    expect(plan.findings.find((f) => f.path === 'fabric.vxlan')).toMatchObject({ desired: 'vxlan id 42 dstport 4789 local 10.239.0.10', actual: 'absent' });
  });

  it('records the same objects, in the same order, as the real `up` recorded on vm1', () => {
    expect(owned(plan.steps)).toEqual(F.vxlan.record.map(formatOwned));
  });
});

describe('planUp on the host recorded after `down` (fabric-down.txt: the session runs over eth0)', () => {
  it.each([
    ['routed', routed],
    ['vxlan', vxlan],
  ])('%s: the same full build as on empty.txt, without conflicts although the containers’ interfaces are named eth0 too', (_mode, desired) => {
    expect(F.down.mgmt).toEqual({ client: '10.239.0.1', server: '10.239.0.10', dev: 'eth0' });
    const plan = planUp(desired, F.down);
    expect(plan.conflicts).toEqual([]);
    expect(cmds(plan.steps)).toEqual(cmds(planUp(desired, empty).steps));
  });
});

describe('planUp on drift', () => {
  it('routed, vm2’s route deleted: exactly that route again, found as fabric.routes.vm2', () => {
    const plan = planUp(routed, F.routedDrifted);
    expect(plan.conflicts).toEqual([]);
    expect(cmds(plan.steps)).toEqual(['ip route replace 172.30.1.0/24 via 10.239.0.11']);
    expect(plan.findings.map((f) => [f.path, f.desired, f.actual])).toEqual([['fabric.routes.vm2', 'via 10.239.0.11', 'absent']]);
    // recorded again: the record keeps its first line (parseRecord drops repeats)
    expect(owned(plan.steps)).toEqual(['route 172.30.1.0/24 via 10.239.0.11']);
  });

  it('vxlan, vm2’s flood entry deleted: exactly that entry again, found as fabric.fdb.vm2 (its learned MACs do not stand in for it)', () => {
    expect((F.vxlanDrifted.fdb?.get('vxcnet0') ?? []).some((e) => e.dst === '10.239.0.11' && e.mac !== ZERO)).toBe(true);
    const plan = planUp(vxlan, F.vxlanDrifted);
    expect(plan.conflicts).toEqual([]);
    expect(cmds(plan.steps)).toEqual([`bridge fdb append ${ZERO} dev vxcnet0 dst 10.239.0.11`]);
    expect(plan.findings.map((f) => [f.path, f.desired, f.actual])).toEqual([['fabric.fdb.vm2', `${ZERO} dst 10.239.0.11`, 'absent']]);
  });

  it('routed, a peer’s new underlay address: our route is replaced, and its undo restores the old one', () => {
    const hosts = LAB_HOSTS.replace('vm2: { ansible_host: 10.239.0.11 }', 'vm2: { ansible_host: 10.239.0.11, cnet_underlay_address: 10.239.0.21 }');
    const plan = planUp(fabricNetwork('routed', hosts), F.routed);
    expect(plan.conflicts).toEqual([]);
    expect(plan.findings.map((f) => [f.path, f.desired, f.actual])).toEqual([['fabric.routes.vm2', 'via 10.239.0.21', 'via 10.239.0.11 dev eth0']]);
    expect(plan.steps.map((s) => [s.argv.join(' '), s.undo?.join(' ')])).toEqual([
      ['ip route replace 172.30.1.0/24 via 10.239.0.21', 'ip route replace 172.30.1.0/24 via 10.239.0.11 dev eth0'],
    ]);
  });

  it('vxlan, other device parameters (VNI 43): the device is recreated, with its settings and every peer again', () => {
    const f = edited(F.vxlan, (c) => {
      const vx = c.root.links.find((l) => l.name === 'vxcnet0')!;
      vx.vxlan = { ...vx.vxlan!, id: 43 };
    });
    const plan = planUp(vxlan, f);
    expect(plan.conflicts).toEqual([]);
    expect(cmds(plan.steps)).toEqual([
      'ip link del dev vxcnet0',
      'ip link add name vxcnet0 type vxlan id 42 dstport 4789 local 10.239.0.10',
      'ip link set dev vxcnet0 alias cnet-remote',
      'ip link set dev vxcnet0 mtu 1450',
      'ip link set dev vxcnet0 master cnet0',
      'ip link set dev vxcnet0 up',
      `bridge fdb append ${ZERO} dev vxcnet0 dst 10.239.0.11`,
      `bridge fdb append ${ZERO} dev vxcnet0 dst 10.239.0.12`,
    ]);
    expect(plan.findings[0]).toMatchObject({
      path: 'fabric.vxlan',
      desired: 'vxlan id 42 dstport 4789 local 10.239.0.10',
      actual: 'vxlan id 43 dstport 4789 local 10.239.0.10',
    });
  });
});

describe('planUp with a route cnet-remote did not create (fabric-routed-foreign.txt)', () => {
  const plan = planUp(routed, F.routedForeign);

  it('is a conflict naming the route, what it is and what the fabric needs', () => {
    expect(plan.conflicts).toEqual([
      'the host already routes 172.30.1.0/24 via 10.239.0.12 dev eth0 (not created by cnet-remote); the fabric needs via 10.239.0.11: remove that route or change the fabric',
    ]);
  });

  it('has no step touching that route, and no finding for it; the other peer is still planned', () => {
    for (const s of plan.steps) {
      expect(s.argv, s.argv.join(' ')).not.toContain('172.30.1.0/24');
      expect(s.undo ?? [], s.argv.join(' ')).not.toContain('172.30.1.0/24');
    }
    expect(plan.findings.map((f) => f.path)).not.toContain('fabric.routes.vm2');
    expect(cmds(plan.steps)).toContain('ip route replace 172.30.2.0/24 via 10.239.0.12');
  });

  it('is left alone by down: nothing recorded, nothing removed', () => {
    expect(F.routedForeign.record).toEqual([]);
    expect(planDown(F.routedForeign)).toEqual([]);
  });
});

describe('FDB entries of hosts not in the fabric', () => {
  it('an all-zeros entry on our device for an address no member has (recorded): deleted, found by its address', () => {
    const plan = planUp(vxlan, F.vxlanStranger);
    expect(plan.conflicts).toEqual([]);
    expect(plan.steps).toEqual([
      {
        phase: 'fdb',
        argv: ['bridge', 'fdb', 'del', ZERO, 'dev', 'vxcnet0', 'dst', '10.239.0.13'],
        reason: '10.239.0.13 is not a member of the fabric',
        undo: ['bridge', 'fdb', 'append', ZERO, 'dev', 'vxcnet0', 'dst', '10.239.0.13'],
      },
    ]);
    expect(plan.findings.map((f) => [f.path, f.desired, f.actual])).toEqual([['fabric.fdb.10.239.0.13', 'absent', `${ZERO} dst 10.239.0.13`]]);
  });

  it('a host that left the inventory (vm3): its entry is deleted, nothing else changes', () => {
    const twoHosts = LAB_HOSTS.replace('    vm3: { ansible_host: 10.239.0.12 }\n', '');
    const plan = planUp(fabricNetwork('vxlan', twoHosts), F.vxlan);
    expect(cmds(plan.steps)).toEqual([`bridge fdb del ${ZERO} dev vxcnet0 dst 10.239.0.12`]);
  });

  it('routed: a host that left the inventory (vm3): our route to its subnet is deleted, nothing else changes', () => {
    const twoHosts = LAB_HOSTS.replace('    vm3: { ansible_host: 10.239.0.12 }\n', '');
    const plan = planUp(fabricNetwork('routed', twoHosts), F.routed);
    expect(cmds(plan.steps)).toEqual(['ip route del 172.30.2.0/24 via 10.239.0.12']);
    expect(plan.findings.map((f) => f.path)).toEqual(['leftover.route.172.30.2.0/24']);
    // a route to that subnet that is not ours stays
    const notOurs = { ...F.routed, record: F.routed.record.filter((o) => !(o.kind === 'route' && o.dst === '172.30.2.0/24')) };
    expect(planUp(fabricNetwork('routed', twoHosts), notOurs).steps).toEqual([]);
  });

  it('a VXLAN device that is not ours is a conflict, and its entries are left alone', () => {
    const f = edited(F.vxlanStranger, (c) => {
      c.root.links.find((l) => l.name === 'vxcnet0')!.alias = 'someone else';
      c.record = c.record.filter((o) => !(o.kind === 'link' && o.name === 'vxcnet0'));
    });
    const plan = planUp(vxlan, f);
    expect(plan.conflicts).toEqual([
      'vxcnet0 already exists as vxlan (not created by cnet-remote): cnet-remote only changes interfaces it created; remove it or set another fabric device',
    ]);
    for (const c of cmds(plan.steps)) expect(c).not.toContain('vxcnet0');
  });
});

describe('the management-path guard and the VXLAN underlay device', () => {
  const withDev = fabricNetwork('vxlan', LAB_HOSTS, 'vm1', UNDERLAY_DEV_ETH0);

  it('underlay_dev: eth0 is the VXLAN device’s setting', () => {
    expect(withDev.fabric?.vxlan?.dev).toBe('eth0');
  });

  it('`ip link add … type vxlan … dev eth0` does not count as changing eth0, the session’s interface', () => {
    expect(F.down.mgmt?.dev).toBe('eth0');
    const plan = planUp(withDev, F.down);
    expect(cmds(plan.steps)).toContain('ip link add name vxcnet0 type vxlan id 42 dstport 4789 local 10.239.0.10 dev eth0');
    expect(plan.conflicts).toEqual([]);
  });

  it('converged with underlay_dev (recorded): nothing to do', () => {
    expect(F.vxlanUnderlayDev.root.links.find((l) => l.name === 'vxcnet0')?.vxlan).toEqual({ id: 42, port: 4789, local: '10.239.0.10', dev: 'eth0' });
    const plan = planUp(withDev, F.vxlanUnderlayDev);
    expect([plan.steps, plan.findings, plan.conflicts]).toEqual([[], [], []]);
  });

  it('a device without it, when the inventory now names eth0: recreated with dev eth0, still no conflict', () => {
    const plan = planUp(withDev, F.vxlan);
    expect(cmds(plan.steps).slice(0, 2)).toEqual([
      'ip link del dev vxcnet0',
      'ip link add name vxcnet0 type vxlan id 42 dstport 4789 local 10.239.0.10 dev eth0',
    ]);
    expect(plan.conflicts).toEqual([]);
  });

  it('while a step that does change eth0 is refused', () => {
    const step = (argv: string[]): Step => ({ phase: 'link', argv, reason: 'test' });
    expect(guardConflicts(withDev, F.down, [step(['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1450'])])).toEqual([
      '`ip link set dev eth0 mtu 1450` would change eth0, the interface that carries this SSH session',
    ]);
    expect(guardConflicts(withDev, F.down, [step(['ip', 'link', 'set', 'dev', 'eth0', 'master', 'cnet0'])])).toHaveLength(1);
  });
});

describe('planDown on the recorded converged fabric', () => {
  it('routed: the routes first (del-route), then NAT with its `! -d`, veths, namespaces, the bridge, ip_forward as it was, the record', () => {
    const steps = planDown(F.routed);
    expect(cmds(steps)).toEqual([
      'ip route del 172.30.1.0/24 via 10.239.0.11',
      'ip route del 172.30.2.0/24 via 10.239.0.12',
      `iptables -w -t nat -D POSTROUTING ${NAT_ROUTED}`,
      'ip link del dev ve-db',
      'ip link del dev ve-web',
      'ip netns del db',
      'ip netns del web',
      'ip link del dev cnet0',
      'sysctl -w net.ipv4.ip_forward=0',
    ]);
    expect(phaseRuns(steps)).toEqual(['del-route', 'del-nat', 'del-veth', 'del-netns', 'del-bridge', 'del-forward']);
  });

  it('vxlan: the supernet route, NAT with its `! -d`, veths, namespaces, the bridge and the VXLAN device, ip_forward, the record', () => {
    const steps = planDown(F.vxlan);
    expect(cmds(steps)).toEqual([
      'ip route del 172.31.0.0/16 dev cnet0',
      `iptables -w -t nat -D POSTROUTING ${NAT_VXLAN}`,
      'ip link del dev ve-db',
      'ip link del dev ve-web',
      'ip netns del db',
      'ip netns del web',
      'ip link del dev cnet0',
      'ip link del dev vxcnet0',
      'sysctl -w net.ipv4.ip_forward=0',
    ]);
    // the FDB entries go with their device: no step of their own
    for (const c of cmds(steps)) expect(c).not.toMatch(/^bridge /);
  });

  it('routed drifted: only the route that is still there', () => {
    expect(cmds(planDown(F.routedDrifted)).filter((c) => c.startsWith('ip route'))).toEqual(['ip route del 172.30.2.0/24 via 10.239.0.12']);
  });

  it('never touches the session’s interface or its routes', () => {
    for (const f of [F.routed, F.vxlan, F.routedDrifted, F.vxlanDrifted, F.vxlanStranger]) {
      for (const c of cmds(planDown(f))) expect(c.split(' ')).not.toContain('eth0');
    }
  });
});

describe('what remains after down', () => {
  it.each([
    ['routed', F.routed],
    ['vxlan', F.vxlan],
  ])('%s: none on empty.txt, nor on the host recorded after the real down', (_mode, before) => {
    expect(remaining(before.record, empty)).toEqual([]);
    expect(remaining(before.record, F.down)).toEqual([]);
  });

  it('a route to our subnet via another gateway is not ours: no leftover', () => {
    expect(remaining(F.routed.record, F.routedForeign)).toEqual([]);
  });

  it('what is still there otherwise, routes included', () => {
    expect(remaining(F.routed.record, F.routedDrifted)).toContain('ip route del 172.30.2.0/24 via 10.239.0.12');
    // argv joined with spaces, as the report prints them: every step of down
    expect(remaining(F.vxlan.record, F.vxlan)).toEqual(planDown(F.vxlan).map((s) => s.argv.join(' ')));
  });
});
