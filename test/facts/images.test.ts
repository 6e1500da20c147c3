import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { findLink, type HostFacts, type LinkFact, type NetnsFacts } from '../../src/facts/types.js';
import { iptables } from '../../src/firewall/iptables.js';
import { natRulesOf } from '../../src/firewall/nat-rule.js';
import { nftables } from '../../src/firewall/nftables.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { DesiredNetwork } from '../../src/inventory/types.js';
import { formatOwned } from '../../src/ownership/record.js';
import { planUp } from '../../src/plan/plan.js';
import { renderSteps } from '../../src/plan/render-shell.js';
import { splitSections } from '../../src/remote/markers.js';

/**
 * The gather's whole output on vm1 of a lab whose VMs run each Debian image (iproute2 6.1 and
 * nftables 1.0.6 and iptables 1.8.9 on debian12; iproute2 6.15, nftables 1.1.3 and iptables 1.8.11
 * on debian13; no iptables on debian13-nft), empty, with the seed converged and with the VXLAN
 * fabric converged: recorded by test/fixtures/facts/images/record.mjs (README there). Each must
 * parse into the facts its state implies, and plan to nothing when converged.
 */
const DIR = new URL('../fixtures/facts/images/', import.meta.url);
const RECORDED = JSON.parse(readFileSync(new URL('recorded.json', DIR), 'utf8')) as Record<
  string,
  { versions: Record<string, string>; hosts: { vm1: string; vm2: string } }
>;

const IMAGES = [
  { image: 'debian12', iproute2: '6.1.0', nft: '1.0.6', iptables: '1.8.9', backend: iptables },
  { image: 'debian13', iproute2: '6.15.0', nft: '1.1.3', iptables: '1.8.11', backend: iptables },
  { image: 'debian13-nft', iproute2: '6.15.0', nft: '1.1.3', iptables: undefined, backend: nftables },
] as const;

const STATES = ['empty', 'seed', 'fabric-vxlan'] as const;
const text = (image: string, state: string): string => readFileSync(new URL(`${image}-${state}.txt`, DIR), 'utf8');

/** vm1's desired network from the lab's two hosts (as recorded) and one inventory of inventories/ */
function desiredOf(image: string, file: 'seed-part2.yaml' | 'fabric-vxlan.yaml'): DesiredNetwork {
  const { vm1, vm2 } = RECORDED[image]!.hosts;
  const url = new URL(`../../inventories/${file}`, import.meta.url);
  const inv = resolveInventory([
    parseSource('hosts.yaml', `all:\n  hosts:\n    vm1: { ansible_host: ${vm1} }\n    vm2: { ansible_host: ${vm2} }\n`),
    parseSource(url.pathname, readFileSync(url, 'utf8')),
  ]);
  return inv.hosts.find((h) => h.name === 'vm1')!.network;
}

function link(ns: NetnsFacts | undefined, name: string): LinkFact {
  const l = findLink(ns, name);
  if (!l) throw new Error(`no link ${name}`);
  return l;
}
/** a link's kind, master, alias, MTU and addresses, as a row */
const row = (l: LinkFact) => [l.name, l.kind, l.master, l.alias, l.mtu, l.addresses.map((a) => `${a.local}/${a.prefixlen}`)];
const mainRoutes = (ns: NetnsFacts | undefined) => ns!.routes.filter((r) => r.table === 'main').map((r) => [r.dst, r.gateway, r.dev]);
const owned = (b: (typeof IMAGES)[number]['backend'], f: HostFacts) => b.owned(f).map(formatOwned);

/** the seed's steps on an empty host but NAT's (each backend's own) */
const SEED_STEPS = [
  'ip netns add container1',
  'ip netns add container2',
  'ip link add name br0 type bridge',
  'ip link add name veth1 type veth peer name ceth1 address 02:42:ac:12:00:02 netns container1',
  'ip link add name veth2 type veth peer name ceth2 address 02:42:ac:12:00:03 netns container2',
  'ip link set dev br0 alias cnet-remote',
  'ip link set dev br0 up',
  'ip link set dev veth1 alias cnet-remote',
  'ip link set dev veth1 master br0',
  'ip link set dev veth1 up',
  'ip link set dev veth2 alias cnet-remote',
  'ip link set dev veth2 master br0',
  'ip link set dev veth2 up',
  'ip addr add 172.18.0.1/16 dev br0',
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
];

/** the fabric's steps on an empty vm1 but NAT's */
const fabricSteps = (vm1: string, vm2: string) => [
  'ip netns add db',
  'ip netns add web',
  'ip link add name cnet0 type bridge',
  `ip link add name vxcnet0 type vxlan id 42 dstport 4789 local ${vm1}`,
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
  ...['db', 'web'].flatMap((ns, i) => [
    `ip -n ${ns} link set dev lo alias cnet-remote`,
    `ip -n ${ns} link set dev lo up`,
    `ip -n ${ns} link set dev eth0 alias cnet-remote`,
    `ip -n ${ns} link set dev eth0 mtu 1450`,
    `ip -n ${ns} link set dev eth0 up`,
    `ip -n ${ns} addr add 172.31.0.${i + 2}/24 dev eth0`,
    `ip -n ${ns} route replace default via 172.31.0.1 dev eth0`,
  ]),
  `bridge fdb append 00:00:00:00:00:00 dev vxcnet0 dst ${vm2}`,
];

/** NAT's steps, each backend's, then forwarding */
const NAT_STEPS = {
  iptables: {
    seed: ["iptables -w -t nat -A POSTROUTING -s 172.18.0.0/16 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE"],
    fabric: ["iptables -w -t nat -A POSTROUTING -s 172.31.0.0/24 '!' -d 172.31.0.0/16 '!' -o cnet0 -m comment --comment cnet-remote:cnet0 -j MASQUERADE"],
  },
  nftables: {
    seed: [
      'nft add table inet cnet_remote',
      "nft add chain inet cnet_remote nat_br0 ';' flush chain inet cnet_remote nat_br0 ';' delete chain inet cnet_remote nat_br0 ';' add chain inet cnet_remote nat_br0 '{ type nat hook postrouting priority 100 ; policy accept ; }' ';' add rule inet cnet_remote nat_br0 ip saddr 172.18.0.0/16 oifname '!=' '\"br0\"' masquerade comment '\"cnet-remote:br0\"'",
    ],
    fabric: [
      'nft add table inet cnet_remote',
      "nft add chain inet cnet_remote nat_cnet0 ';' flush chain inet cnet_remote nat_cnet0 ';' delete chain inet cnet_remote nat_cnet0 ';' add chain inet cnet_remote nat_cnet0 '{ type nat hook postrouting priority 100 ; policy accept ; }' ';' add rule inet cnet_remote nat_cnet0 ip saddr 172.31.0.0/24 ip daddr '!=' 172.31.0.0/16 oifname '!=' '\"cnet0\"' masquerade comment '\"cnet-remote:cnet0\"'",
    ],
  },
} as const;
const FORWARD = 'sysctl -w net.ipv4.ip_forward=1';

describe('the recordings', () => {
  it('are there for every image and state, each a whole gather (to @@end), with the versions the README lists', () => {
    for (const { image, iproute2, nft, iptables: ipt } of IMAGES) {
      const v = RECORDED[image]!.versions;
      expect(v.iproute2).toMatch(new RegExp(`^${iproute2}-`));
      expect(v.nftables).toMatch(new RegExp(`^${nft}-`));
      expect(v.iptables).toEqual(ipt === undefined ? '' : expect.stringMatching(new RegExp(`^${ipt}-`)));
      for (const state of STATES) expect(text(image, state)).toMatch(/\n@@end\n$/);
    }
  });
});

describe.each(IMAGES)('$image (iproute2 $iproute2, nftables $nft, iptables $iptables)', ({ image, nft, iptables: ipt, backend }) => {
  const { vm1, vm2 } = RECORDED[image]!.hosts;
  const seed = desiredOf(image, 'seed-part2.yaml');
  const fabric = desiredOf(image, 'fabric-vxlan.yaml');
  const facts = Object.fromEntries(STATES.map((s) => [s, parseFacts(text(image, s))])) as Record<(typeof STATES)[number], HostFacts>;
  const natSteps = NAT_STEPS[backend.name];

  it('the versions are the ones that printed: nft metainfo, the iptables-save header', () => {
    for (const state of STATES) {
      const s = splitSections(text(image, state));
      expect(JSON.parse(s.get('nft')!).nftables[0].metainfo.version).toBe(nft);
      if (ipt === undefined) expect(s.get('iptables')).toMatch(/iptables-save: not found/);
      // an empty host has no iptables table yet: iptables-save prints nothing, so no header
      else if (state === 'empty') expect(s.get('iptables')).toBe('');
      else expect(s.get('iptables')).toContain(`# Generated by iptables-save v${ipt} (nf_tables)`);
    }
  });

  describe('empty', () => {
    const f = facts.empty;

    it('the lab VM alone: lo and eth0 (its veth to the lab), the route to the controller, no namespace, no VXLAN device, ip_forward 0, no record', () => {
      expect(f.uid).toBe(0);
      expect(f.root.links.map(row)).toEqual([
        ['lo', undefined, undefined, undefined, 65536, ['127.0.0.1/8']],
        ['eth0', 'veth', undefined, undefined, 1500, [`${vm1}/17`]],
      ]);
      expect(f.mgmt).toEqual({ client: vm1.replace(/\.10$/, '.1'), server: vm1, dev: 'eth0' });
      expect(mainRoutes(f.root)).toEqual([
        ['default', vm1.replace(/\.10$/, '.2'), 'eth0'],
        [vm1.replace(/\.10$/, '.0/17'), undefined, 'eth0'],
      ]);
      expect([...f.netns]).toEqual([]);
      expect([...f.namespaces]).toEqual([]);
      expect(f.fdb?.get('vxcnet0')).toBeUndefined();
      expect(f.ipForward).toBe(false);
      expect(f.record).toEqual([]);
      expect(f.txn).toBeUndefined();
    });

    it('the firewall: no rule of ours; nft answers without our table', () => {
      expect(f.nft).toEqual({ available: true });
      expect(f.nftChains).toEqual([]);
      if (ipt === undefined) expect(f.nat).toEqual({ available: false, rules: [], error: expect.stringContaining('iptables-save: not found') });
      else expect(f.nat).toEqual({ available: true, rules: [] });
      expect(owned(iptables, f)).toEqual([]);
      expect(owned(nftables, f)).toEqual([]);
    });

    it('planUp: the seed in full, NAT in the backend auto picks', () => {
      const plan = planUp(seed, f);
      expect(plan.conflicts).toEqual([]);
      expect(renderSteps(plan.steps)).toEqual([...SEED_STEPS, ...natSteps.seed, FORWARD]);
    });

    it('planUp: the fabric in full', () => {
      const plan = planUp(fabric, f);
      expect(plan.conflicts).toEqual([]);
      expect(renderSteps(plan.steps)).toEqual([...fabricSteps(vm1, vm2), ...natSteps.fabric, FORWARD]);
    });
  });

  describe('seed converged', () => {
    const f = facts.seed;

    it('br0 with the host ends of both veths, all ours, with the gateway address', () => {
      expect(f.root.links.map(row)).toEqual([
        ['lo', undefined, undefined, undefined, 65536, ['127.0.0.1/8']],
        ['eth0', 'veth', undefined, undefined, 1500, [`${vm1}/17`]],
        ['br0', 'bridge', undefined, 'cnet-remote', 1500, ['172.18.0.1/16']],
        ['veth1', 'veth', 'br0', 'cnet-remote', 1500, []],
        ['veth2', 'veth', 'br0', 'cnet-remote', 1500, []],
      ]);
      expect(link(f.root, 'br0').up).toBe(true);
      expect(mainRoutes(f.root)).toContainEqual(['172.18.0.0/16', undefined, 'br0']);
    });

    it('container1 and container2: lo and the inner veth end (its fixed MAC, its peer in the root namespace), the default route via br0', () => {
      expect([...f.netns.keys()].sort()).toEqual(['container1', 'container2']);
      expect([...f.namespaces.keys()]).toEqual(['container1', 'container2']);
      for (const [i, ns] of ['container1', 'container2'].entries()) {
        const n = f.namespaces.get(ns);
        const inner = link(n, `ceth${i + 1}`);
        expect(n!.links.map(row)).toEqual([
          ['lo', undefined, undefined, 'cnet-remote', 65536, ['127.0.0.1/8']],
          [`ceth${i + 1}`, 'veth', undefined, 'cnet-remote', 1500, [`172.18.0.${i + 2}/16`]],
        ]);
        expect(inner.mac).toBe(`02:42:ac:12:00:0${i + 2}`);
        expect(inner.peerIfindex).toBe(link(f.root, `veth${i + 1}`).ifindex);
        expect(mainRoutes(n)).toEqual([
          ['default', '172.18.0.1', `ceth${i + 1}`],
          ['172.18.0.0/16', undefined, `ceth${i + 1}`],
        ]);
      }
      expect(f.namespaces.has('db')).toBe(false);
      expect(f.fdb?.get('vxcnet0')).toBeUndefined();
    });

    it('ip_forward on, the record of what up made, the transaction committed', () => {
      expect(f.ipForward).toBe(true);
      expect(f.record.map(formatOwned)).toEqual([
        'netns container1',
        'netns container2',
        'link br0',
        'link veth1',
        'link veth2',
        ...(backend === nftables ? ['nft-table inet cnet_remote', 'nat 172.18.0.0/16 br0 nftables'] : ['nat 172.18.0.0/16 br0']),
        'forward 0',
      ]);
      expect(f.txn?.state).toBe('commit');
      expect(f.txnAtStart).toBe(f.txn?.after);
    });

    it(`the NAT rule read back from ${backend.name}, and nothing of ours in the other`, () => {
      const rule = natRulesOf(seed.bridges[0]!)[0]!;
      expect(rule).toEqual({ kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' });
      expect(backend.has(f, backend.rule(rule))).toBe(true);
      if (backend === iptables) {
        expect(f.nat.variant).toBe('nf_tables');
        expect(owned(iptables, f)).toEqual(['nat 172.18.0.0/16 br0']);
        expect(owned(nftables, f)).toEqual([]);
        expect(f.nft).toEqual({ available: true });
        // iptables-nft's own nat chain is not another firewall's base chain
        expect(splitSections(text(image, 'seed')).get('nft')).toContain('"table": "nat", "name": "POSTROUTING"');
        expect(f.nftChains).toEqual([]);
      } else {
        expect(f.nat.available).toBe(false);
        expect(f.nft?.available).toBe(true);
        expect(f.nft?.table).toEqual({ chains: [{ name: 'nat_br0', empty: false, rule: { ...rule, nftables: true } }] });
        expect(nftables.has(f, { kind: 'nft-table', family: 'inet', name: 'cnet_remote' })).toBe(true);
        expect(owned(nftables, f)).toEqual(['nat 172.18.0.0/16 br0 nftables', 'nft-table inet cnet_remote']);
        expect(f.nftChains).toEqual([{ family: 'inet', table: 'cnet_remote', name: 'nat_br0', hook: 'postrouting', policy: 'accept' }]);
      }
    });

    it('planUp: nothing to do', () => {
      const plan = planUp(seed, f);
      expect(plan.conflicts).toEqual([]);
      expect(renderSteps(plan.steps)).toEqual([]);
    });
  });

  describe('fabric-vxlan converged', () => {
    const f = facts['fabric-vxlan'];

    it('cnet0 at MTU 1450 with the VXLAN device and both veths; the route to the supernet', () => {
      expect(f.root.links.map(row)).toEqual([
        ['lo', undefined, undefined, undefined, 65536, ['127.0.0.1/8']],
        ['eth0', 'veth', undefined, undefined, 1500, [`${vm1}/17`]],
        ['cnet0', 'bridge', undefined, 'cnet-remote', 1450, ['172.31.0.1/24']],
        ['vxcnet0', 'vxlan', 'cnet0', 'cnet-remote', 1450, []],
        ['ve-db', 'veth', 'cnet0', 'cnet-remote', 1450, []],
        ['ve-web', 'veth', 'cnet0', 'cnet-remote', 1450, []],
      ]);
      expect(mainRoutes(f.root)).toEqual([
        ['default', vm1.replace(/\.10$/, '.2'), 'eth0'],
        [vm1.replace(/\.10$/, '.0/17'), undefined, 'eth0'],
        ['172.31.0.0/24', undefined, 'cnet0'],
        ['172.31.0.0/16', undefined, 'cnet0'],
      ]);
    });

    it('the VXLAN device: VNI 42, port 4789, local vm1, no underlay device (whatever else this iproute2 prints of it)', () => {
      expect(link(f.root, 'vxcnet0').vxlan).toEqual({ id: 42, port: 4789, local: vm1 });
    });

    it('its forwarding database: the flood entry to vm2, and what the probes taught it, all to vm2; the bridge-side entries left out', () => {
      const entries = f.fdb?.get('vxcnet0') ?? [];
      expect(entries).toContainEqual({ mac: '00:00:00:00:00:00', dst: vm2 });
      // vm2's containers, learned over the tunnel
      expect(entries).toContainEqual({ mac: '02:42:ac:1f:01:02', dst: vm2 });
      expect(entries).toContainEqual({ mac: '02:42:ac:1f:01:03', dst: vm2 });
      expect(entries.every((e) => e.dst === vm2)).toBe(true);
      const raw = JSON.parse(splitSections(text(image, 'fabric-vxlan')).get('fdb vxcnet0')!) as { dst?: string }[];
      expect(entries.length).toBe(raw.filter((e) => e.dst !== undefined).length);
      expect(raw.length).toBeGreaterThan(entries.length);
    });

    it('db and web: lo and eth0 at MTU 1450 with their addresses, the default route via cnet0', () => {
      expect([...f.namespaces.keys()]).toEqual(['db', 'web']);
      expect(f.namespaces.has('container1')).toBe(false);
      for (const [i, ns] of ['db', 'web'].entries()) {
        const n = f.namespaces.get(ns);
        expect(n!.links.map(row)).toEqual([
          ['lo', undefined, undefined, 'cnet-remote', 65536, ['127.0.0.1/8']],
          ['eth0', 'veth', undefined, 'cnet-remote', 1450, [`172.31.0.${i + 2}/24`]],
        ]);
        expect(link(n, 'eth0').mac).toBe(`02:42:ac:1f:00:0${i + 2}`);
        expect(mainRoutes(n)).toEqual([
          ['default', '172.31.0.1', 'eth0'],
          ['172.31.0.0/24', undefined, 'eth0'],
        ]);
      }
    });

    it(`ip_forward on; the NAT rule leaving the supernet alone, read back from ${backend.name}`, () => {
      expect(f.ipForward).toBe(true);
      const rule = natRulesOf(fabric.bridges[0]!)[0]!;
      expect(rule).toEqual({ kind: 'nat', subnet: '172.31.0.0/24', bridge: 'cnet0', except: '172.31.0.0/16' });
      expect(backend.has(f, backend.rule(rule))).toBe(true);
      if (backend === iptables) {
        expect(f.nat.variant).toBe('nf_tables');
        expect(owned(iptables, f)).toEqual(['nat 172.31.0.0/24 cnet0 172.31.0.0/16']);
        expect(owned(nftables, f)).toEqual([]);
      } else {
        expect(f.nat.available).toBe(false);
        expect(f.nft?.available).toBe(true);
        expect(owned(nftables, f)).toEqual(['nat 172.31.0.0/24 cnet0 172.31.0.0/16 nftables', 'nft-table inet cnet_remote']);
        expect(owned(iptables, f)).toEqual([]);
      }
    });

    it('planUp: nothing to do; the seed planned on it instead removes the fabric first', () => {
      const plan = planUp(fabric, f);
      expect(plan.conflicts).toEqual([]);
      expect(renderSteps(plan.steps)).toEqual([]);
      const other = renderSteps(planUp(seed, f).steps);
      expect(other).toContain('ip link del dev vxcnet0');
      expect(other.indexOf('ip link del dev vxcnet0')).toBeLessThan(other.indexOf('ip netns add container1'));
    });
  });
});

describe('iproute2 6.15 against 6.1: more fields, the same facts', () => {
  /** the vxlan device's info_data keys as each version printed them */
  const vxlanKeys = (image: string): string[] => {
    for (const line of splitSections(text(image, 'fabric-vxlan')).get('root')!.split('\n')) {
      const dev = line.startsWith('[{"ifindex"')
        ? (JSON.parse(line) as { ifname: string; linkinfo?: { info_data?: object } }[]).find((l) => l.ifname === 'vxcnet0')
        : undefined;
      if (dev?.linkinfo?.info_data) return Object.keys(dev.linkinfo.info_data).sort();
    }
    throw new Error(`no vxcnet0 in ${image}`);
  };

  it('6.15 prints the VXLAN flags 6.1 leaves out (external, localbypass, reserved_bits, …); the parsed device is the same', () => {
    const old = vxlanKeys('debian12');
    const added = vxlanKeys('debian13').filter((k) => !old.includes(k));
    expect(added).toEqual(['external', 'l2miss', 'l3miss', 'localbypass', 'proxy', 'remcsum_rx', 'remcsum_tx', 'reserved_bits', 'rsc']);
    expect(vxlanKeys('debian13-nft')).toEqual(vxlanKeys('debian13'));
  });

  it('6.15 prints more link and bridge fields (gro_ipv4_max_size, fdb_n_learned, mst_enabled, mab): parsed the same', () => {
    const seed12 = text('debian12', 'seed');
    const seed13 = text('debian13', 'seed');
    for (const k of ['gro_ipv4_max_size', 'fdb_n_learned', 'mst_enabled', '"mab"']) {
      expect(seed12).not.toContain(k);
      expect(seed13).toContain(k);
    }
    // the lab's own eth0 is on each lab's network: the links cnet-remote made are compared
    const shape = (image: string) =>
      parseFacts(text(image, 'seed'))
        .root.links.filter((l) => l.alias === 'cnet-remote')
        .map((l) => [l.name, l.kind, l.master, l.up, l.operstate, l.mtu, l.addresses]);
    expect(shape('debian13')).toEqual(shape('debian12'));
  });
});

describe('nftables 1.1.3 against 1.0.6: the same JSON for our table', () => {
  /** the nat_cnet0 rule as an nft printed it, its handle left out */
  const cnet0Rule = (json: string): unknown => {
    const doc = JSON.parse(json) as { nftables: { rule?: { chain: string; handle?: number } }[] };
    const { handle: _, ...rule } = doc.nftables.find((o) => o.rule?.chain === 'nat_cnet0')!.rule!;
    return rule;
  };

  it("1.1.3's rule (debian13-nft, the fabric) is 1.0.6's (test/fixtures/nft/rules.json, recorded with 172.30.0.0) but for the subnet", () => {
    const recorded106 = readFileSync(new URL('../fixtures/nft/rules.json', import.meta.url), 'utf8');
    expect(JSON.parse(recorded106).nftables[0].metainfo.version).toBe('1.0.6');
    const table = splitSections(text('debian13-nft', 'fabric-vxlan')).get('nft-table')!;
    expect(JSON.parse(table).nftables[0].metainfo).toEqual({ version: '1.1.3', release_name: 'Commodore Bullmoose #4', json_schema_version: 1 });
    expect(cnet0Rule(table)).toEqual(JSON.parse(JSON.stringify(cnet0Rule(recorded106)).replaceAll('172.30.', '172.31.')));
  });
});
