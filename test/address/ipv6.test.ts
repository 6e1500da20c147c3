/**
 * IPv6 arithmetic (src/address/ipv6.ts) and the family seam (src/address/family.ts) on both
 * families. How addresses are written is held to the real `ip` by ipv6-ip.test.ts; this file
 * holds the prefix arithmetic, the inventory's checks and what the pipeline asks of a family.
 */
import { describe, expect, it } from 'vitest';
import { FAMILIES, familyOf, familyOfText, formatCidr, isAddress, overlaps, parseCidr } from '../../src/address/family.js';
import { ipv4, type Cidr as Cidr4 } from '../../src/address/ipv4.js';
import {
  contains6,
  formatCidr6,
  formatIpv6,
  isIpv6,
  isUniqueLocal,
  ipv6,
  maskOf6,
  overlaps6,
  parseCidr6,
  parseIpv6,
  SUBNET6_PREFIX,
  type Cidr,
} from '../../src/address/ipv6.js';

const cidr = (text: string): Cidr => {
  const c = parseCidr6(text);
  if (typeof c === 'string') throw new Error(c);
  return c;
};
const cidr4 = (text: string): Cidr4 => {
  const c = ipv4.parseCidr(text);
  if (typeof c === 'string') throw new Error(c);
  return c as Cidr4;
};
const ALL = (1n << 128n) - 1n;

describe('isIpv6 / parseIpv6', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['fd00:18::1', 0xfd000018000000000000000000000001n],
    ['FD00:0018:0000:0000:0000:0000:0000:0001', 0xfd000018000000000000000000000001n],
    ['1:2:3:4:5:6:7::', 0x00010002000300040005000600070000n],
    ['::2:3:4:5:6:7:8', 0x00000002000300040005000600070008n],
    ['::ffff:10.0.0.1', 0xffff0a000001n],
    ['1:2:3:4:5:6:10.0.0.1', 0x0001000200030004000500060a000001n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ALL],
  ])('%s is %s', (text, value) => {
    expect(isIpv6(text)).toBe(true);
    expect(parseIpv6(text)).toBe(value);
  });

  it.each([
    '',
    ':',
    ':::',
    '1::2::3',
    ':1::',
    '1:',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    '12345::',
    'g::1',
    '::1.2.3',
    '::1.2.3.256',
    '1:2:3:4:5:6:7:1.2.3.4',
    'fe80::1%eth0',
    ' ::1',
    '::1/128',
    '10.0.0.1',
    '0000:0000:0000:0000:0000:0000:0000:0000:0',
  ])('%j is not an IPv6 address', (text) => {
    expect(isIpv6(text)).toBe(false);
    expect(() => parseIpv6(text)).toThrow(`not an IPv6 address: ${JSON.stringify(text)}`);
  });

  it.each(['1.2.3.4::', '1.2.3.4::5', '1:2:1.2.3.4::'])('%j (a dotted quad before ::) is not an IPv6 address', (text) => {
    expect(isIpv6(text)).toBe(false);
  });
});

describe('maskOf6', () => {
  it.each([
    [0, 0n],
    [1, 1n << 127n],
    [16, 0xffffn << 112n],
    [64, 0xffffffffffffffffn << 64n],
    [127, ALL - 1n],
    [128, ALL],
  ])('/%d', (prefix, mask) => {
    expect(maskOf6(prefix)).toBe(mask);
  });
});

describe('parseCidr6 / formatCidr6', () => {
  it('inventory prefixes are /16 to /124', () => {
    expect(SUBNET6_PREFIX).toEqual({ min: 16, max: 124 });
  });

  it.each([
    ['fd00:18::/64', 'fd00:18::/64', 0xfd000018n << 96n, 64],
    ['FD00:0018:0000:0000::/64', 'fd00:18::/64', 0xfd000018n << 96n, 64],
    ['fd00::/16', 'fd00::/16', 0xfd00n << 112n, 16],
    ['fd00:18::fff0/124', 'fd00:18::fff0/124', (0xfd000018n << 96n) | 0xfff0n, 124],
    ['2001:db8:0:100::/56', '2001:db8:0:100::/56', (0x20010db8n << 96n) | (0x100n << 64n), 56],
    ['::ffff:10.0.0.0/120', '::ffff:10.0.0.0/120', 0xffff0a000000n, 120],
  ])('%s reads as %s', (text, shown, network, prefix) => {
    expect(parseCidr6(text)).toEqual({ network, prefix });
    expect(formatCidr6(cidr(text))).toBe(shown);
  });

  it.each([
    ['10.0.0.0/24', 'expected an IPv6 prefix like fd00:18::/64, got "10.0.0.0/24"'],
    ['fd00:18::', 'expected an IPv6 prefix like fd00:18::/64, got "fd00:18::"'],
    ['fd00:18::/', 'expected an IPv6 prefix like fd00:18::/64, got "fd00:18::/"'],
    ['fd00:18::/1234', 'expected an IPv6 prefix like fd00:18::/64, got "fd00:18::/1234"'],
    ['fd00:18::/64/64', 'expected an IPv6 prefix like fd00:18::/64, got "fd00:18::/64/64"'],
    ['fe80::%eth0/64', 'expected an IPv6 prefix like fd00:18::/64, got "fe80::%eth0/64"'],
    ['fd00::/15', 'prefix length /15 is out of range: use /16 to /124'],
    ['fd00::/125', 'prefix length /125 is out of range: use /16 to /124'],
    ['::/0', 'prefix length /0 is out of range: use /16 to /124'],
    ['fd00:18::1/64', 'fd00:18::1/64 has host bits set: did you mean fd00:18::/64?'],
    ['FD00:0018:0000:0000::00AB/64', 'FD00:0018:0000:0000::00AB/64 has host bits set: did you mean fd00:18::/64?'],
    ['fd00:18:0:ff::/56', 'fd00:18:0:ff::/56 has host bits set: did you mean fd00:18::/56?'],
    ['fd00:18::8/125', 'prefix length /125 is out of range: use /16 to /124'],
    ['fd00:18::8/124', 'fd00:18::8/124 has host bits set: did you mean fd00:18::/124?'],
  ])('%s is refused: %s', (text, message) => {
    expect(parseCidr6(text)).toBe(message);
  });
});

describe('contains6 / overlaps6', () => {
  const net = cidr('fd00:18::/64');
  it.each([
    ['fd00:18::', true],
    ['fd00:18::1', true],
    ['fd00:18::ffff:ffff:ffff:ffff', true],
    ['fd00:18:0:1::', false],
    ['fd00:17:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['fd00:19::1', false],
    ['::1', false],
  ])('fd00:18::/64 contains %s: %s', (address, inside) => {
    expect(contains6(net, parseIpv6(address))).toBe(inside);
  });

  it.each([
    ['fd00:18::/48', 'fd00:18:0:5::/64', true],
    ['fd00:18:0:5::/64', 'fd00:18::/48', true],
    ['fd00:18::/64', 'fd00:18::/64', true],
    ['fd00:18::/64', 'fd00:18:0:1::/64', false],
    ['fd00:18::/124', 'fd00:18::10/124', false],
    ['fd00::/16', 'fd00:ffff:ffff:ffff::/64', true],
    ['fd00::/16', 'fd01::/16', false],
    ['2001:db8::/32', 'fd00::/16', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    expect(overlaps6(cidr(a), cidr(b))).toBe(expected);
    expect(overlaps6(cidr(b), cidr(a))).toBe(expected);
  });
});

describe('isUniqueLocal: fc00::/7 (NAT66 by default)', () => {
  it.each([
    ['fd00:18::/64', true],
    ['fc00::/16', true],
    ['fdff:ffff:ffff:ffff::/64', true],
    ['fe00::/16', false],
    ['fbff::/16', false],
    ['fe80::/64', false],
    ['2001:db8::/64', false],
    ['::ffff:10.0.0.0/120', false],
  ])('%s: %s', (text, ula) => {
    expect(isUniqueLocal(cidr(text))).toBe(ula);
  });

  it('fc00::/7 itself (shorter than an inventory prefix)', () => {
    expect(isUniqueLocal({ network: parseIpv6('fc00::'), prefix: 7 })).toBe(true);
  });
});

describe('the ipv6 AddressFamily', () => {
  it('what ip, sysctl and the prefix checks ask of it', () => {
    expect({
      name: ipv6.name,
      ipName: ipv6.ipName,
      ipFlag: ipv6.ipFlag,
      bits: ipv6.bits,
      subnetPrefix: ipv6.subnetPrefix,
      forwarding: ipv6.forwarding,
    }).toEqual({
      name: 'ipv6',
      ipName: 'inet6',
      ipFlag: '-6',
      bits: 128,
      subnetPrefix: { min: 16, max: 124 },
      forwarding: { sysctl: 'net.ipv6.conf.all.forwarding', proc: '/proc/sys/net/ipv6/conf/all/forwarding' },
    });
  });

  it('owns subnets whose network is a bigint; IPv4 those whose network is a number', () => {
    expect([ipv6.owns(cidr('fd00::/64')), ipv6.owns(cidr4('10.0.0.0/8'))]).toEqual([true, false]);
    expect([ipv4.owns(cidr('fd00::/64')), ipv4.owns(cidr4('10.0.0.0/8'))]).toEqual([false, true]);
  });

  it('parseCidr and formatCidr are parseCidr6 and formatCidr6', () => {
    expect(ipv6.parseCidr('FD00:18::/64')).toEqual(cidr('fd00:18::/64'));
    expect(ipv6.parseCidr('fd00:18::1/64')).toBe('fd00:18::1/64 has host bits set: did you mean fd00:18::/64?');
    expect(ipv6.formatCidr(cidr('FD00:0018::/48'))).toBe('fd00:18::/48');
  });

  it.each([
    [1, 'fd00:18::1'],
    [2, 'fd00:18::2'],
    [10, 'fd00:18::a'],
    [0xffff, 'fd00:18::ffff'],
    [0x10000, 'fd00:18::1:0'],
    [2 ** 32, 'fd00:18::1:0:0'],
  ])('addressAt(fd00:18::/64, %d) is %s', (n, address) => {
    expect(ipv6.addressAt(cidr('fd00:18::/64'), n)).toBe(address);
  });

  it('addressAt: none at 0 (the subnet-router anycast address) or past the end; the last of a /124 is a host address (no broadcast)', () => {
    const small = cidr('fd00:18::fff0/124');
    expect(ipv6.addressAt(small, 0)).toBeUndefined();
    expect(ipv6.addressAt(small, 1)).toBe('fd00:18::fff1');
    expect(ipv6.addressAt(small, 15)).toBe('fd00:18::ffff');
    expect(ipv6.addressAt(small, 16)).toBeUndefined();
    expect(ipv6.addressAt(small, -1)).toBeUndefined();
    expect(ipv6.addressAt(cidr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124'), 15)).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(ipv6.addressAt(cidr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124'), 16)).toBeUndefined();
  });

  it.each([
    ['fd00:18::1', undefined],
    ['FD00:18::1', undefined],
    ['fd00:18::ffff:ffff:ffff:ffff', undefined],
    ['fd00:18::', 'the subnet-router anycast address'],
    ['fd00:18:0:0::0', 'the subnet-router anycast address'],
    ['fd00:18:0:1::', 'outside'],
    ['fd00:19::1', 'outside'],
    ['::ffff:10.0.0.1', 'outside'],
  ])('hostAddressProblem(fd00:18::/64, %s): %s', (address, problem) => {
    expect(ipv6.hostAddressProblem(cidr('fd00:18::/64'), address)).toBe(problem);
  });

  it('subnetOf: the subnet of any length (a route, a host) an address is in', () => {
    expect(formatCidr6(ipv6.subnetOf('fd00:18::abcd', 120) as Cidr)).toBe('fd00:18::ab00/120');
    expect(formatCidr6(ipv6.subnetOf('FD00:18:0:5:1:2:3:4', 64) as Cidr)).toBe('fd00:18:0:5::/64');
    expect(formatCidr6(ipv6.subnetOf('fd00:18::abcd', 128) as Cidr)).toBe('fd00:18::abcd/128');
    expect(formatCidr6(ipv6.subnetOf('fd00:18::abcd', 0) as Cidr)).toBe('::/0');
  });

  it('contains: any spelling of the address', () => {
    const net = cidr('fd00:18::/64');
    expect([ipv6.contains(net, 'fd00:18::5'), ipv6.contains(net, 'FD00:0018:0:0:0:0:0:5'), ipv6.contains(net, 'fd00:19::5')]).toEqual([true, true, false]);
  });

  it('canonical: as ip prints it; not an address throws', () => {
    expect(ipv6.canonical('FD00:0018:0000:0000:0000:0000:0000:0001')).toBe('fd00:18::1');
    expect(ipv6.canonical('fd00:0:0:1:0:0:0:1')).toBe('fd00:0:0:1::1');
    expect(ipv6.canonical('::FFFF:0A00:0001')).toBe('::ffff:10.0.0.1');
    expect(ipv6.canonical('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(() => ipv6.canonical('fd00::g')).toThrow('not an IPv6 address: "fd00::g"');
  });

  it('defaultNat: unique local prefixes masqueraded, global ones routed', () => {
    expect([ipv6.defaultNat(cidr('fd00:18::/64')), ipv6.defaultNat(cidr('2001:db8::/64'))]).toEqual([true, false]);
  });

  it('isAddress is isIpv6', () => {
    expect([ipv6.isAddress('fd00::1'), ipv6.isAddress('10.0.0.1'), ipv6.isAddress('fd00::/64')]).toEqual([true, false, false]);
  });
});

describe('family.ts on both families', () => {
  it('FAMILIES: IPv4, then IPv6 (the order addresses are listed and planned in)', () => {
    expect(FAMILIES).toEqual([ipv4, ipv6]);
  });

  it('familyOf: by the subnet, IPv4 for a number, IPv6 for a bigint', () => {
    expect(familyOf(cidr4('10.0.0.0/8'))).toBe(ipv4);
    expect(familyOf(cidr('fd00::/64'))).toBe(ipv6);
    // the same value as IPv4's 10.0.0.0/8 (::10.0.0.0): the representation tells them apart
    expect(familyOf({ network: 0x0a000000n, prefix: 104 })).toBe(ipv6);
    expect(familyOf({ network: 0x0a000000, prefix: 8 })).toBe(ipv4);
  });

  it.each([
    ['10.0.0.1', 'ipv4'],
    ['172.18.0.0/16', 'ipv4'],
    ['fd00::1', 'ipv6'],
    ['fd00:18::/64', 'ipv6'],
    ['FD00:18::/64', 'ipv6'],
    ['::ffff:10.0.0.1', 'ipv6'],
    ['::', 'ipv6'],
    ['garbage', 'ipv4'],
    ['', 'ipv4'],
    ['fe80::1%eth0', 'ipv4'],
  ])('familyOfText(%j) is %s', (text, name) => {
    expect(familyOfText(text).name).toBe(name);
  });

  it('parseCidr goes to the family the text is written in, with its messages', () => {
    expect(parseCidr('fd00:18::/64')).toEqual(cidr('fd00:18::/64'));
    expect(parseCidr('10.0.0.0/8')).toEqual(cidr4('10.0.0.0/8'));
    expect(parseCidr('fd00:18::1/64')).toBe('fd00:18::1/64 has host bits set: did you mean fd00:18::/64?');
    expect(parseCidr('fd00::/125')).toBe('prefix length /125 is out of range: use /16 to /124');
    expect(parseCidr('10.0.0.0/31')).toBe('prefix length /31 is out of range: use /8 to /30');
    // what neither family reads gets IPv4's message
    expect(parseCidr('fd00::g/64')).toBe('expected an IPv4 subnet like 172.18.0.0/16, got "fd00::g/64"');
  });

  it('formatCidr writes each family', () => {
    expect([formatCidr(cidr4('172.18.0.0/16')), formatCidr(cidr('FD00:18::/64')), formatCidr(cidr('::ffff:10.0.0.0/120'))]).toEqual([
      '172.18.0.0/16',
      'fd00:18::/64',
      '::ffff:10.0.0.0/120',
    ]);
  });

  it('overlaps: within a family; never across families, whatever the numbers', () => {
    expect(overlaps(cidr('fd00:18::/48'), cidr('fd00:18:0:5::/64'))).toBe(true);
    expect(overlaps(cidr('fd00:18::/64'), cidr('fd00:19::/64'))).toBe(false);
    expect(overlaps(cidr4('10.0.0.0/8'), cidr4('10.1.0.0/16'))).toBe(true);
    // ::10.0.0.0/104 and 10.0.0.0/8 hold the same number in their last 32 bits
    const v6 = cidr('::a00:0/104');
    expect(v6.network).toBe(BigInt(cidr4('10.0.0.0/8').network));
    expect([overlaps(cidr4('10.0.0.0/8'), v6), overlaps(v6, cidr4('10.0.0.0/8'))]).toEqual([false, false]);
    expect([overlaps(cidr4('10.0.0.0/8'), cidr('::ffff:10.0.0.0/120')), overlaps(cidr('::ffff:10.0.0.0/120'), cidr4('10.0.0.0/8'))]).toEqual([false, false]);
  });

  it('isAddress: an address of either family', () => {
    expect([isAddress('10.0.0.1'), isAddress('fd00::1'), isAddress('FD00::1'), isAddress('10.0.0.256'), isAddress('fd00::/64'), isAddress('br0')]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('formatIpv6 beside parseIpv6: the text the inventory stores', () => {
  it.each([
    ['FD00:18:0::2', 'fd00:18::2'],
    ['fd00:0018::0004', 'fd00:18::4'],
    ['fd00:0:0:1:0:0:0:1', 'fd00:0:0:1::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
  ])('%s → %s', (text, shown) => {
    expect(formatIpv6(parseIpv6(text))).toBe(shown);
  });
});
