import { describe, expect, it } from 'vitest';
import { FAMILIES, familyOf, familyOfText, formatCidr, isAddress, overlaps, parseCidr, type Cidr } from '../../src/address/family.js';
import { ipv4 } from '../../src/address/ipv4.js';
import { ipv6 } from '../../src/address/ipv6.js';
import { seedNetwork } from '../verify/helpers.js';

const cidr = (text: string): Cidr => parseCidr(text) as Cidr;

describe('the address families', () => {
  it('IPv4: what ip, sysctl and the prefix checks ask of it', () => {
    expect(FAMILIES).toEqual([ipv4, ipv6]);
    expect([ipv4.name, ipv4.ipFlag, ipv4.bits, ipv4.subnetPrefix, ipv4.forwarding]).toEqual([
      'ipv4',
      '-4',
      32,
      { min: 8, max: 30 },
      { sysctl: 'net.ipv4.ip_forward', proc: '/proc/sys/net/ipv4/ip_forward' },
    ]);
  });

  it('a resolved subnet carries its family: a bridge of the seed inventory is IPv4', () => {
    const [b] = seedNetwork('seed-part2.yaml').bridges;
    expect(b!.nets.map((net) => familyOf(net.subnet))).toEqual([ipv4]);
    expect(familyOf(cidr('10.0.0.0/8'))).toBe(ipv4);
  });

  it('familyOfText: the family that reads the address; IPv4 (and its messages) for what none reads', () => {
    expect([familyOfText('172.18.0.0/16'), familyOfText('10.0.0.1'), familyOfText('garbage')]).toEqual([ipv4, ipv4, ipv4]);
    expect(parseCidr('garbage')).toBe('expected an IPv4 subnet like 172.18.0.0/16, got "garbage"');
    // IPv6 text is read by IPv6 (it was IPv4's message before IPv6 joined FAMILIES)
    expect(familyOfText('fd00::/64')).toBe(ipv6);
  });

  it('formatCidr, parseCidr, overlaps and isAddress go to the family', () => {
    expect(formatCidr(cidr('172.18.0.0/16'))).toBe('172.18.0.0/16');
    expect(parseCidr('10.0.0.1/8')).toBe(ipv4.parseCidr('10.0.0.1/8'));
    expect([overlaps(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')), overlaps(cidr('10.0.0.0/16'), cidr('10.1.0.0/16'))]).toEqual([true, false]);
    expect([isAddress('10.0.0.1'), isAddress('10.0.0.256'), isAddress('br0')]).toEqual([true, false, false]);
  });
});
