import { describe, expect, it } from 'vitest';
import { type Cidr, formatCidr } from '../../src/address/family.js';
import { inventoryFiles } from './inventory-files.js';
import type { Inventory, ResolvedHost } from '../../src/inventory/types.js';

const { load, issues } = inventoryFiles('cnet-ipv6-fabric-');

const isCidr = (v: object): v is Cidr => 'network' in v && 'prefix' in v && Object.keys(v).length === 2;

/** A value with every subnet written out (JSON-like: the fabric's peers getter read once). */
function shown(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shown);
  if (typeof v !== 'object' || v === null) return v;
  if (isCidr(v)) return formatCidr(v);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shown(x)]));
}

function hostOf(inv: Inventory, name: string): ResolvedHost {
  const h = inv.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
}

const fabricOf = (inv: Inventory, name: string) => shown(hostOf(inv, name).network.fabric);
const bridgesOf = (inv: Inventory, name: string) => shown(hostOf(inv, name).network.bridges);

/**
 * An inventory whose `all.vars.cnet.fabric` holds `fields`, one a line from line 5, column 9;
 * `rest` follows under `cnet:` (column 7), then `  hosts:` and the hosts (4 spaces in).
 */
const inv = (fields: string[], hosts: string, rest: string[] = []) => `all:
  vars:
    cnet:
      fabric:
${fields.map((f) => `        ${f}\n`).join('')}${rest.map((r) => `      ${r}\n`).join('')}  hosts:
${hosts}`;

const VXLAN = ['mode: vxlan', 'supernet: 10.200.0.0/16'];
const ROUTED = ['mode: routed', 'supernet: 10.200.0.0/16'];
const FAB = 'all.vars.cnet.fabric';

/** IPv4 underlays (ansible_host at column 12 of lines 8-10 after two fields, 9-11 after three) */
const HOSTS4 = `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11 }
    vm3: { ansible_host: 10.1.0.12 }
`;
/** IPv6 underlays */
const HOSTS6 = `    vm1: { ansible_host: "fd00:1::10" }
    vm2: { ansible_host: "fd00:1::11" }
    vm3: { ansible_host: "fd00:1::12" }
`;
/** IPv4 underlays, and each an IPv6 one for a routed fabric's IPv6 routes (cnet_underlay_address6 at column 37) */
const DUAL = `    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address6: "fd00:1::10" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address6: "fd00:1::11" }
    vm3: { ansible_host: 10.1.0.12, cnet_underlay_address6: "fd00:1::12" }
`;

describe('supernet6 split per host', () => {
  it('in inventory order, a /64 each by default; the fabric bridge gets the first address of each subnet, NAT but not to the supernets; namespaces on it get both families', () => {
    const i = load(
      inv(
        [...VXLAN, 'supernet6: "fd00:200::/48"'],
        `    vm3: { ansible_host: 10.1.0.12 }
    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11 }
`,
        ['namespaces:', '  web: { bridge: cnet0 }'],
      ),
    );
    expect(i.hosts.map((h) => h.name)).toEqual(['vm1', 'vm2', 'vm3']);
    expect(fabricOf(i, 'vm3')).toEqual({
      mode: 'vxlan',
      supernet: '10.200.0.0/16',
      bridge: 'cnet0',
      subnet: '10.200.0.0/24',
      underlay: '10.1.0.12',
      supernet6: 'fd00:200::/48',
      subnet6: 'fd00:200::/64',
      peers: [
        {
          host: 'vm1',
          subnet: '10.200.1.0/24',
          underlay: '10.1.0.10',
          subnet6: 'fd00:200:0:1::/64',
          probe: { ns: 'web', address: '10.200.1.2', address6: 'fd00:200:0:1::2' },
        },
        {
          host: 'vm2',
          subnet: '10.200.2.0/24',
          underlay: '10.1.0.11',
          subnet6: 'fd00:200:0:2::/64',
          probe: { ns: 'web', address: '10.200.2.2', address6: 'fd00:200:0:2::2' },
        },
      ],
      vxlan: { device: 'vxcnet0', vni: 42, port: 4789, mtu: 1450 },
    });
    expect(bridgesOf(i, 'vm1')).toEqual([
      {
        name: 'cnet0',
        nets: [
          { subnet: '10.200.1.0/24', address: '10.200.1.1', nat: true, natExcept: '10.200.0.0/16' },
          { subnet: 'fd00:200:0:1::/64', address: 'fd00:200:0:1::1', nat: true, natExcept: 'fd00:200::/48' },
        ],
        mtu: 1450,
      },
    ]);
    expect(i.hosts.map((h) => [h.name, h.network.namespaces.map((n) => n.addresses)])).toEqual([
      ['vm1', [['10.200.1.2', 'fd00:200:0:1::2']]],
      ['vm2', [['10.200.2.2', 'fd00:200:0:2::2']]],
      ['vm3', [['10.200.0.2', 'fd00:200::2']]],
    ]);
  });

  it('host_prefix6 56 of a global /48: /56 blocks, no NAT66 (a global prefix is routed)', () => {
    const i = load(inv([...VXLAN, 'supernet6: "2001:db8::/48"', 'host_prefix6: 56'], HOSTS4));
    expect(i.hosts.map((h) => shown(h.network.bridges[0]!.nets[1]))).toEqual([
      { subnet: '2001:db8::/56', address: '2001:db8::1', nat: false, natExcept: '2001:db8::/48' },
      { subnet: '2001:db8:0:100::/56', address: '2001:db8:0:100::1', nat: false, natExcept: '2001:db8::/48' },
      { subnet: '2001:db8:0:200::/56', address: '2001:db8:0:200::1', nat: false, natExcept: '2001:db8::/48' },
    ]);
    expect((fabricOf(i, 'vm2') as { peers: unknown[] }).peers).toEqual([
      { host: 'vm1', subnet: '10.200.0.0/24', underlay: '10.1.0.10', subnet6: '2001:db8::/56' },
      { host: 'vm3', subnet: '10.200.2.0/24', underlay: '10.1.0.12', subnet6: '2001:db8:0:200::/56' },
    ]);
  });

  it('explicit nat6 wins over the default, either way; the IPv4 nat stays its own', () => {
    const global = load(inv([...VXLAN, 'supernet6: "2001:db8::/48"', 'nat6: true', 'nat: false'], HOSTS4));
    expect(hostOf(global, 'vm1').network.bridges[0]!.nets.map((n) => n.nat)).toEqual([false, true]);
    const ula = load(inv([...VXLAN, 'supernet6: "fd00:200::/48"', 'nat6: false'], HOSTS4));
    expect(hostOf(ula, 'vm1').network.bridges[0]!.nets.map((n) => n.nat)).toEqual([true, false]);
  });

  it('upper-case, uncompressed supernet6 is stored as ip prints it', () => {
    const i = load(inv([...VXLAN, 'supernet6: "FD00:0200:0000::/48"'], HOSTS4));
    expect(fabricOf(i, 'vm2')).toMatchObject({ supernet6: 'fd00:200::/48', subnet6: 'fd00:200:0:1::/64' });
  });

  it('no room left in supernet6 for every member', () => {
    expect(issues(inv([...VXLAN, 'supernet6: "fd00:200::/63"'], HOSTS4))).toEqual([
      `inv.yaml:7:9 ${FAB}.supernet6: no room left in the fabric's supernet6 fd00:200::/63 for a /64 (host_prefix6) subnet of "vm3": use a larger supernet6 or a longer host_prefix6`,
    ]);
  });

  it.each([
    ['10.201.0.0/16', 'expected an IPv6 prefix like fd00:18::/64, got "10.201.0.0/16"'],
    ['fd00:200::1/48', 'fd00:200::1/48 has host bits set: did you mean fd00:200::/48?'],
    ['fd00::/15', 'prefix length /15 is out of range: use /16 to /124'],
  ])('supernet6 %s is refused', (supernet6, message) => {
    expect(issues(inv([...VXLAN, `supernet6: "${supernet6}"`], HOSTS4))).toEqual([`inv.yaml:7:9 ${FAB}.supernet6: ${message} (hosts vm1, vm2, vm3)`]);
  });

  it('host_prefix6 must be longer than supernet6: the default, then an explicit one', () => {
    expect(issues(inv([...VXLAN, 'supernet6: "fd00:200::/64"'], HOSTS4))).toEqual([
      `inv.yaml:7:9 ${FAB}.supernet6: host_prefix6 /64 (the default) must be longer than supernet6's /64: each host gets a /64 of fd00:200::/64 (hosts vm1, vm2, vm3)`,
    ]);
    expect(issues(inv([...VXLAN, 'supernet6: "fd00:200::/48"', 'host_prefix6: 48'], HOSTS4))).toEqual([
      `inv.yaml:8:9 ${FAB}.host_prefix6: host_prefix6 /48 must be longer than supernet6's /48: each host gets a /48 of fd00:200::/48 (hosts vm1, vm2, vm3)`,
    ]);
  });

  it('host_prefix6 and nat6 without supernet6', () => {
    expect(issues(inv([...VXLAN, 'host_prefix6: 56', 'nat6: true'], HOSTS4))).toEqual([
      `inv.yaml:7:9 ${FAB}.host_prefix6: "host_prefix6" is set but the fabric has no supernet6: set supernet6 too, or remove host_prefix6 (hosts vm1, vm2, vm3)`,
      `inv.yaml:8:9 ${FAB}.nat6: "nat6" is set but the fabric has no supernet6: set supernet6 too, or remove nat6 (hosts vm1, vm2, vm3)`,
    ]);
  });
});

describe('members must agree on the IPv6 part', () => {
  it('supernet6 on one member only: "none" on the others', () => {
    expect(
      issues(
        inv(
          VXLAN,
          `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11, cnet: { fabric: { supernet6: "fd00:200::/48" } } }
    vm3: { ansible_host: 10.1.0.12 }
`,
        ),
      ),
    ).toEqual([
      `inv.yaml:9:55 all.hosts.vm2.cnet.fabric.supernet6: the fabric's supernet6 must be the same on every member: none on vm1, vm3 (the default), but fd00:200::/48 on vm2 (set at inv.yaml:9:55)`,
    ]);
  });

  it('supernet6 on the first member only', () => {
    expect(
      issues(
        inv(
          VXLAN,
          `    vm1: { ansible_host: 10.1.0.10, cnet: { fabric: { supernet6: "fd00:200::/48" } } }
    vm2: { ansible_host: 10.1.0.11 }
`,
        ),
      ),
    ).toEqual([
      `inv.yaml:8:55 all.hosts.vm1.cnet.fabric.supernet6: the fabric's supernet6 must be the same on every member: fd00:200::/48 on vm1 (set at inv.yaml:8:55), but none on vm2 (the default)`,
    ]);
  });

  it('host_prefix6 and nat6 set apart on one member', () => {
    expect(
      issues(
        inv(
          [...VXLAN, 'supernet6: "fd00:200::/48"'],
          `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11, cnet: { fabric: { host_prefix6: 56, nat6: false } } }
`,
        ),
      ),
    ).toEqual([
      `inv.yaml:10:55 all.hosts.vm2.cnet.fabric.host_prefix6: the fabric's host_prefix6 must be the same on every member: 64 on vm1 (the default), but 56 on vm2 (set at inv.yaml:10:55)`,
      `inv.yaml:10:73 all.hosts.vm2.cnet.fabric.nat6: the fabric's nat6 must be the same on every member: true on vm1 (the default), but false on vm2 (set at inv.yaml:10:73)`,
    ]);
  });
});

describe('a routed fabric: each member IPv6 subnet via its IPv6 underlay address', () => {
  it('without an IPv6 underlay address (cnet_underlay_address6 missing): one issue per member, at supernet6', () => {
    const message = (h: string) =>
      `inv.yaml:7:9 ${FAB}.supernet6: host "${h}" has no IPv6 underlay address, which a routed fabric with supernet6 routes its IPv6 subnet via: set cnet_underlay_address6`;
    expect(issues(inv([...ROUTED, 'supernet6: "fd00:200::/48"'], HOSTS4))).toEqual([message('vm1'), message('vm2'), message('vm3')]);
  });

  it('with cnet_underlay_address6: the spec and its peers carry subnet6, underlay6 and the probe address6', () => {
    const i = load(inv([...ROUTED, 'supernet6: "fd00:200::/48"'], DUAL, ['namespaces:', '  web: { bridge: cnet0 }', '  db: { bridge: cnet0 }']));
    expect(fabricOf(i, 'vm2')).toEqual({
      mode: 'routed',
      supernet: '10.200.0.0/16',
      bridge: 'cnet0',
      subnet: '10.200.1.0/24',
      underlay: '10.1.0.11',
      supernet6: 'fd00:200::/48',
      subnet6: 'fd00:200:0:1::/64',
      underlay6: 'fd00:1::11',
      peers: [
        {
          host: 'vm1',
          subnet: '10.200.0.0/24',
          underlay: '10.1.0.10',
          subnet6: 'fd00:200::/64',
          underlay6: 'fd00:1::10',
          probe: { ns: 'db', address: '10.200.0.2', address6: 'fd00:200::2' },
        },
        {
          host: 'vm3',
          subnet: '10.200.2.0/24',
          underlay: '10.1.0.12',
          subnet6: 'fd00:200:0:2::/64',
          underlay6: 'fd00:1::12',
          probe: { ns: 'db', address: '10.200.2.2', address6: 'fd00:200:0:2::2' },
        },
      ],
    });
    expect(bridgesOf(i, 'vm2')).toEqual([
      {
        name: 'cnet0',
        nets: [
          { subnet: '10.200.1.0/24', address: '10.200.1.1', nat: true, natExcept: '10.200.0.0/16' },
          { subnet: 'fd00:200:0:1::/64', address: 'fd00:200:0:1::1', nat: true, natExcept: 'fd00:200::/48' },
        ],
      },
    ]);
  });

  it('without supernet6 the probe of a peer has no address6', () => {
    const i = load(inv(ROUTED, HOSTS4, ['namespaces:', '  web: { bridge: cnet0 }']));
    expect((fabricOf(i, 'vm1') as { peers: unknown[] }).peers[0]).toEqual({
      host: 'vm2',
      subnet: '10.200.1.0/24',
      underlay: '10.1.0.11',
      probe: { ns: 'web', address: '10.200.1.2' },
    });
  });

  it('an IPv6 underlay for a routed fabric: IPv4 routes need IPv4 next hops', () => {
    const message = (h: string, line: number, a: string) =>
      `inv.yaml:${line}:12 all.hosts.${h}.ansible_host: host "${h}"'s underlay address ${a} is IPv6, but a routed fabric routes its IPv4 subnet via an IPv4 address: set cnet_underlay_address to its IPv4 address (and cnet_underlay_address6 to this one)`;
    expect(issues(inv([...ROUTED, 'supernet6: "fd00:200::/48"'], HOSTS6))).toEqual([
      message('vm1', 9, 'fd00:1::10'),
      message('vm2', 10, 'fd00:1::11'),
      message('vm3', 11, 'fd00:1::12'),
    ]);
  });

  it.each([
    ['fe80::1', 'is a link-local address, which routes and VXLAN cannot use without an interface'],
    ['::1', 'is a loopback address (a port forward?), which the other hosts cannot reach'],
    ['ff02::1', 'is a multicast address'],
    ['::', 'is not a host address'],
  ])('cnet_underlay_address6 %s is refused', (address, why) => {
    expect(
      issues(
        inv(
          [...ROUTED, 'supernet6: "fd00:200::/48"'],
          `    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address6: "${address}" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address6: "fd00:1::11" }
`,
        ),
      ),
    ).toEqual([`inv.yaml:9:37 all.hosts.vm1.cnet_underlay_address6: cnet_underlay_address6 ${address} of host "vm1" ${why}`]);
  });

  it('cnet_underlay_address6 that is not IPv6', () => {
    expect(
      issues(
        inv(
          [...ROUTED, 'supernet6: "fd00:200::/48"'],
          `    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address6: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address6: "fd00:1::11" }
`,
        ),
      ),
    ).toEqual([
      'inv.yaml:7:9 all.vars.cnet.fabric.supernet6: host "vm1" has no IPv6 underlay address, which a routed fabric with supernet6 routes its IPv6 subnet via: set cnet_underlay_address6',
      'inv.yaml:9:37 all.hosts.vm1.cnet_underlay_address6: expected an IPv6 address',
    ]);
  });

  it('a host reached over IPv6 with an IPv4 cnet_underlay_address: its ansible_host is its IPv6 underlay (schema.ts)', () => {
    const i = load(
      inv(
        [...ROUTED, 'supernet6: "fd00:200::/48"'],
        `    vm1: { ansible_host: "fd00:1::10", cnet_underlay_address: 10.1.0.10 }
    vm2: { ansible_host: "fd00:1::11", cnet_underlay_address: 10.1.0.11 }
`,
      ),
    );
    expect(i.hosts.map((h) => [h.network.fabric!.underlay, h.network.fabric!.underlay6])).toEqual([
      ['10.1.0.10', 'fd00:1::10'],
      ['10.1.0.11', 'fd00:1::11'],
    ]);
  });

  it('cnet_underlay_address6 written in upper case is stored as ip prints it', () => {
    const i = load(
      inv(
        [...ROUTED, 'supernet6: "fd00:200::/48"'],
        `    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address6: "FD00:0001::0010" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address6: "fd00:1::11" }
`,
      ),
    );
    expect(hostOf(i, 'vm1').network.fabric!.underlay6).toBe('fd00:1::10');
    expect(hostOf(i, 'vm2').network.fabric!.peers[0]!.underlay6).toBe('fd00:1::10');
  });

  it('two members with one cnet_underlay_address6', () => {
    expect(
      issues(
        inv(
          [...ROUTED, 'supernet6: "fd00:200::/48"'],
          `    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address6: "fd00:1::10" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address6: "fd00:1::10" }
`,
        ),
      ),
    ).toEqual([expect.stringMatching(/^inv\.yaml:10:37 all\.hosts\.vm2\.cnet_underlay_address6: .*fd00:1::10 of host "vm2" is also that of host "vm1"/)]);
  });

  it('cnet_underlay_address6 inside supernet6', () => {
    expect(
      issues(
        inv(
          [...ROUTED, 'supernet6: "fd00::/16"'],
          `    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address6: "fd00:1::10" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address6: "2001:db8::11" }
`,
        ),
      ),
    ).toEqual([
      'inv.yaml:9:37 all.hosts.vm1.cnet_underlay_address6: underlay address fd00:1::10 of host "vm1" is inside the fabric\'s supernet6 fd00::/16: the underlay must be another network',
    ]);
  });
});

describe('a VXLAN fabric over an IPv6 underlay', () => {
  it('the MTU is underlay_mtu less 70; peers are reached at their IPv6 addresses; no underlay6 (one underlay carries both families)', () => {
    const i = load(inv([...VXLAN, 'supernet6: "fd00:200::/48"'], HOSTS6));
    expect(fabricOf(i, 'vm1')).toEqual({
      mode: 'vxlan',
      supernet: '10.200.0.0/16',
      bridge: 'cnet0',
      subnet: '10.200.0.0/24',
      underlay: 'fd00:1::10',
      supernet6: 'fd00:200::/48',
      subnet6: 'fd00:200::/64',
      peers: [
        { host: 'vm2', subnet: '10.200.1.0/24', underlay: 'fd00:1::11', subnet6: 'fd00:200:0:1::/64' },
        { host: 'vm3', subnet: '10.200.2.0/24', underlay: 'fd00:1::12', subnet6: 'fd00:200:0:2::/64' },
      ],
      vxlan: { device: 'vxcnet0', vni: 42, port: 4789, mtu: 1430 },
    });
    expect(hostOf(i, 'vm1').network.bridges[0]!.mtu).toBe(1430);
  });

  it('underlay_mtu 9000: 8930; IPv4-only fabric over IPv6 too', () => {
    const i = load(inv([...VXLAN, 'underlay_mtu: 9000'], HOSTS6));
    expect(i.hosts.map((h) => h.network.fabric!.vxlan!.mtu)).toEqual([8930, 8930, 8930]);
    expect(hostOf(i, 'vm1').network.bridges[0]!.nets).toHaveLength(1);
  });

  it('an explicit mtu that fits over IPv4 but not over IPv6', () => {
    expect(issues(inv([...VXLAN, 'mtu: 1450'], HOSTS6))).toEqual([
      `inv.yaml:7:9 ${FAB}.mtu: mtu 1450 does not fit: VXLAN adds 70 bytes to every packet (over IPv6), so an underlay MTU of 1500 (the default) leaves at most 1430 (hosts vm1, vm2, vm3)`,
    ]);
    expect(load(inv([...VXLAN, 'mtu: 1430'], HOSTS6)).hosts.map((h) => h.network.fabric!.vxlan!.mtu)).toEqual([1430, 1430, 1430]);
  });

  it('cnet_underlay_address may be IPv6 where ansible_host is IPv4', () => {
    const i = load(
      inv(
        VXLAN,
        `    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address: "fd00:1::10" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address: "fd00:1::11" }
`,
      ),
    );
    expect(i.hosts.map((h) => [h.network.fabric!.underlay, h.network.fabric!.peers.map((p) => p.underlay), h.network.fabric!.vxlan!.mtu])).toEqual([
      ['fd00:1::10', ['fd00:1::11'], 1430],
      ['fd00:1::11', ['fd00:1::10'], 1430],
    ]);
  });

  it('mixed underlay families (with an explicit mtu, the same for both): one issue at the first IPv6 member', () => {
    expect(
      issues(
        inv(
          [...VXLAN, 'mtu: 1400'],
          `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: "fd00:1::11" }
    vm3: { ansible_host: 10.1.0.12, cnet_underlay_address: "fd00:1::12" }
`,
        ),
      ),
    ).toEqual([
      `inv.yaml:10:12 all.hosts.vm2.ansible_host: the VXLAN fabric's underlay addresses must all be IPv4 or all IPv6: "vm2", "vm3" IPv6, "vm1" IPv4; set cnet_underlay_address`,
    ]);
  });

  it('mixed underlay families with the default mtu: the families are named, not the mtu', () => {
    const found = issues(
      inv(
        VXLAN,
        `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: "fd00:1::11" }
    vm3: { ansible_host: 10.1.0.12, cnet_underlay_address: "fd00:1::12" }
`,
      ),
    );
    expect(found).toEqual([
      expect.stringMatching(/^inv\.yaml:9:12 all\.hosts\.vm2\.ansible_host: the VXLAN fabric's underlay addresses must all be IPv4 or all IPv6/),
    ]);
  });

  it('an IPv6 underlay inside supernet6', () => {
    expect(issues(inv([...VXLAN, 'supernet6: "fd00::/16"'], HOSTS6))).toEqual(
      [
        [9, 'vm1', 'fd00:1::10'],
        [10, 'vm2', 'fd00:1::11'],
        [11, 'vm3', 'fd00:1::12'],
      ].map(
        ([line, h, a]) =>
          `inv.yaml:${line}:12 all.hosts.${h}.ansible_host: underlay address ${a} of host "${h}" is inside the fabric's supernet6 fd00::/16: the underlay must be another network`,
      ),
    );
  });

  it('link-local, loopback, multicast and unspecified IPv6 underlays are refused, as ansible_host or cnet_underlay_address', () => {
    expect(
      issues(
        inv(
          VXLAN,
          `    vm1: { ansible_host: "fe80::1" }
    vm2: { ansible_host: "::1" }
    vm3: { ansible_host: 10.1.0.12, cnet_underlay_address: "ff02::1" }
    vm4: { ansible_host: 10.1.0.13, cnet_underlay_address: "::" }
    vm5: { ansible_host: 10.1.0.14, cnet_underlay_address: "FE80::5" }
`,
        ),
      ),
    ).toEqual([
      'inv.yaml:8:12 all.hosts.vm1.ansible_host: host "vm1" has no underlay address: ansible_host "fe80::1" is a link-local address, which routes and VXLAN cannot use without an interface; set cnet_underlay_address',
      'inv.yaml:9:12 all.hosts.vm2.ansible_host: host "vm2" has no underlay address: ansible_host "::1" is a loopback address (a port forward?), which the other hosts cannot reach; set cnet_underlay_address',
      'inv.yaml:10:37 all.hosts.vm3.cnet_underlay_address: cnet_underlay_address ff02::1 of host "vm3" is a multicast address',
      'inv.yaml:11:37 all.hosts.vm4.cnet_underlay_address: cnet_underlay_address :: of host "vm4" is not a host address',
      'inv.yaml:12:37 all.hosts.vm5.cnet_underlay_address: cnet_underlay_address FE80::5 of host "vm5" is a link-local address, which routes and VXLAN cannot use without an interface',
    ]);
  });

  it('an IPv6 underlay written in upper case is stored as ip prints it', () => {
    const i = load(
      inv(
        VXLAN,
        `    vm1: { ansible_host: "FD00:0001::0010" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address: "FD00:1::11" }
`,
      ),
    );
    expect(i.hosts.map((h) => [h.network.fabric!.underlay, h.network.fabric!.peers[0]!.underlay])).toEqual([
      ['fd00:1::10', 'fd00:1::11'],
      ['fd00:1::11', 'fd00:1::10'],
    ]);
  });

  it('one IPv6 underlay address on two members, spelled apart', () => {
    expect(
      issues(
        inv(
          VXLAN,
          `    vm1: { ansible_host: "fd00:1::10" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address: "FD00:1::10" }
`,
        ),
      ),
    ).toEqual([
      expect.stringMatching(/^inv\.yaml:9:37 all\.hosts\.vm2\.cnet_underlay_address: underlay address fd00:1::10 of host "vm2" is also that of host "vm1"/),
    ]);
  });

  it('one IPv6 underlay address on two members, spelled alike', () => {
    expect(
      issues(
        inv(
          VXLAN,
          `    vm1: { ansible_host: "fd00:1::10" }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address: "fd00:1::10" }
`,
        ),
      ),
    ).toEqual([
      'inv.yaml:9:37 all.hosts.vm2.cnet_underlay_address: underlay address fd00:1::10 of host "vm2" is also that of host "vm1" (inv.yaml:8:12): each member needs its own',
    ]);
  });
});

describe('user bridges beside a dual-stack fabric', () => {
  const BRIDGES = ['bridges:', '  br0: { subnet6: "fd00:200:0:5::/64" }'];

  it('a subnet6 overlapping the fabric supernet6', () => {
    expect(issues(inv([...VXLAN, 'supernet6: "fd00:200::/48"'], HOSTS4, BRIDGES))).toEqual([
      expect.stringMatching(
        /^inv\.yaml:9:16 all\.vars\.cnet\.bridges\.br0\.subnet6: subnet fd00:200:0:5::\/64 of bridge "br0" overlaps the fabric's supernet6? fd00:200::\/48/,
      ),
    ]);
  });

  it('the IPv4 twin: a subnet inside the supernet', () => {
    expect(issues(inv(VXLAN, HOSTS4, ['bridges:', '  br0: { subnet: 10.200.5.0/24 }']))).toEqual([
      `inv.yaml:8:16 all.vars.cnet.bridges.br0.subnet: subnet 10.200.5.0/24 of bridge "br0" overlaps the fabric's supernet 10.200.0.0/16: traffic to those addresses would be ambiguous (hosts vm1, vm2, vm3)`,
    ]);
  });

  it('a subnet6 outside supernet6 is taken beside the fabric bridge', () => {
    const i = load(inv([...VXLAN, 'supernet6: "fd00:200::/48"'], HOSTS4, ['bridges:', '  br0: { subnet6: "fd00:201::/64" }']));
    expect(bridgesOf(i, 'vm1')).toEqual([
      { name: 'br0', nets: [{ subnet: 'fd00:201::/64', address: 'fd00:201::1', nat: true }] },
      {
        name: 'cnet0',
        nets: [
          { subnet: '10.200.0.0/24', address: '10.200.0.1', nat: true, natExcept: '10.200.0.0/16' },
          { subnet: 'fd00:200::/64', address: 'fd00:200::1', nat: true, natExcept: 'fd00:200::/48' },
        ],
        mtu: 1450,
      },
    ]);
  });

  it('IPv6 never overlaps the IPv4 supernet: ::10.200.0.0/112 beside 10.200.0.0/16', () => {
    const i = load(inv(VXLAN, HOSTS4, ['bridges:', '  br0: { subnet6: "::ac8:0/112" }']));
    expect(shown(hostOf(i, 'vm1').network.bridges[0])).toEqual({
      name: 'br0',
      nets: [{ subnet: '::10.200.0.0/112', address: '::10.200.0.1', nat: false }],
    });
  });

  it('namespaces on the fabric bridge: address6 checked against the host IPv6 subnet and its gateway', () => {
    expect(
      issues(
        inv(
          [...ROUTED, 'supernet6: "fd00:200::/48"'],
          `    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address6: "fd00:1::10" }
`,
          [
            'namespaces:',
            '  a: { bridge: cnet0, address6: "fd00:200::1" }',
            '  b: { bridge: cnet0, address6: "fd00:200:0:1::5" }',
            '  c: { bridge: cnet0, address6: "FD00:200::7" }',
            '  d: { bridge: cnet0 }',
          ],
        ),
      ),
    ).toEqual([
      'inv.yaml:9:29 all.vars.cnet.namespaces.a.address6: address fd00:200::1 is the gateway (the address of bridge "cnet0") (host vm1)',
      'inv.yaml:10:29 all.vars.cnet.namespaces.b.address6: address fd00:200:0:1::5 is outside subnet fd00:200::/64 of bridge "cnet0" (host vm1)',
    ]);
  });
});
