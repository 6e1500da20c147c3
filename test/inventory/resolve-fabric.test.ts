import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fabricSubnets } from '../../src/inventory/resolve-fabric.js';
import { formatCidr } from '../../src/address/family.js';
import { parseCidr, type Cidr } from '../../src/address/ipv4.js';
import { applyLimit } from '../../src/inventory/limit.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import type { Inventory } from '../../src/inventory/types.js';
import { expectIssue, host, issues, oneIssue, resolve } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/inventory/${name}`, import.meta.url));
const example = (name: string) => fileURLToPath(new URL(`../../inventories/${name}`, import.meta.url));

const HOSTS = `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11 }
    vm3: { ansible_host: 10.1.0.12 }
`;

/**
 * An inventory whose `all.vars.cnet.fabric` holds `fields`, one a line from line 5, column 9
 * (issues about a field point at its key); `rest` follows the fabric under `cnet:`, then the
 * hosts (with two fields, `rest` starts at line 7, or the hosts at line 8).
 */
const inv = (fields: string[], hosts = HOSTS, rest: string[] = []) => `all:
  vars:
    cnet:
      fabric:
${fields.map((f) => `        ${f}\n`).join('')}${rest.map((r) => `      ${r}\n`).join('')}  hosts:
${hosts}`;

const VXLAN = ['mode: vxlan', 'supernet: 10.200.0.0/16'];
const ROUTED = ['mode: routed', 'supernet: 10.200.0.0/16'];
const FAB = 'all.vars.cnet.fabric';

const cidr = (text: string): Cidr => parseCidr(text) as Cidr;
const subnetsOf = (i: Inventory) => Object.fromEntries(i.hosts.map((h) => [h.name, formatCidr(h.network.fabric!.subnet)]));

describe('subnets of the supernet', () => {
  it('are allocated in inventory order, not name order', () => {
    const i = resolve(
      inv(
        VXLAN,
        `    vm3: { ansible_host: 10.1.0.12 }
    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11 }
`,
      ),
    );
    expect(i.hosts.map((h) => h.name)).toEqual(['vm1', 'vm2', 'vm3']); // hosts stay sorted by name
    expect(subnetsOf(i)).toEqual({ vm3: '10.200.0.0/24', vm1: '10.200.1.0/24', vm2: '10.200.2.0/24' });
  });

  it('a host added at the end gets the next subnet and renumbers no other, whatever its name', () => {
    const before = subnetsOf(resolve(inv(VXLAN)));
    const after = subnetsOf(resolve(inv(VXLAN, `${HOSTS}    a0: { ansible_host: 10.1.0.9 }\n`)));
    expect(after).toEqual({ ...before, a0: '10.200.3.0/24' });
  });

  it('in the order the files name the hosts, and a group names them', () => {
    const i = resolve(
      inv(VXLAN, '    vm2: { ansible_host: 10.1.0.11 }\n'),
      `web:
  hosts:
    vm3: { ansible_host: 10.1.0.12 }
  children:
    db:
      hosts:
        vm1: { ansible_host: 10.1.0.10 }
`,
    );
    expect(subnetsOf(i)).toEqual({ vm2: '10.200.0.0/24', vm3: '10.200.1.0/24', vm1: '10.200.2.0/24' });
  });

  it('an explicit cnet_fabric_subnet is kept, and allocation goes around it', () => {
    const i = resolve(
      inv(
        VXLAN,
        `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11, cnet_fabric_subnet: 10.200.1.0/24 }
    vm3: { ansible_host: 10.1.0.12 }
    vm4: { ansible_host: 10.1.0.13, cnet_fabric_subnet: 10.200.4.0/23 }
    vm5: { ansible_host: 10.1.0.14 }
    vm6: { ansible_host: 10.1.0.15 }
    vm7: { ansible_host: 10.1.0.16 }
`,
      ),
    );
    expect(subnetsOf(i)).toEqual({
      vm1: '10.200.0.0/24',
      vm2: '10.200.1.0/24',
      vm3: '10.200.2.0/24',
      vm4: '10.200.4.0/23',
      vm5: '10.200.3.0/24',
      vm6: '10.200.6.0/24',
      vm7: '10.200.7.0/24',
    });
    expect(host(i, 'vm4').network.bridges[0]).toMatchObject({ name: 'cnet0', nets: [{ address: '10.200.4.1' }] });
  });

  it('an explicit subnet smaller than host_prefix takes the whole block it lies in', () => {
    const { subnets, issues: found } = fabricSubnets(
      [{ host: 'a' }, { host: 'b', explicit: { value: '10.200.0.128/25', loc: { file: 'x', line: 1, col: 1, path: '' } } }, { host: 'c' }],
      { value: cidr('10.200.0.0/16'), loc: { file: 'x', line: 1, col: 1, path: '' }, explicit: true },
      { value: 24, loc: { file: 'x', line: 1, col: 1, path: '' }, explicit: false },
    );
    expect(found).toEqual([]);
    expect([...subnets].map(([h, c]) => [h, formatCidr(c)])).toEqual([
      ['b', '10.200.0.128/25'],
      ['a', '10.200.1.0/24'],
      ['c', '10.200.2.0/24'],
    ]);
  });

  it('host_prefix sets the size of each host subnet', () => {
    expect(subnetsOf(resolve(inv([...ROUTED, 'host_prefix: 26'])))).toEqual({ vm1: '10.200.0.0/26', vm2: '10.200.0.64/26', vm3: '10.200.0.128/26' });
  });
});

describe('the fabric bridge and its namespaces', () => {
  it('namespaces on the fabric bridge get addresses from their host subnet, after its gateway', () => {
    const i = resolve(inv(VXLAN, HOSTS, ['namespaces:', '  web: { bridge: cnet0 }', '  db: { bridge: cnet0 }']));
    expect(i.hosts.map((h) => [h.name, h.network.namespaces.map((n) => `${n.name} ${n.addresses.join(' ')}`)])).toEqual([
      ['vm1', ['db 10.200.0.2', 'web 10.200.0.3']],
      ['vm2', ['db 10.200.1.2', 'web 10.200.1.3']],
      ['vm3', ['db 10.200.2.2', 'web 10.200.2.3']],
    ]);
  });

  it('the bridge: gateway .1, NAT except the supernet, and under VXLAN the fabric MTU; sorted among the others', () => {
    const i = resolve(inv(VXLAN, HOSTS, ['bridges:', '  br0: { subnet: 172.18.0.0/16 }', '  zz: { subnet: 172.19.0.0/16, nat: false }']));
    expect(host(i, 'vm2').network.bridges).toEqual([
      { name: 'br0', nets: [{ subnet: cidr('172.18.0.0/16'), address: '172.18.0.1', nat: true }] },
      { name: 'cnet0', nets: [{ subnet: cidr('10.200.1.0/24'), address: '10.200.1.1', nat: true, natExcept: cidr('10.200.0.0/16') }], mtu: 1450 },
      { name: 'zz', nets: [{ subnet: cidr('172.19.0.0/16'), address: '172.19.0.1', nat: false }] },
    ]);
  });

  it('routed: no MTU; bridge name and nat from the inventory', () => {
    const i = resolve(inv([...ROUTED, 'bridge: fab0', 'nat: false']));
    expect(host(i, 'vm1').network.bridges).toEqual([
      { name: 'fab0', nets: [{ subnet: cidr('10.200.0.0/24'), address: '10.200.0.1', nat: false, natExcept: cidr('10.200.0.0/16') }] },
    ]);
  });

  it('an explicit namespace address in the host subnet is kept; one outside it is refused', () => {
    const ok = resolve(
      inv(
        VXLAN,
        HOSTS.replace(
          'vm1: { ansible_host: 10.1.0.10 }',
          'vm1: { ansible_host: 10.1.0.10, cnet: { namespaces: { a: { bridge: cnet0, address: 10.200.0.9 } } } }',
        ),
      ),
    );
    expect(host(ok, 'vm1').network.namespaces).toEqual([{ name: 'a', bridge: 'cnet0', addresses: ['10.200.0.9'], hostIf: 've-a', nsIf: 'eth0' }]);
    const all = issues(inv(VXLAN, HOSTS, ['namespaces:', '  a: { bridge: cnet0, address: 10.200.0.9 }']));
    // col: "        a: { bridge: cnet0, " is 28 characters
    expect(all).toHaveLength(2);
    expectIssue(all[0], 8, 29, 'all.vars.cnet.namespaces.a.address', 'address 10.200.0.9 is outside subnet 10.200.1.0/24 of bridge "cnet0" (host vm2)');
    expectIssue(all[1], 8, 29, 'all.vars.cnet.namespaces.a.address', 'address 10.200.0.9 is outside subnet 10.200.2.0/24 of bridge "cnet0" (host vm3)');
  });

  it('a host_if taking the VXLAN device name is refused', () => {
    const issue = oneIssue(inv(VXLAN, HOSTS, ['namespaces:', '  a: { bridge: cnet0, host_if: vxcnet0 }']));
    expectIssue(
      issue,
      8,
      29,
      'all.vars.cnet.namespaces.a.host_if',
      `host_if "vxcnet0" of namespace "a" is already used by the fabric's VXLAN device (hosts vm1, vm2, vm3)`,
    );
  });
});

describe("each member's fabric", () => {
  const vxlanInv = inv(
    [...VXLAN, 'vni: 7', 'port: 8472', 'underlay_dev: eth1', 'underlay_mtu: 9000'],
    `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11, cnet: { fabric: { underlay_dev: ens5 } } }
    vm3: { ansible_host: db3.example, cnet_underlay_address: 10.1.0.12 }
`,
    ['bridges:', '  br0: { subnet: 172.18.0.0/16 }', 'namespaces:', '  web: { bridge: cnet0 }', '  db: { bridge: cnet0 }', '  aaa: { bridge: br0 }'],
  );

  it('vxlan: settings, this host subnet and underlay, and every other member as a peer with a container to probe', () => {
    const i = resolve(vxlanInv);
    expect(host(i, 'vm2').network.fabric).toEqual({
      mode: 'vxlan',
      supernet: cidr('10.200.0.0/16'),
      bridge: 'cnet0',
      subnet: cidr('10.200.1.0/24'),
      underlay: '10.1.0.11',
      peers: [
        { host: 'vm1', subnet: cidr('10.200.0.0/24'), underlay: '10.1.0.10', probe: { ns: 'db', address: '10.200.0.2' } },
        { host: 'vm3', subnet: cidr('10.200.2.0/24'), underlay: '10.1.0.12', probe: { ns: 'db', address: '10.200.2.2' } },
      ],
      vxlan: { device: 'vxcnet0', vni: 7, port: 8472, dev: 'ens5', mtu: 8950 },
    });
    expect(host(i, 'vm1').network.fabric!.vxlan!.dev).toBe('eth1');
    expect(host(i, 'vm3').network.fabric!.underlay).toBe('10.1.0.12');
    expect(host(i, 'vm3').network.fabric!.peers.map((p) => p.host)).toEqual(['vm1', 'vm2']);
  });

  it('a peer with no namespace on the fabric bridge has no probe', () => {
    const i = resolve(
      inv(ROUTED, HOSTS.replace('vm1: { ansible_host: 10.1.0.10 }', 'vm1: { ansible_host: 10.1.0.10, cnet: { namespaces: { a: { bridge: cnet0 } } } }')),
    );
    expect(host(i, 'vm2').network.fabric!.peers).toEqual([
      { host: 'vm1', subnet: cidr('10.200.0.0/24'), underlay: '10.1.0.10', probe: { ns: 'a', address: '10.200.0.2' } },
      { host: 'vm3', subnet: cidr('10.200.2.0/24'), underlay: '10.1.0.12' },
    ]);
  });

  it('routed: no vxlan part; defaults filled', () => {
    const spec = host(resolve(inv(ROUTED)), 'vm3').network.fabric!;
    expect(spec).toEqual({
      mode: 'routed',
      supernet: cidr('10.200.0.0/16'),
      bridge: 'cnet0',
      subnet: cidr('10.200.2.0/24'),
      underlay: '10.1.0.12',
      peers: [
        { host: 'vm1', subnet: cidr('10.200.0.0/24'), underlay: '10.1.0.10' },
        { host: 'vm2', subnet: cidr('10.200.1.0/24'), underlay: '10.1.0.11' },
      ],
    });
  });

  it('vxlan defaults: VNI 42, port 4789, device vxcnet0, MTU 1500 - 50', () => {
    expect(host(resolve(inv(VXLAN)), 'vm1').network.fabric!.vxlan).toEqual({ device: 'vxcnet0', vni: 42, port: 4789, mtu: 1450 });
  });

  it('peers are every member, whatever --limit selects (limit applies after resolving)', () => {
    const i = resolve(vxlanInv);
    const [only] = applyLimit(i, 'vm1');
    expect(only!.name).toBe('vm1');
    expect(only!.network.fabric!.peers.map((p) => p.host)).toEqual(['vm2', 'vm3']);
  });

  it('fields merge per layer: a group sets part, the host another, the most specific wins', () => {
    const i = resolve(`all:
  vars:
    cnet:
      fabric: { supernet: 10.200.0.0/16, mode: routed }
  children:
    fleet:
      vars:
        cnet:
          fabric: { mode: vxlan, mtu: 1400 }
      hosts:
        vm1: { ansible_host: 10.1.0.10 }
        vm2: { ansible_host: 10.1.0.11 }
`);
    expect(host(i, 'vm2').network.fabric).toMatchObject({ mode: 'vxlan', supernet: cidr('10.200.0.0/16'), vxlan: { mtu: 1400 } });
  });

  it('only hosts with a cnet.fabric are members; the others are as without a fabric', () => {
    const text = `all:
  vars:
    cnet:
      bridges:
        br0: { subnet: 172.18.0.0/16 }
      namespaces:
        a: { bridge: br0 }
  children:
    fleet:
      vars:
        cnet:
          fabric: { mode: routed, supernet: 10.200.0.0/16 }
      hosts:
        vm1: { ansible_host: 10.1.0.10 }
        vm2: { ansible_host: 10.1.0.11 }
    other:
      hosts:
        vm3: { ansible_host: 10.1.0.12 }
`;
    const i = resolve(text);
    expect(host(i, 'vm1').network.fabric!.peers.map((p) => p.host)).toEqual(['vm2']);
    expect(host(i, 'vm3').network).toEqual({
      bridges: [{ name: 'br0', nets: [{ subnet: cidr('172.18.0.0/16'), address: '172.18.0.1', nat: true }] }],
      namespaces: [{ name: 'a', bridge: 'br0', addresses: ['172.18.0.2'], hostIf: 've-a', nsIf: 'eth0' }],
    });
    expect(Object.keys(host(i, 'vm3').network)).toEqual(['bridges', 'namespaces']);
  });
});

describe('the example inventories', () => {
  it.each([
    ['fabric-routed.yaml', 'routed', '172.30'],
    ['fabric-vxlan.yaml', 'vxlan', '172.31'],
  ])('%s, with hosts from another inventory', (file, mode, net) => {
    const i = loadInventory([fixture('fabric-hosts.yaml'), example(file)]);
    // written vm2, vm1, db3.example
    expect(
      i.hosts.map((h) => [
        h.name,
        h.network.fabric!.mode,
        formatCidr(h.network.fabric!.subnet),
        h.network.namespaces.map((n) => `${n.name} ${n.addresses.join(' ')}`),
      ]),
    ).toEqual([
      ['db3.example', mode, `${net}.2.0/24`, [`db ${net}.2.2`, `web ${net}.2.3`]],
      ['vm1', mode, `${net}.1.0/24`, [`db ${net}.1.2`, `web ${net}.1.3`]],
      ['vm2', mode, `${net}.0.0/24`, [`db ${net}.0.2`, `web ${net}.0.3`]],
    ]);
    expect(host(i, 'vm1').network.fabric!.peers.map((p) => [p.host, p.underlay, p.probe?.address])).toEqual([
      ['vm2', '192.168.56.12', `${net}.0.2`],
      ['db3.example', '192.168.56.13', `${net}.2.2`],
    ]);
  });
});

describe('refused, with positions', () => {
  it('two explicit subnets that overlap: at the second, naming the first and where it is', () => {
    const issue = oneIssue(
      inv(
        VXLAN,
        `    vm1: { ansible_host: 10.1.0.10, cnet_fabric_subnet: 10.200.0.0/23 }
    vm2: { ansible_host: 10.1.0.11, cnet_fabric_subnet: 10.200.1.0/24 }
`,
      ),
    );
    expectIssue(
      issue,
      9,
      37,
      'all.hosts.vm2.cnet_fabric_subnet',
      'cnet_fabric_subnet 10.200.1.0/24 of host "vm2" overlaps 10.200.0.0/23 of host "vm1" (inv.yaml:8:37)',
    );
  });

  it('an explicit subnet outside the supernet, or larger than it', () => {
    const all = issues(
      inv(
        VXLAN,
        `    vm1: { ansible_host: 10.1.0.10, cnet_fabric_subnet: 10.9.0.0/24 }
    vm2: { ansible_host: 10.1.0.11, cnet_fabric_subnet: 10.200.0.0/15 }
`,
      ),
    );
    expect(all).toHaveLength(2);
    expectIssue(
      all[0],
      8,
      37,
      'all.hosts.vm1.cnet_fabric_subnet',
      'cnet_fabric_subnet 10.9.0.0/24 of host "vm1" is outside the fabric\'s supernet 10.200.0.0/16',
    );
    expectIssue(all[1], 9, 37, 'all.hosts.vm2.cnet_fabric_subnet', 'cnet_fabric_subnet 10.200.0.0/15 of host "vm2" is outside');
  });

  it('an explicit subnet that is not a subnet', () => {
    expectIssue(
      oneIssue(inv(VXLAN, '    vm1: { ansible_host: 10.1.0.10, cnet_fabric_subnet: 10.200.0.1/24 }\n')),
      8,
      37,
      'all.hosts.vm1.cnet_fabric_subnet',
      'has host bits set: did you mean 10.200.0.0/24?',
    );
  });

  it('cnet_fabric_subnet on a host that is not in a fabric', () => {
    expectIssue(
      oneIssue(`all:
  hosts:
    vm1: { ansible_host: 10.1.0.10, cnet_fabric_subnet: 10.200.0.0/24 }
`),
      3,
      37,
      'all.hosts.vm1.cnet_fabric_subnet',
      'cnet_fabric_subnet is set, but host "vm1" is not in a fabric (no cnet.fabric)',
    );
  });

  it('no room left in the supernet: at the supernet, naming the hosts, supernet and host_prefix', () => {
    const issue = oneIssue(inv(['mode: routed', 'supernet: 10.200.0.0/24', 'host_prefix: 25']));
    expectIssue(
      issue,
      6,
      9,
      `${FAB}.supernet`,
      'no room left in the fabric\'s supernet 10.200.0.0/24 for a /25 (host_prefix) subnet of host "vm3": it holds 2 /25 subnets, for 3 members',
    );
  });

  it('a host without an underlay address: ansible_host is a name', () => {
    const issue = oneIssue(inv(VXLAN, '    vm1: { ansible_host: 10.1.0.10 }\n    vm3: { ansible_host: db3.example }\n'));
    expectIssue(
      issue,
      9,
      12,
      'all.hosts.vm3.ansible_host',
      'host "vm3" has no underlay address: ansible_host "db3.example" is not an IP address; set cnet_underlay_address',
    );
  });

  it('a host without an underlay address: no ansible_host, named by DNS', () => {
    const issue = oneIssue(inv(VXLAN, '    db3.example.com:\n'));
    expectIssue(
      issue,
      8,
      5,
      'all.hosts.db3.example.com',
      'host "db3.example.com" has no underlay address: its name "db3.example.com" is not an IP address; set cnet_underlay_address',
    );
  });

  it("a loopback ansible_host (Vagrant's port forwards) is no underlay address", () => {
    const issue = oneIssue(inv(VXLAN, '    vm1: { ansible_host: 127.0.0.1, ansible_port: 2222 }\n'));
    expectIssue(issue, 8, 12, 'all.hosts.vm1.ansible_host', 'host "vm1" has no underlay address: ansible_host "127.0.0.1" is a loopback address');
  });

  it('a host without any address is reported once, for its connection', () => {
    // a name no resolver could take and no ansible_host: no connection address, so no underlay address either
    const issue = oneIssue(inv(VXLAN, '    "vm 1":\n'));
    expectIssue(issue, 8, 5, 'all.hosts.vm 1', 'host "vm 1" has no address: set ansible_host');
  });

  it('a host named by a short name (ssh resolves it) has an address, but no underlay address', () => {
    const issue = oneIssue(inv(VXLAN, '    vm1:\n'));
    expectIssue(issue, 8, 5, 'all.hosts.vm1', 'host "vm1" has no underlay address: its name "vm1" is not an IP address; set cnet_underlay_address');
  });

  it('cnet_underlay_address that is not an IP address', () => {
    expectIssue(
      oneIssue(inv(VXLAN, '    vm1: { ansible_host: 10.1.0.10, cnet_underlay_address: eth0 }\n')),
      8,
      37,
      'all.hosts.vm1.cnet_underlay_address',
      'expected an IPv4 or IPv6 address',
    );
  });

  it('two members with one underlay address', () => {
    const issue = oneIssue(
      inv(
        VXLAN,
        `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11, cnet_underlay_address: 10.1.0.10 }
`,
      ),
    );
    expectIssue(
      issue,
      9,
      37,
      'all.hosts.vm2.cnet_underlay_address',
      'underlay address 10.1.0.10 of host "vm2" is also that of host "vm1" (inv.yaml:8:12): each member needs its own',
    );
  });

  it('an underlay address inside the supernet', () => {
    expectIssue(
      oneIssue(inv(VXLAN, '    vm1: { ansible_host: 10.200.7.7 }\n')),
      8,
      12,
      'all.hosts.vm1.ansible_host',
      'underlay address 10.200.7.7 of host "vm1" is inside the fabric\'s supernet 10.200.0.0/16',
    );
  });

  it('members that disagree on a fabric-wide setting: one issue naming both values and hosts', () => {
    const issue = oneIssue(
      inv(
        VXLAN,
        `    vm1: { ansible_host: 10.1.0.10 }
    vm2: { ansible_host: 10.1.0.11 }
    vm3: { ansible_host: 10.1.0.12, cnet: { fabric: { vni: 43 } } }
    vm4: { ansible_host: 10.1.0.13, cnet: { fabric: { vni: 43 } } }
`,
      ),
    );
    expectIssue(
      issue,
      10,
      55,
      'all.hosts.vm3.cnet.fabric.vni',
      "the fabric's vni must be the same on every member: 42 on vm1, vm2 (the default), but 43 on vm3, vm4 (set at inv.yaml:10:55)",
    );
  });

  it('a disagreement on the supernet, written in two groups', () => {
    const issue = oneIssue(`a:
  vars:
    cnet:
      fabric: { mode: routed, supernet: 10.200.0.0/16 }
  hosts:
    vm1: { ansible_host: 10.1.0.10 }
b:
  vars:
    cnet:
      fabric: { mode: routed, supernet: 10.201.0.0/16 }
  hosts:
    vm2: { ansible_host: 10.1.0.11 }
`);
    expectIssue(
      issue,
      10,
      31,
      'b.vars.cnet.fabric.supernet',
      "the fabric's supernet must be the same on every member: 10.200.0.0/16 on vm1 (set at inv.yaml:4:31), but 10.201.0.0/16 on vm2 (set at inv.yaml:10:31)",
    );
  });

  it.each([
    ['vni: 0', 'vni', 'vni must be 1-16777215'],
    ['vni: 16777216', 'vni', 'vni must be 1-16777215'],
    ['port: 0', 'port', 'port must be 1-65535'],
    ['port: 70000', 'port', 'port must be 1-65535'],
    ['mtu: 60', 'mtu', 'mtu must be 68-65535 (68 is the smallest MTU IPv4 allows)'],
    ['underlay_mtu: 67', 'underlay_mtu', 'underlay_mtu must be 68-65535'],
    ['host_prefix: 31', 'host_prefix', 'host_prefix must be 8-30'],
    ['vni: "7"', 'vni', 'expected number, received string'],
    ['nat: "no"', 'nat', 'expected boolean'],
  ])('%s', (line, key, message) => {
    const issue = oneIssue(inv(['mode: vxlan', 'supernet: 10.200.0.0/16', line]));
    expectIssue(issue, 7, 9, `${FAB}.${key}`, message);
  });

  it('a mode that is neither routed nor vxlan', () => {
    expectIssue(oneIssue(inv(['mode: bgp', 'supernet: 10.200.0.0/16'])), 5, 9, `${FAB}.mode`, 'expected one of "routed"|"vxlan"');
  });

  it("an MTU that does not fit in the underlay MTU with VXLAN's 50 bytes", () => {
    const issue = oneIssue(inv([...VXLAN, 'mtu: 1480']));
    expectIssue(
      issue,
      7,
      9,
      `${FAB}.mtu`,
      'mtu 1480 does not fit: VXLAN adds 50 bytes to every packet (over IPv4), so an underlay MTU of 1500 (the default) leaves at most 1450 (hosts vm1, vm2, vm3)',
    );
  });

  it('an MTU that does not fit a given underlay_mtu; the largest that does is fine', () => {
    expectIssue(
      oneIssue(inv([...VXLAN, 'underlay_mtu: 1400', 'mtu: 1351'])),
      8,
      9,
      `${FAB}.mtu`,
      'an underlay MTU of 1400 (set at inv.yaml:7:9) leaves at most 1350',
    );
    expect(host(resolve(inv([...VXLAN, 'underlay_mtu: 1400', 'mtu: 1350'])), 'vm1').network.fabric!.vxlan!.mtu).toBe(1350);
  });

  it('an underlay_mtu that leaves no room for VXLAN', () => {
    expectIssue(
      oneIssue(inv([...VXLAN, 'underlay_mtu: 100'])),
      7,
      9,
      `${FAB}.underlay_mtu`,
      "underlay_mtu 100 leaves no room for VXLAN: it adds 50 bytes to every packet, and the fabric's MTU must be at least 68",
    );
  });

  it('vxlan keys under mode routed, each named', () => {
    const all = issues(inv([...ROUTED, 'vni: 42', 'underlay_dev: eth0']));
    expect(all).toHaveLength(2);
    expectIssue(all[0], 7, 9, `${FAB}.vni`, '"vni" is only for mode vxlan: this fabric\'s mode is routed (set at inv.yaml:5:9) (hosts vm1, vm2, vm3)');
    expectIssue(all[1], 8, 9, `${FAB}.underlay_dev`, '"underlay_dev" is only for mode vxlan');
  });

  it('an unknown key, with a did-you-mean', () => {
    expectIssue(oneIssue(inv([...VXLAN, 'vnid: 42'])), 7, 9, `${FAB}.vnid`, 'unknown key "vnid" (did you mean "vni"?)');
  });

  it('a misspelt fabric key in cnet', () => {
    expectIssue(
      oneIssue(`all:
  vars:
    cnet:
      fabrik: {}
`),
      4,
      7,
      'all.vars.cnet.fabrik',
      'unknown key "fabrik" (did you mean "fabric"?)',
    );
  });

  it('no mode, no supernet: at the fabric, once for all hosts; namespaces on its bridge add nothing', () => {
    const all = issues(inv(['host_prefix: 24'], HOSTS, ['namespaces:', '  a: { bridge: cnet0 }']));
    expect(all).toHaveLength(2);
    expectIssue(all[0], 4, 7, FAB, 'the fabric has no mode: "mode" is required (routed or vxlan) (hosts vm1, vm2, vm3)');
    expectIssue(all[1], 4, 7, FAB, 'the fabric has no supernet: "supernet" is required');
  });

  it.each([
    ['10.200.0.0', 'expected an IPv4 subnet like 172.18.0.0/16'],
    ['10.200.0.0/31', 'prefix length /31 is out of range'],
    ['10.200.0.1/16', 'has host bits set'],
  ])('supernet %s', (supernet, message) => {
    expectIssue(oneIssue(inv(['mode: routed', `supernet: ${supernet}`])), 6, 9, `${FAB}.supernet`, message);
  });

  it('a host_prefix not longer than the supernet prefix', () => {
    expectIssue(
      oneIssue(inv(['mode: routed', 'supernet: 10.200.0.0/24'])),
      6,
      9,
      `${FAB}.supernet`,
      "host_prefix /24 (the default) must be longer than the supernet's /24",
    );
    expectIssue(
      oneIssue(inv([...ROUTED, 'host_prefix: 12'])),
      7,
      9,
      `${FAB}.host_prefix`,
      "host_prefix /12 must be longer than the supernet's /16: each host gets a /12 of 10.200.0.0/16",
    );
  });

  it('bad names: bridge, device, underlay_dev; device equal to the bridge', () => {
    const all = issues(inv([...VXLAN, 'bridge: "cnet 0"', 'device: vxlan-device-0123', 'underlay_dev: "-eth0"']));
    expect(all.map((i) => [i.loc.line, i.loc.col, i.loc.path])).toEqual([
      [7, 9, `${FAB}.bridge`],
      [8, 9, `${FAB}.device`],
      [9, 9, `${FAB}.underlay_dev`],
    ]);
    expect(all[0]!.message).toContain('interface name "cnet 0" is not allowed');
    expect(all[1]!.message).toContain('is 17 bytes long: at most 15');
    expect(all[2]!.message).toContain('interface name "-eth0" is not allowed');
    expectIssue(
      oneIssue(inv([...VXLAN, 'device: cnet0'])),
      7,
      9,
      `${FAB}.device`,
      'the fabric\'s VXLAN device and its bridge are both named "cnet0": give them different names',
    );
    expectIssue(oneIssue(inv([...VXLAN, 'underlay_dev: vxcnet0'])), 7, 9, `${FAB}.underlay_dev`, 'underlay_dev "vxcnet0" is the fabric\'s own VXLAN device');
  });

  it('a user bridge named as the fabric bridge, or as its VXLAN device', () => {
    const all = issues(inv(VXLAN, HOSTS, ['bridges:', '  cnet0: { subnet: 172.18.0.0/16 }', '  vxcnet0: { subnet: 172.19.0.0/16 }']));
    expect(all).toHaveLength(2);
    expectIssue(
      all[0],
      8,
      9,
      'all.vars.cnet.bridges.cnet0',
      'bridge "cnet0" has the name of the fabric\'s bridge (cnet.fabric.bridge): give one of them another name (hosts vm1, vm2, vm3)',
    );
    expectIssue(all[1], 9, 9, 'all.vars.cnet.bridges.vxcnet0', 'bridge "vxcnet0" has the name of the fabric\'s VXLAN device (cnet.fabric.device)');
  });

  it('a user bridge whose subnet overlaps the supernet', () => {
    const issue = oneIssue(inv(VXLAN, HOSTS, ['bridges:', '  br0: { subnet: 10.200.128.0/24 }']));
    expectIssue(issue, 8, 16, 'all.vars.cnet.bridges.br0.subnet', 'subnet 10.200.128.0/24 of bridge "br0" overlaps the fabric\'s supernet 10.200.0.0/16');
  });

  it('several fabric issues at once, sorted by position: a wrong setting does not hide the others', () => {
    const all = issues(
      inv(
        ['mode: routed', 'supernet: 10.200.0.0/16', 'mtu: 1400'],
        `    vm1: { ansible_host: db1.example }
    vm2: { ansible_host: 10.1.0.11, cnet_fabric_subnet: 10.9.0.0/24 }
    vm3: { ansible_host: 10.1.0.12, cnet: { fabric: { nat: false } } }
`,
        ['bridges:', '  br0: { subnet: 10.200.128.0/24 }'],
      ),
    );
    expect(all.map((i) => `${i.loc.line}:${i.loc.col} ${i.loc.path}`)).toEqual([
      `7:9 ${FAB}.mtu`,
      '9:16 all.vars.cnet.bridges.br0.subnet',
      '11:12 all.hosts.vm1.ansible_host',
      '12:37 all.hosts.vm2.cnet_fabric_subnet',
      `13:55 all.hosts.vm3.cnet.fabric.nat`,
    ]);
    expect(all[4]!.message).toBe("the fabric's nat must be the same on every member: true on vm1, vm2 (the default), but false on vm3 (set at inv.yaml:13:55)");
  });
});
