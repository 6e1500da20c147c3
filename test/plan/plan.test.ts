import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts } from '../../src/facts/types.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { DesiredNetwork } from '../../src/inventory/types.js';
import { formatOwned } from '../../src/ownership/record.js';
import { planDown, planUp, remaining } from '../../src/plan/plan.js';
import { renderSteps } from '../../src/plan/render-shell.js';
import { PHASES, type Step } from '../../src/plan/step.js';

/** The desired network of the recorded VM: both seed topologies on one host. */
function seedNetwork(): DesiredNetwork {
  const hosts = parseSource('hosts.yaml', 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.10, ansible_user: root }\n');
  const seeds = ['seed-part2.yaml', 'seed-pb-jelly.yaml'].map((f) => {
    const url = new URL(`../../inventories/${f}`, import.meta.url);
    return parseSource(url.pathname, readFileSync(url, 'utf8'));
  });
  const inv = resolveInventory([hosts, ...seeds]);
  expect(inv.hosts.map((h) => h.name)).toEqual(['vm1']);
  return inv.hosts[0]!.network;
}

const desired = seedNetwork();
const facts = (name: string): HostFacts => parseFacts(readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8'));
const empty = facts('empty');
const converged = facts('converged');
const drifted = facts('drifted');
const foreign = facts('foreign');

/** The phases of the steps, consecutive repeats collapsed. */
const phaseRuns = (steps: Step[]): string[] => steps.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1]);
const owned = (steps: Step[]): string[] => steps.flatMap((s) => (s.owns ? [formatOwned(s.owns)] : []));

const NAT_BR0 = "-s 172.18.0.0/16 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE";
const NAT_BRD1 = "-s 172.19.0.0/24 '!' -o brd1 -m comment --comment cnet-remote:brd1 -j MASQUERADE";

describe('the desired network', () => {
  it('is both seeds: br0 with container1/2, brd1 with pb and jelly, NAT on both', () => {
    expect(desired.bridges.map((b) => [b.name, b.nets.map((net) => [net.address, net.nat])])).toEqual([
      ['br0', [['172.18.0.1', true]]],
      ['brd1', [['172.19.0.1', true]]],
    ]);
    expect(desired.namespaces.map((n) => [n.name, n.bridge, n.addresses, n.hostIf, n.nsIf])).toEqual([
      ['container1', 'br0', ['172.18.0.2'], 'veth1', 'ceth1'],
      ['container2', 'br0', ['172.18.0.3'], 'veth2', 'ceth2'],
      ['jelly', 'brd1', ['172.19.0.3'], 'bread-j-veth', 'veth-jelly'],
      ['pb', 'brd1', ['172.19.0.2'], 'bread-pb-veth', 'veth-pb'],
    ]);
  });
});

describe('planUp on empty.txt: the full seed build', () => {
  const plan = planUp(desired, empty);

  it('builds everything: the host in phase order (netns → bridge → veth → link → address), then each namespace (link → address → route), then nat → forward', () => {
    expect(plan.conflicts).toEqual([]);
    expect(renderSteps(plan.steps)).toEqual([
      'ip netns add container1',
      'ip netns add container2',
      'ip netns add jelly',
      'ip netns add pb',
      'ip link add name br0 type bridge',
      'ip link add name brd1 type bridge',
      'ip link add name veth1 type veth peer name ceth1 address 02:42:ac:12:00:02 netns container1',
      'ip link add name veth2 type veth peer name ceth2 address 02:42:ac:12:00:03 netns container2',
      'ip link add name bread-j-veth type veth peer name veth-jelly address 02:42:ac:13:00:03 netns jelly',
      'ip link add name bread-pb-veth type veth peer name veth-pb address 02:42:ac:13:00:02 netns pb',
      'ip link set dev br0 alias cnet-remote',
      'ip link set dev br0 up',
      'ip link set dev brd1 alias cnet-remote',
      'ip link set dev brd1 up',
      'ip link set dev veth1 alias cnet-remote',
      'ip link set dev veth1 master br0',
      'ip link set dev veth1 up',
      'ip link set dev veth2 alias cnet-remote',
      'ip link set dev veth2 master br0',
      'ip link set dev veth2 up',
      'ip link set dev bread-j-veth alias cnet-remote',
      'ip link set dev bread-j-veth master brd1',
      'ip link set dev bread-j-veth up',
      'ip link set dev bread-pb-veth alias cnet-remote',
      'ip link set dev bread-pb-veth master brd1',
      'ip link set dev bread-pb-veth up',
      'ip addr add 172.18.0.1/16 dev br0',
      'ip addr add 172.19.0.1/24 dev brd1',
      'ip -n container1 link set dev lo alias cnet-remote',
      'ip -n container1 link set dev lo up',
      'ip -n container1 link set dev ceth1 alias cnet-remote',
      'ip -n container1 link set dev ceth1 up',
      'ip -n container1 addr add 172.18.0.2/16 dev ceth1',
      'ip -n container1 route replace default via 172.18.0.1 dev ceth1',
      'ip -n container2 link set dev lo alias cnet-remote',
      'ip -n container2 link set dev lo up',
      'ip -n container2 link set dev ceth2 alias cnet-remote',
      'ip -n container2 link set dev ceth2 up',
      'ip -n container2 addr add 172.18.0.3/16 dev ceth2',
      'ip -n container2 route replace default via 172.18.0.1 dev ceth2',
      'ip -n jelly link set dev lo alias cnet-remote',
      'ip -n jelly link set dev lo up',
      'ip -n jelly link set dev veth-jelly alias cnet-remote',
      'ip -n jelly link set dev veth-jelly up',
      'ip -n jelly addr add 172.19.0.3/24 dev veth-jelly',
      'ip -n jelly route replace default via 172.19.0.1 dev veth-jelly',
      'ip -n pb link set dev lo alias cnet-remote',
      'ip -n pb link set dev lo up',
      'ip -n pb link set dev veth-pb alias cnet-remote',
      'ip -n pb link set dev veth-pb up',
      'ip -n pb addr add 172.19.0.2/24 dev veth-pb',
      'ip -n pb route replace default via 172.19.0.1 dev veth-pb',
      `iptables -w -t nat -A POSTROUTING ${NAT_BR0}`,
      `iptables -w -t nat -A POSTROUTING ${NAT_BRD1}`,
      'sysctl -w net.ipv4.ip_forward=1',
    ]);
    const host = plan.steps.filter((st) => st.argv[1] !== '-n' && st.argv[0] === 'ip');
    expect(phaseRuns(host)).toEqual(['netns', 'bridge', 'veth', 'link', 'address']);
    for (const ns of ['container1', 'container2', 'jelly', 'pb']) {
      expect(phaseRuns(plan.steps.filter((st) => st.argv[2] === ns && st.argv[1] === '-n'))).toEqual(['link', 'address', 'route']);
    }
  });

  it('records every object it creates, and ip_forward as it was', () => {
    expect(owned(plan.steps)).toEqual([
      'netns container1',
      'netns container2',
      'netns jelly',
      'netns pb',
      'link br0',
      'link brd1',
      'link veth1',
      'link veth2',
      'link bread-j-veth',
      'link bread-pb-veth',
      'nat 172.18.0.0/16 br0',
      'nat 172.19.0.0/24 brd1',
      'forward 0',
    ]);
  });

  it('records the same objects, in the same order, as the recorded converged host', () => {
    expect(owned(plan.steps)).toEqual(converged.record.map(formatOwned));
  });

  it('never touches the foreign bridge or the foreign NAT rule', () => {
    for (const cmd of renderSteps(plan.steps)) {
      expect(cmd).not.toMatch(/foreign0|10\.77\.|eth0\b/);
    }
  });

  it('has one finding per difference, each with its fix', () => {
    expect(plan.findings.every((f) => f.fix.length > 0)).toBe(true);
    expect(plan.findings.flatMap((f) => f.fix)).toHaveLength(plan.steps.length);
  });
});

describe('planUp on converged.txt', () => {
  it('has nothing to do: zero steps, zero findings, zero conflicts', () => {
    const plan = planUp(desired, converged);
    expect(plan.findings).toEqual([]);
    expect(renderSteps(plan.steps)).toEqual([]);
    expect(plan.conflicts).toEqual([]);
  });
});

describe('planUp on drifted.txt', () => {
  const plan = planUp(desired, drifted);

  it('repairs exactly the drift and nothing else', () => {
    expect(plan.conflicts).toEqual([]);
    expect(renderSteps(plan.steps)).toEqual([
      // container2 (ip netns del took veth2 with it) is rebuilt
      'ip netns add container2',
      'ip link add name veth2 type veth peer name ceth2 address 02:42:ac:12:00:03 netns container2',
      // brd1 up
      'ip link set dev brd1 up',
      'ip link set dev veth2 alias cnet-remote',
      'ip link set dev veth2 master br0',
      'ip link set dev veth2 up',
      // inside container2
      'ip -n container2 link set dev lo alias cnet-remote',
      'ip -n container2 link set dev lo up',
      'ip -n container2 link set dev ceth2 alias cnet-remote',
      'ip -n container2 link set dev ceth2 up',
      'ip -n container2 addr add 172.18.0.3/16 dev ceth2',
      'ip -n container2 route replace default via 172.18.0.1 dev ceth2',
      // the extra jelly address
      'ip -n jelly addr del 172.19.0.99/24 dev veth-jelly',
      // pb's default route
      'ip -n pb route replace default via 172.19.0.1 dev veth-pb',
      // the br0 NAT rule
      `iptables -w -t nat -A POSTROUTING ${NAT_BR0}`,
      // ip_forward
      'sysctl -w net.ipv4.ip_forward=1',
    ]);
  });

  it('names each drift as a finding', () => {
    expect(plan.findings.map((f) => f.path)).toEqual([
      'bridges.brd1.state',
      'namespaces.container2',
      'namespaces.container2.lo',
      'namespaces.container2.veth',
      'namespaces.container2.host_if.master',
      'namespaces.container2.host_if.state',
      'namespaces.container2.ns_if.state',
      'namespaces.container2.address',
      'namespaces.container2.default_route',
      'namespaces.jelly.address',
      'namespaces.pb.default_route',
      'bridges.br0.nat',
      'ip_forward',
    ]);
    const byPath = new Map(plan.findings.map((f) => [f.path, f]));
    expect(byPath.get('bridges.brd1.state')).toMatchObject({ desired: 'UP', actual: 'DOWN' });
    expect(byPath.get('namespaces.jelly.address')).toMatchObject({ desired: '172.19.0.3/24', actual: '172.19.0.3/24, 172.19.0.99/24' });
    expect(byPath.get('namespaces.pb.default_route')).toMatchObject({ desired: 'via 172.19.0.1 dev veth-pb', actual: 'none' });
    expect(byPath.get('ip_forward')).toMatchObject({ desired: '1', actual: '0' });
  });

  it('records the rebuilt objects again, but not ip_forward (the record already has its first value)', () => {
    expect(owned(plan.steps)).toEqual(['netns container2', 'link veth2', 'nat 172.18.0.0/16 br0']);
  });

  it('undoes only what a step changes: a default route it adds is taken back by itself, not whatever default route is there then', () => {
    const add = plan.steps.find((st) => st.argv.join(' ') === 'ip -n pb route replace default via 172.19.0.1 dev veth-pb')!;
    expect(add.undo).toEqual(['ip', '-n', 'pb', 'route', 'del', 'default', 'via', '172.19.0.1', 'dev', 'veth-pb']);
  });

  it('leaves the foreign NAT rule alone', () => {
    for (const cmd of renderSteps(plan.steps)) expect(cmd).not.toContain('10.77.');
  });
});

describe('planUp on foreign.txt', () => {
  const plan = planUp(desired, foreign);

  it('refuses with conflicts naming veth1 and the hand-made namespace pb', () => {
    expect(plan.conflicts).toHaveLength(2);
    expect(plan.conflicts[0]).toMatch(/^veth1 already exists as bridge \(not created by cnet-remote\).*host_if for namespace container1/);
    expect(plan.conflicts[1]).toMatch(
      /^namespace pb already exists and was not created by cnet-remote \(its lo does not carry the mark "cnet-remote"\).*remove it \(ip netns del pb\) or choose another namespace name$/,
    );
  });

  it('has no step touching veth1, veth-pb, their peer x1, or the foreign namespace pb', () => {
    const cmds = renderSteps(plan.steps);
    expect(cmds.length).toBeGreaterThan(0);
    for (const cmd of cmds) {
      const words = cmd.split(' ');
      expect(words, cmd).not.toContain('veth1');
      expect(words, cmd).not.toContain('veth-pb');
      expect(words, cmd).not.toContain('x1');
      expect(words, cmd).not.toContain('foreign0');
      expect(cmd, cmd).not.toMatch(/-n pb\b|netns pb\b|\bpb$/);
      expect(cmd).not.toContain('10.77.');
    }
  });

  it('plans nothing for the two conflicting namespaces beyond creating the missing one', () => {
    const cmds = renderSteps(plan.steps);
    expect(cmds.filter((c) => /container1|ceth1/.test(c))).toEqual(['ip netns add container1', 'ip -n container1 link set dev lo alias cnet-remote']);
    expect(cmds.filter((c) => /\bpb\b|bread-pb-veth/.test(c))).toEqual([]);
  });
});

describe('planDown', () => {
  it('on converged.txt removes exactly the recorded objects: nat → veth → netns → bridges → ip_forward', () => {
    const steps = planDown(converged);
    expect(renderSteps(steps)).toEqual([
      `iptables -w -t nat -D POSTROUTING ${NAT_BR0}`,
      `iptables -w -t nat -D POSTROUTING ${NAT_BRD1}`,
      'ip link del dev veth1',
      'ip link del dev veth2',
      'ip link del dev bread-j-veth',
      'ip link del dev bread-pb-veth',
      'ip netns del container1',
      'ip netns del container2',
      'ip netns del jelly',
      'ip netns del pb',
      'ip link del dev br0',
      'ip link del dev brd1',
      'sysctl -w net.ipv4.ip_forward=0',
    ]);
    expect(phaseRuns(steps)).toEqual(['del-nat', 'del-veth', 'del-netns', 'del-bridge', 'del-forward']);
    // each takes its object off the record
    expect(steps.map((s) => s.disowns && formatOwned(s.disowns)).sort()).toEqual(converged.record.map(formatOwned).sort());
    for (const s of steps) expect(PHASES.indexOf(s.phase)).toBeGreaterThanOrEqual(PHASES.indexOf('del-nat'));
  });

  it('never touches the foreign rule, the foreign bridge or the uplink', () => {
    for (const f of [converged, drifted, foreign, empty]) {
      for (const cmd of renderSteps(planDown(f))) expect(cmd).not.toMatch(/10\.77\.|foreign0|eth0\b/);
    }
  });

  it('on drifted.txt removes what of the record is still there', () => {
    expect(renderSteps(planDown(drifted))).toEqual([
      `iptables -w -t nat -D POSTROUTING ${NAT_BRD1}`,
      'ip link del dev veth1',
      'ip link del dev bread-j-veth',
      'ip link del dev bread-pb-veth',
      'ip netns del container1',
      'ip netns del jelly',
      'ip netns del pb',
      'ip link del dev br0',
      'ip link del dev brd1',
    ]);
  });

  it('on empty.txt and foreign.txt (no record) does nothing', () => {
    expect(planDown(empty)).toEqual([]);
    expect(planDown(foreign)).toEqual([]);
  });

  it('keeps a recorded interface that no longer carries our mark', () => {
    const unmarked: HostFacts = {
      ...converged,
      root: { ...converged.root, links: converged.root.links.map((l) => (l.name === 'br0' ? { ...l, alias: 'someone else' } : l)) },
    };
    const cmds = renderSteps(planDown(unmarked));
    expect(cmds).not.toContain('ip link del dev br0');
    expect(cmds).toContain('ip link del dev brd1');
  });

  it('removes what carries our mark though the record lost it, and nothing unmarked the record does not list', () => {
    const lost: HostFacts = { ...converged, record: converged.record.filter((o) => o.kind === 'link' && o.name === 'brd1') };
    expect(renderSteps(planDown(lost))).toEqual([
      `iptables -w -t nat -D POSTROUTING ${NAT_BR0}`,
      `iptables -w -t nat -D POSTROUTING ${NAT_BRD1}`,
      'ip link del dev veth1',
      'ip link del dev veth2',
      'ip link del dev bread-j-veth',
      'ip link del dev bread-pb-veth',
      'ip link del dev brd1',
      'ip link del dev br0',
    ]);
    // namespaces of an earlier version (no mark on lo) and ip_forward: the record alone speaks for them
    expect(renderSteps(planDown({ ...converged, record: [] }))).not.toContain('ip netns del pb');
    expect(renderSteps(planDown({ ...converged, record: [] }))).not.toContain('sysctl -w net.ipv4.ip_forward=0');
  });
});

describe('remaining (after down)', () => {
  it('is empty when nothing of the record is left (the empty host after down)', () => {
    expect(remaining(converged.record, empty)).toEqual([]);
    expect(remaining([], empty)).toEqual([]);
  });

  it('lists what is still there otherwise', () => {
    const left = remaining(converged.record, converged);
    expect(left).toHaveLength(13);
    expect(left).toContain('ip netns del pb');
  });
});
