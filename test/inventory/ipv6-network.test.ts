import { describe, expect, it } from 'vitest';
import { formatCidr } from '../../src/address/family.js';
import { contains6, parseCidr6, parseIpv6, type Cidr } from '../../src/address/ipv6.js';
import type { BridgeSpec } from '../../src/inventory/types.js';
import { inventoryFiles } from './inventory-files.js';

const { load, issues } = inventoryFiles('cnet-ipv6-network-');

/** A bridge's nets with subnets written out. */
const netsOf = (b: BridgeSpec | undefined) => b?.nets.map((n) => ({ ...n, subnet: formatCidr(n.subnet) }));

/** One host h1 and the bridges written from line 7, column 9 (a field of a flow mapping at column 16 on). */
const withBridges = (...lines: string[]) => `all:
  hosts:
    h1:
  vars:
    cnet:
      bridges:
${lines.map((l) => `        ${l}\n`).join('')}`;

/** One host h1, one bridge line (line 7), and namespaces written from line 9, column 9 (`address6` at column 27 after `X: { bridge: br0, `). */
const withNamespaces = (bridge: string, ...lines: string[]) => `all:
  hosts:
    h1:
  vars:
    cnet:
      bridges:
        ${bridge}
      namespaces:
${lines.map((l) => `        ${l}\n`).join('')}`;

const BR = 'all.vars.cnet.bridges';
const NS = 'all.vars.cnet.namespaces';

describe('bridges: subnet6', () => {
  it.each([
    ['10.0.0.0/24', 'expected an IPv6 prefix like fd00:18::/64, got "10.0.0.0/24"'],
    ['fd00:18::', 'expected an IPv6 prefix like fd00:18::/64, got "fd00:18::"'],
    ['fd00:18::1/64', 'fd00:18::1/64 has host bits set: did you mean fd00:18::/64?'],
    ['FD00:0018:0000:0000::00AB/64', 'FD00:0018:0000:0000::00AB/64 has host bits set: did you mean fd00:18::/64?'],
    ['fd00:18:0:ff::/56', 'fd00:18:0:ff::/56 has host bits set: did you mean fd00:18::/56?'],
    ['fd00::/15', 'prefix length /15 is out of range: use /16 to /124'],
    ['fd00::/125', 'prefix length /125 is out of range: use /16 to /124'],
  ])('subnet6 %s is refused', (subnet6, message) => {
    expect(issues(withBridges(`br0: { subnet6: "${subnet6}" }`))).toEqual([`inv.yaml:7:16 ${BR}.br0.subnet6: ${message} (host h1)`]);
  });

  it('the widest and narrowest prefixes taken: /16 and /124', () => {
    const inv = load(withBridges('br0: { subnet6: "fd00::/16" }', 'br1: { subnet6: "fd01::fff0/124" }'));
    expect(inv.hosts[0]!.network.bridges.map(netsOf)).toEqual([
      [{ subnet: 'fd00::/16', address: 'fd00::1', nat: true }],
      [{ subnet: 'fd01::fff0/124', address: 'fd01::fff1', nat: true }],
    ]);
  });

  it('address6 defaults to the first host address; beside IPv4, IPv4 first', () => {
    const inv = load(withBridges('br0: { subnet: 10.0.0.0/24, subnet6: fd00:18::/64 }'));
    expect(inv.hosts[0]!.network.bridges).toEqual([
      {
        name: 'br0',
        nets: [
          { subnet: { network: 0x0a000000, prefix: 24 }, address: '10.0.0.1', nat: true },
          { subnet: { network: 0xfd000018n << 96n, prefix: 64 }, address: 'fd00:18::1', nat: true },
        ],
      },
    ]);
  });

  it('an IPv6-only bridge (no subnet) has one net', () => {
    const inv = load(withBridges('v6only: { subnet6: fd00:60::/64 }'));
    expect(inv.hosts[0]!.network.bridges.map((b) => ({ name: b.name, nets: netsOf(b) }))).toEqual([
      { name: 'v6only', nets: [{ subnet: 'fd00:60::/64', address: 'fd00:60::1', nat: true }] },
    ]);
  });

  it('explicit address6 and subnet6, upper case and uncompressed, are stored as ip prints them', () => {
    const inv = load(withBridges('br0: { subnet6: "FD00:0018:0000:0000::/64", address6: "FD00:0018:0000:0000:0000:0000:0000:00AB" }'));
    expect(netsOf(inv.hosts[0]!.network.bridges[0])).toEqual([{ subnet: 'fd00:18::/64', address: 'fd00:18::ab', nat: true }]);
  });

  it('address6 may be the last address of the prefix (IPv6 has no broadcast address)', () => {
    const inv = load(withBridges('br0: { subnet6: "fd00:18::fff0/124", address6: "fd00:18::ffff" }'));
    expect(netsOf(inv.hosts[0]!.network.bridges[0])).toEqual([{ subnet: 'fd00:18::fff0/124', address: 'fd00:18::ffff', nat: true }]);
  });

  it.each([
    ['fd00:19::1', 'address fd00:19::1 is not a host address of subnet fd00:18::/64'],
    ['fd00:18:0:1::1', 'address fd00:18:0:1::1 is not a host address of subnet fd00:18::/64'],
    // the subnet-router anycast address (all-zero host part), in two spellings
    ['fd00:18::', 'address fd00:18:: is not a host address of subnet fd00:18::/64'],
    ['FD00:18:0:0::0', 'address FD00:18:0:0::0 is not a host address of subnet fd00:18::/64'],
    ['10.0.0.1', 'expected an IPv6 address, got "10.0.0.1"'],
    ['fd00:18::1/64', 'expected an IPv6 address, got "fd00:18::1/64"'],
  ])('address6 %s is refused', (address6, message) => {
    expect(issues(withBridges(`br0: { subnet6: fd00:18::/64, address6: "${address6}" }`))).toEqual([`inv.yaml:7:39 ${BR}.br0.address6: ${message} (host h1)`]);
  });

  it('nat6: true by default for a unique local prefix (fc00::/7), false for a global one; explicit nat6 wins', () => {
    const inv = load(
      withBridges(
        'ula: { subnet6: fd00::/64 }',
        'ulc: { subnet6: "fc00:1::/64" }',
        'glob: { subnet6: "2001:db8::/64" }',
        'glob-nat: { subnet6: "2001:db8:1::/64", nat6: true }',
        'ula-routed: { subnet6: "fd00:1::/64", nat6: false }',
        'dual: { subnet: 10.0.0.0/24, nat: false, subnet6: "fd00:2::/64" }',
      ),
    );
    expect(Object.fromEntries(inv.hosts[0]!.network.bridges.map((b) => [b.name, b.nets.map((n) => n.nat)]))).toEqual({
      dual: [false, true],
      glob: [false],
      'glob-nat': [true],
      ula: [true],
      'ula-routed': [false],
      ulc: [true],
    });
  });

  it('a bridge with neither subnet nor subnet6', () => {
    expect(issues(withBridges('br0: { nat: true }', 'br1: {}'))).toEqual([
      `inv.yaml:7:9 ${BR}.br0: bridge "br0" has no subnet: "subnet" (IPv4), "subnet6" (IPv6) or both are required (host h1)`,
      `inv.yaml:8:9 ${BR}.br1: bridge "br1" has no subnet: "subnet" (IPv4), "subnet6" (IPv6) or both are required (host h1)`,
    ]);
  });

  it('address6 and nat6 without subnet6', () => {
    expect(issues(withBridges('br0: { subnet: 10.0.0.0/24, address6: "fd00::1", nat6: true }'))).toEqual([
      `inv.yaml:7:37 ${BR}.br0.address6: bridge "br0" has address6 but no subnet6: set subnet6 too, or remove address6 (host h1)`,
      `inv.yaml:7:58 ${BR}.br0.nat6: bridge "br0" has nat6 but no subnet6: set subnet6 too, or remove nat6 (host h1)`,
    ]);
  });

  it('address and nat without subnet, on an IPv6-only bridge', () => {
    expect(issues(withBridges('br0: { subnet6: fd00::/64, address: 10.0.0.1, nat: false }'))).toEqual([
      `inv.yaml:7:36 ${BR}.br0.address: bridge "br0" has address but no subnet: set subnet too, or remove address (host h1)`,
      `inv.yaml:7:55 ${BR}.br0.nat: bridge "br0" has nat but no subnet: set subnet too, or remove nat (host h1)`,
    ]);
  });

  it('overlapping subnet6 of two bridges (one inside the other, either order)', () => {
    expect(issues(withBridges('br0: { subnet6: "fd00:18::/48" }', 'br1: { subnet6: "fd00:18:0:5::/64" }', 'br2: { subnet6: "fd00::/16" }'))).toEqual([
      `inv.yaml:8:16 ${BR}.br1.subnet6: subnet fd00:18:0:5::/64 of bridge "br1" overlaps fd00:18::/48 of bridge "br0" (host h1)`,
      `inv.yaml:9:16 ${BR}.br2.subnet6: subnet fd00::/16 of bridge "br2" overlaps fd00:18::/48 of bridge "br0" (host h1)`,
      `inv.yaml:9:16 ${BR}.br2.subnet6: subnet fd00::/16 of bridge "br2" overlaps fd00:18:0:5::/64 of bridge "br1" (host h1)`,
    ]);
  });

  it('adjacent subnet6 prefixes do not overlap', () => {
    const inv = load(withBridges('br0: { subnet6: "fd00:18::/64" }', 'br1: { subnet6: "fd00:18:0:1::/64" }'));
    expect(inv.hosts[0]!.network.bridges.map((b) => formatCidr(b.nets[0]!.subnet))).toEqual(['fd00:18::/64', 'fd00:18:0:1::/64']);
  });

  it('IPv4 and IPv6 subnets never overlap each other, even holding the same number (::10.0.0.0/104 and 10.0.0.0/8)', () => {
    const inv = load(
      withBridges('br0: { subnet: 10.0.0.0/8 }', 'br1: { subnet6: "::a00:0/104" }', 'br2: { subnet: 172.16.0.0/16, subnet6: "::ffff:172.16.0.0/112" }'),
    );
    expect(inv.hosts[0]!.network.bridges.map((b) => ({ name: b.name, nets: netsOf(b) }))).toEqual([
      { name: 'br0', nets: [{ subnet: '10.0.0.0/8', address: '10.0.0.1', nat: true }] },
      { name: 'br1', nets: [{ subnet: '::10.0.0.0/104', address: '::10.0.0.1', nat: false }] },
      {
        name: 'br2',
        nets: [
          { subnet: '172.16.0.0/16', address: '172.16.0.1', nat: true },
          { subnet: '::ffff:172.16.0.0/112', address: '::ffff:172.16.0.1', nat: false },
        ],
      },
    ]);
  });

  it('a bad subnet6 drops the bridge; its namespaces are then not reported missing', () => {
    expect(issues(withNamespaces('br0: { subnet: 10.0.0.0/24, subnet6: "fd00::1/64" }', 'a: { bridge: br0 }'))).toEqual([
      `inv.yaml:7:37 ${BR}.br0.subnet6: fd00::1/64 has host bits set: did you mean fd00::/64? (host h1)`,
    ]);
  });
});

describe('namespaces: address6', () => {
  it('the next free address in name order, after the gateway and explicit addresses, whatever their spelling', () => {
    const inv = load(
      withNamespaces(
        'br0: { subnet: 10.0.0.0/24, subnet6: fd00:18::/64 }',
        'web1: { bridge: br0 }',
        'web2: { bridge: br0, address6: "FD00:18:0::2" }',
        'web3: { bridge: br0 }',
        'web4: { bridge: br0, address6: "fd00:0018::0004" }',
        'web5: { bridge: br0 }',
      ),
    );
    expect(inv.hosts[0]!.network.namespaces.map((n) => [n.name, n.addresses])).toEqual([
      ['web1', ['10.0.0.2', 'fd00:18::3']],
      ['web2', ['10.0.0.3', 'fd00:18::2']],
      ['web3', ['10.0.0.4', 'fd00:18::5']],
      ['web4', ['10.0.0.5', 'fd00:18::4']],
      ['web5', ['10.0.0.6', 'fd00:18::6']],
    ]);
  });

  it('a namespace on an IPv6-only bridge has one address', () => {
    const inv = load(withNamespaces('v6only: { subnet6: fd00:60::/64 }', 'only6: { bridge: v6only }'));
    expect(inv.hosts[0]!.network.namespaces).toEqual([{ name: 'only6', bridge: 'v6only', addresses: ['fd00:60::2'], hostIf: 've-only6', nsIf: 'eth0' }]);
  });

  it('a gateway moved off the first address leaves it free for a namespace', () => {
    const inv = load(withNamespaces('br0: { subnet6: fd00:18::/64, address6: "fd00:18::2" }', 'b: { bridge: br0 }', 'c: { bridge: br0 }'));
    expect(inv.hosts[0]!.network.namespaces.map((n) => [n.name, n.addresses])).toEqual([
      ['b', ['fd00:18::1']],
      ['c', ['fd00:18::3']],
    ]);
  });

  it('duplicates: two explicit equal addresses (spelled apart), and one equal to the gateway', () => {
    expect(
      issues(
        withNamespaces(
          'br0: { subnet6: fd00:18::/64 }',
          'a: { bridge: br0, address6: "fd00:18::5" }',
          'b: { bridge: br0, address6: "FD00:18::5" }',
          'c: { bridge: br0, address6: "fd00:18:0:0::1" }',
        ),
      ),
    ).toEqual([
      `inv.yaml:10:27 ${NS}.b.address6: address FD00:18::5 is already used by namespace "a" (host h1)`,
      `inv.yaml:11:27 ${NS}.c.address6: address fd00:18::1 is the gateway (the address of bridge "br0") (host h1)`,
    ]);
  });

  it('an explicit address6 equal to an explicit gateway', () => {
    expect(issues(withNamespaces('br0: { subnet6: fd00:18::/64, address6: "fd00:18::ab" }', 'a: { bridge: br0, address6: "FD00:18::AB" }'))).toEqual([
      `inv.yaml:9:27 ${NS}.a.address6: address fd00:18::ab is the gateway (the address of bridge "br0") (host h1)`,
    ]);
  });

  it('address6 on a bridge without subnet6', () => {
    expect(issues(withNamespaces('br0: { subnet: 10.0.0.0/24 }', 'a: { bridge: br0, address6: "fd00:18::5" }'))).toEqual([
      `inv.yaml:9:27 ${NS}.a.address6: namespace "a" has address6, but its bridge "br0" has no subnet6 (host h1)`,
    ]);
  });

  it('address on an IPv6-only bridge', () => {
    expect(issues(withNamespaces('br0: { subnet6: fd00:18::/64 }', 'a: { bridge: br0, address: 10.0.0.5 }'))).toEqual([
      `inv.yaml:9:27 ${NS}.a.address: namespace "a" has address, but its bridge "br0" has no subnet (host h1)`,
    ]);
  });

  it('address6 outside the prefix, the subnet-router anycast address, or not IPv6', () => {
    expect(
      issues(
        withNamespaces(
          'br0: { subnet6: fd00:18::/64 }',
          'a: { bridge: br0, address6: "fd00:19::5" }',
          'b: { bridge: br0, address6: "fd00:18::" }',
          'c: { bridge: br0, address6: "10.0.0.1" }',
          'd: { bridge: br0, address6: "fd00:18:0:0:0:0:0:0" }',
        ),
      ),
    ).toEqual([
      `inv.yaml:9:27 ${NS}.a.address6: address fd00:19::5 is outside subnet fd00:18::/64 of bridge "br0" (host h1)`,
      `inv.yaml:10:27 ${NS}.b.address6: address fd00:18:: is the subnet-router anycast address of subnet fd00:18::/64 of bridge "br0" (host h1)`,
      `inv.yaml:11:27 ${NS}.c.address6: expected an IPv6 address, got "10.0.0.1" (host h1)`,
      `inv.yaml:12:27 ${NS}.d.address6: address fd00:18:: is the subnet-router anycast address of subnet fd00:18::/64 of bridge "br0" (host h1)`,
    ]);
  });

  const ns = (count: number) => Array.from({ length: count }, (_, i) => `n${String(i).padStart(2, '0')}: { bridge: br0 }`);

  it('a /124 holds 14 namespaces beside its gateway, the last at the all-ones address', () => {
    const inv = load(withNamespaces('br0: { subnet6: "fd00:18::/124" }', ...ns(14)));
    const addresses = inv.hosts[0]!.network.namespaces.map((n) => n.addresses[0]);
    expect(addresses).toEqual(Array.from({ length: 14 }, (_, i) => `fd00:18::${(i + 2).toString(16)}`));
    expect(addresses.at(-1)).toBe('fd00:18::f');
  });

  it('a /124 running out of addresses names each namespace left without one', () => {
    expect(issues(withNamespaces('br0: { subnet6: "fd00:18::/124" }', ...ns(16)))).toEqual([
      `inv.yaml:23:9 ${NS}.n14: subnet fd00:18::/124 has no free address left for namespace "n14" (host h1)`,
      `inv.yaml:24:9 ${NS}.n15: subnet fd00:18::/124 has no free address left for namespace "n15" (host h1)`,
    ]);
  });

  it('an explicit address in a full /124 is kept; the allocated ones go around it', () => {
    const inv = load(withNamespaces('br0: { subnet6: "fd00:18::/124" }', ...ns(13), 'zz: { bridge: br0, address6: "fd00:18::3" }'));
    const byName = Object.fromEntries(inv.hosts[0]!.network.namespaces.map((n) => [n.name, n.addresses[0]]));
    expect([byName.n00, byName.n01, byName.n12, byName.zz]).toEqual(['fd00:18::2', 'fd00:18::4', 'fd00:18::f', 'fd00:18::3']);
  });

  it('1000 namespaces on a /64 get 1000 distinct addresses of it, in name order from ::2', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `n${String(i).padStart(4, '0')}: { bridge: br0 }`);
    const inv = load(withNamespaces('br0: { subnet6: fd00:18::/64 }', ...names));
    const spaces = inv.hosts[0]!.network.namespaces;
    const subnet = parseCidr6('fd00:18::/64') as Cidr;
    const addresses = spaces.map((n) => n.addresses[0]!);
    expect(spaces).toHaveLength(1000);
    expect(new Set(addresses).size).toBe(1000);
    expect(addresses.every((a) => contains6(subnet, parseIpv6(a)) && a !== 'fd00:18::' && a !== 'fd00:18::1')).toBe(true);
    expect([addresses[0], addresses[1], addresses[999]]).toEqual(['fd00:18::2', 'fd00:18::3', 'fd00:18::3e9']);
  });
});
