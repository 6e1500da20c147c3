import { describe, expect, it } from 'vitest';
import {
  broadcastOf,
  contains,
  formatCidr,
  formatIpv4,
  isHostAddress,
  isIpv4,
  maskOf,
  overlaps,
  parseCidr,
  parseIpv4,
  type Cidr,
} from '../../src/address/ipv4.js';

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(c);
  return c;
};

describe('isIpv4 / parseIpv4 / formatIpv4', () => {
  it.each(['0.0.0.0', '10.0.0.1', '172.18.0.1', '192.168.255.254', '255.255.255.255', '1.22.199.250'])('%s is an address', (a) => {
    expect(isIpv4(a)).toBe(true);
    expect(formatIpv4(parseIpv4(a))).toBe(a);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.0.1',
    '256.0.0.1',
    '10.0.0.256',
    '010.0.0.1',
    '10.0.0.01',
    ' 10.0.0.1',
    '10.0.0.1 ',
    '10.0.0.1/24',
    '1e1.0.0.1',
    '-1.0.0.1',
    'a.b.c.d',
    '::1',
  ])('%j is not', (a) => {
    expect(isIpv4(a)).toBe(false);
    expect(() => parseIpv4(a)).toThrow('not an IPv4 address');
  });

  it('parses to an unsigned 32-bit number', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('192.168.1.2')).toBe(0xc0a80102);
    expect(formatIpv4(0xac120001)).toBe('172.18.0.1');
  });
});

describe('maskOf', () => {
  it.each([
    [0, 0],
    [1, 0x80000000],
    [8, 0xff000000],
    [16, 0xffff0000],
    [24, 0xffffff00],
    [30, 0xfffffffc],
    [32, 0xffffffff],
  ])('/%i', (prefix, mask) => {
    expect(maskOf(prefix)).toBe(mask);
  });
});

describe('parseCidr', () => {
  it('a subnet', () => {
    expect(parseCidr('172.18.0.0/16')).toEqual({ network: 0xac120000, prefix: 16 });
    expect(parseCidr('10.0.0.0/8')).toEqual({ network: 0x0a000000, prefix: 8 });
    expect(parseCidr('192.168.1.252/30')).toEqual({ network: 0xc0a801fc, prefix: 30 });
    expect(formatCidr(cidr('172.19.0.0/24'))).toBe('172.19.0.0/24');
  });

  it('host bits set: suggests the network', () => {
    expect(parseCidr('172.18.0.1/16')).toBe('172.18.0.1/16 has host bits set: did you mean 172.18.0.0/16?');
    expect(parseCidr('192.168.1.130/25')).toContain('did you mean 192.168.1.128/25?');
  });

  it.each(['0.0.0.0/0', '10.0.0.0/7', '10.0.0.0/31', '10.0.0.1/32'])('%s: prefix out of range', (t) => {
    expect(parseCidr(t)).toMatch(/^prefix length \/\d+ is out of range: use \/8 to \/30$/);
  });

  it.each(['10.0.0.0', '10.0.0.0/', '10.0.0.0/abc', '10.0.0.0/024', '10.0.0/24', '256.0.0.0/8', 'x/24', '10.0.0.0/24/1', ''])('%j: not a subnet', (t) => {
    expect(parseCidr(t)).toBe(`expected an IPv4 subnet like 172.18.0.0/16, got ${JSON.stringify(t)}`);
  });
});

describe('subnet arithmetic', () => {
  const c24 = cidr('10.0.0.0/24');

  it('broadcast', () => {
    expect(formatIpv4(broadcastOf(c24))).toBe('10.0.0.255');
    expect(formatIpv4(broadcastOf(cidr('172.18.0.0/16')))).toBe('172.18.255.255');
    expect(formatIpv4(broadcastOf(cidr('192.168.1.252/30')))).toBe('192.168.1.255');
    expect(formatIpv4(broadcastOf(cidr('200.0.0.0/8')))).toBe('200.255.255.255');
  });

  it('contains', () => {
    expect(contains(c24, parseIpv4('10.0.0.0'))).toBe(true);
    expect(contains(c24, parseIpv4('10.0.0.255'))).toBe(true);
    expect(contains(c24, parseIpv4('10.0.1.0'))).toBe(false);
    expect(contains(c24, parseIpv4('9.255.255.255'))).toBe(false);
    expect(contains(cidr('192.0.0.0/8'), parseIpv4('192.255.0.1'))).toBe(true);
  });

  it('host addresses exclude the network and broadcast addresses', () => {
    expect(isHostAddress(c24, parseIpv4('10.0.0.0'))).toBe(false);
    expect(isHostAddress(c24, parseIpv4('10.0.0.1'))).toBe(true);
    expect(isHostAddress(c24, parseIpv4('10.0.0.254'))).toBe(true);
    expect(isHostAddress(c24, parseIpv4('10.0.0.255'))).toBe(false);
    expect(isHostAddress(c24, parseIpv4('10.0.1.1'))).toBe(false);
    const c30 = cidr('10.0.0.4/30');
    expect([4, 5, 6, 7].map((n) => isHostAddress(c30, 0x0a000000 + n))).toEqual([false, true, true, false]);
  });

  it.each([
    ['10.0.0.0/16', '10.0.1.0/24', true],
    ['10.0.1.0/24', '10.0.0.0/16', true],
    ['10.0.0.0/24', '10.0.0.0/24', true],
    ['10.0.0.0/24', '10.0.1.0/24', false],
    ['10.0.0.0/25', '10.0.0.128/25', false],
    ['172.18.0.0/16', '172.19.0.0/24', false],
    ['10.0.0.0/8', '10.255.255.252/30', true],
    ['192.168.0.0/16', '10.0.0.0/8', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    expect(overlaps(cidr(a), cidr(b))).toBe(expected);
  });
});
