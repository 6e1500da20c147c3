import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts, NetnsFacts } from '../../src/facts/types.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { DesiredNetwork } from '../../src/inventory/types.js';
import { formatOwned, TAG } from '../../src/ownership/record.js';
import { addressClashes, duplicateAddresses } from '../../src/plan/duplicates.js';
import { ourNatRule } from '../../src/firewall/iptables.js';
import { namespaceIsOurs, ownedOnHost } from '../../src/plan/owned.js';
import { leftovers, planDown, planUp } from '../../src/plan/plan.js';
import { renderSteps } from '../../src/plan/render-shell.js';

/**
 * What the inventory no longer names: removed by `up` (unless --no-prune), named by `verify`; and
 * what is not ours though it has our name. Facts recorded on a lab VM with both seeds up
 * (converged.txt), the inventory then changed.
 */
const HOSTS = 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.10, ansible_user: root }\n';
const seed = (f: string) => readFileSync(new URL(`../../inventories/${f}`, import.meta.url), 'utf8');
function network(...texts: string[]): DesiredNetwork {
  return resolveInventory([parseSource('hosts.yaml', HOSTS), ...texts.map((t, i) => parseSource(`inv${i}.yaml`, t))]).hosts[0]!.network;
}
const converged = parseFacts(readFileSync(new URL('../fixtures/facts/converged.txt', import.meta.url), 'utf8'));
const both = [seed('seed-part2.yaml'), seed('seed-pb-jelly.yaml')];
const NAT_BR0 = "-s 172.18.0.0/16 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE";

/** part2 with container2 renamed container3 (same interfaces, no address: the next free one, 172.18.0.3) */
const renamed = seed('seed-part2.yaml').replace(
  'container2: { bridge: br0, address: 172.18.0.3, host_if: veth2, ns_if: ceth2 }',
  'container3: { bridge: br0, host_if: veth3, ns_if: ceth3 }',
);

describe('a namespace renamed in the inventory (container2 → container3)', () => {
  const desired = network(renamed, seed('seed-pb-jelly.yaml'));
  const plan = planUp(desired, converged);

  it('the new one gets the address the old one had', () => {
    expect(desired.namespaces.find((n) => n.name === 'container3')?.addresses).toEqual(['172.18.0.3']);
  });

  it('up removes container2 (and its veth) first, then builds container3: never two namespaces on one address', () => {
    expect(plan.conflicts).toEqual([]);
    const cmds = renderSteps(plan.steps);
    expect(cmds.slice(0, 2)).toEqual(['ip link del dev veth2', 'ip netns del container2']);
    expect(cmds).toContain('ip netns add container3');
    expect(cmds).toContain('ip -n container3 addr add 172.18.0.3/16 dev ceth3');
    expect(cmds.filter((c) => /container2|veth2|ceth2/.test(c))).toEqual(['ip link del dev veth2', 'ip netns del container2']);
    expect(plan.leftovers.map((f) => [f.path, f.desired])).toEqual([
      ['leftover.netns.container2', 'absent'],
      ['leftover.link.veth2', 'absent'],
    ]);
    expect(plan.findings.slice(0, 2)).toEqual(plan.leftovers);
  });

  it('the record after it: container2 and veth2 gone, container3 and veth3 in', () => {
    const record = plan.record.map(formatOwned);
    expect(record).not.toContain('netns container2');
    expect(record).not.toContain('link veth2');
    expect(record).toEqual(expect.arrayContaining(['netns container1', 'netns container3', 'link veth3', 'nat 172.18.0.0/16 br0', 'forward 0']));
  });

  it('--no-prune keeps container2, and refuses to give its address to container3', () => {
    const keep = planUp(desired, converged, { prune: false });
    expect(renderSteps(keep.steps).filter((c) => /container2|veth2/.test(c))).toEqual([]);
    expect(keep.conflicts).toEqual([
      "172.18.0.3 of namespace container3 is still used on br0 by container2, a leftover of cnet-remote's: run up without --no-prune to remove it",
    ]);
    expect(keep.findings.map((f) => f.path)).not.toContain('leftover.netns.container2');
  });

  it('verify names both leftovers (path, desired absent, what it is)', () => {
    expect(leftovers(desired, converged).map((f) => `${f.path}: ${f.desired}, ${f.actual}`)).toEqual([
      'leftover.netns.container2: absent, namespace container2 (made by cnet-remote; the inventory no longer names it)',
      'leftover.link.veth2: absent, interface veth2 (made by cnet-remote; the inventory no longer names it)',
    ]);
  });
});

describe('a bridge whose subnet changed, and nat: false', () => {
  it('a new subnet: the old MASQUERADE rule goes, the new one comes, the bridge gets its new address (the old one goes)', () => {
    const moved = seed('seed-part2.yaml').replaceAll('172.18.', '172.20.');
    const plan = planUp(network(moved, seed('seed-pb-jelly.yaml')), converged);
    const cmds = renderSteps(plan.steps);
    expect(cmds[0]).toBe(`iptables -w -t nat -D POSTROUTING ${NAT_BR0}`);
    expect(cmds).toContain("iptables -w -t nat -A POSTROUTING -s 172.20.0.0/16 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE");
    expect(cmds).toContain('ip addr del 172.18.0.1/16 dev br0');
    expect(cmds).toContain('ip addr add 172.20.0.1/16 dev br0');
    expect(plan.leftovers.map((f) => f.path)).toEqual(['leftover.nat.172.18.0.0/16']);
    expect(plan.record.map(formatOwned)).toContain('nat 172.20.0.0/16 br0');
    expect(plan.record.map(formatOwned)).not.toContain('nat 172.18.0.0/16 br0');
  });

  it('nat: false on both: the rules go, and ip_forward goes back to 0', () => {
    const off = both.map((t) => t.replace('nat: true', 'nat: false'));
    const plan = planUp(network(...off), converged);
    expect(renderSteps(plan.steps)).toEqual([
      `iptables -w -t nat -D POSTROUTING ${NAT_BR0}`,
      "iptables -w -t nat -D POSTROUTING -s 172.19.0.0/24 '!' -o brd1 -m comment --comment cnet-remote:brd1 -j MASQUERADE",
      'sysctl -w net.ipv4.ip_forward=0',
    ]);
    expect(plan.record.map(formatOwned).filter((o) => /^(nat|forward)/.test(o))).toEqual([]);
  });

  it('nat: false on one bridge only: its rule goes, forwarding stays (the other still needs it)', () => {
    const plan = planUp(network(seed('seed-part2.yaml').replace('nat: true', 'nat: false'), seed('seed-pb-jelly.yaml')), converged);
    expect(renderSteps(plan.steps)).toEqual([`iptables -w -t nat -D POSTROUTING ${NAT_BR0}`]);
  });

  it('an inventory that names everything it made: nothing left over, nothing to do', () => {
    expect(leftovers(network(...both), converged)).toEqual([]);
    expect(planUp(network(...both), converged).steps).toEqual([]);
  });
});

describe('what is ours: the record and the marks', () => {
  const withNamespace = (name: string, ns: NetnsFacts, nsid?: number): HostFacts => ({
    ...converged,
    netns: new Map([...converged.netns, [name, nsid]]),
    namespaces: new Map([...converged.namespaces, [name, ns]]),
  });
  const lo = (alias?: string) => ({ ifindex: 1, name: 'lo', up: false, operstate: 'DOWN', ...(alias ? { alias } : {}), addresses: [] });
  const desired = network(seed('seed-part2.yaml').replace('container2:', 'web:').replace('container2', 'web'), seed('seed-pb-jelly.yaml'));

  it('a hand-made namespace with an inventory name is not taken over: a conflict, nothing planned in it', () => {
    const facts = withNamespace('web', { links: [lo()], routes: [] });
    expect(namespaceIsOurs('web', facts)).toBe(false);
    const plan = planUp(desired, facts);
    expect(plan.conflicts).toContain(
      'namespace web already exists and was not created by cnet-remote (its lo does not carry the mark "cnet-remote"): cnet-remote only changes namespaces it created; remove it (ip netns del web) or choose another namespace name',
    );
    expect(renderSteps(plan.steps).filter((c) => /\bweb\b/.test(c))).toEqual([]);
    // and down leaves it alone
    expect(renderSteps(planDown(facts)).filter((c) => /\bweb\b/.test(c))).toEqual([]);
  });

  it('a namespace whose lo carries the mark is ours, recorded or not (a lost record)', () => {
    const facts = withNamespace('web', { links: [lo(TAG)], routes: [] });
    expect(namespaceIsOurs('web', facts)).toBe(true);
    expect(planUp(desired, facts).conflicts).toEqual([]);
    expect(renderSteps(planDown({ ...facts, record: [] }))).toContain('ip netns del web');
  });

  it('a recorded namespace of an earlier version (lo unmarked, its container end marked) is ours; recorded but holding nothing of ours, it is not', () => {
    expect(namespaceIsOurs('container1', converged)).toBe(true);
    const emptied = withNamespace('container1', { links: [lo()], routes: [] });
    expect(namespaceIsOurs('container1', emptied)).toBe(false);
    expect(renderSteps(planDown(emptied))).not.toContain('ip netns del container1');
  });

  it('NAT rules: ours only in our exact shape with our comment', () => {
    expect(ourNatRule(['-s', '172.18.0.0/16', '!', '-o', 'br0', '-m', 'comment', '--comment', 'cnet-remote:br0', '-j', 'MASQUERADE'])).toEqual({
      kind: 'nat',
      subnet: '172.18.0.0/16',
      bridge: 'br0',
    });
    expect(
      ourNatRule(['-s', '10.1.0.0/16', '!', '-d', '10.0.0.0/8', '!', '-o', 'cnet0', '-m', 'comment', '--comment', 'cnet-remote:cnet0', '-j', 'MASQUERADE']),
    ).toEqual({ kind: 'nat', subnet: '10.1.0.0/16', bridge: 'cnet0', except: '10.0.0.0/8' });
    expect(ourNatRule(['-s', '172.18.0.0/16', '!', '-o', 'br0', '-m', 'comment', '--comment', 'cnet-remote:br1', '-j', 'MASQUERADE'])).toBeUndefined();
    expect(ourNatRule(['-s', '172.18.0.0/16', '-o', 'br0', '-m', 'comment', '--comment', 'cnet-remote:br0', '-j', 'MASQUERADE'])).toBeUndefined();
    expect(ourNatRule(['-s', '172.18.0.0/16', '!', '-o', 'br0', '-j', 'MASQUERADE'])).toBeUndefined();
  });

  it('the record lists what is ours and there: a recorded object that is gone (or unmarked) is dropped from it', () => {
    const gone: HostFacts = { ...converged, root: { ...converged.root, links: converged.root.links.filter((l) => l.name !== 'veth1') } };
    expect(ownedOnHost(gone).map(formatOwned)).not.toContain('link veth1');
    expect(ownedOnHost(converged).map(formatOwned).sort()).toEqual(converged.record.map(formatOwned).sort());
  });
});

describe('an address used twice on a bridge', () => {
  it('verify names it, with who holds it', () => {
    const c1 = converged.namespaces.get('container1')!;
    const twice: HostFacts = {
      ...converged,
      namespaces: new Map([
        ...converged.namespaces,
        [
          'container1',
          {
            ...c1,
            links: c1.links.map((l) =>
              l.name === 'ceth1' ? { ...l, addresses: [{ family: 'inet', local: '172.18.0.3', prefixlen: 16, scope: 'global' }] } : l,
            ),
          },
        ],
      ]),
    };
    expect(duplicateAddresses(network(...both), twice)).toEqual([
      {
        path: 'bridges.br0.addresses',
        desired: '172.18.0.3 used once',
        actual: '172.18.0.3 used by container1 and container2',
        object: { kind: 'bridge', name: 'br0' },
        part: 'addresses',
      },
    ]);
    expect(duplicateAddresses(network(...both), converged)).toEqual([]);
  });

  it('a desired address held by a namespace the inventory does not name is a clash', () => {
    expect(addressClashes(network(renamed), converged)).toEqual(['172.18.0.3 of namespace container3 is still used on br0 by container2']);
    expect(addressClashes(network(...both), converged)).toEqual([]);
  });
});
