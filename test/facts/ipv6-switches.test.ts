import { describe, expect, it } from 'vitest';
import { parseIpv6Switches } from '../../src/facts/ipv6-switches.js';

describe('parseIpv6Switches (the gather’s ipv6 section)', () => {
  it('reads forwarding, disable_ipv6 and each interface’s accept_ra', () => {
    const s = parseIpv6Switches('forwarding 1\ndisable_ipv6 0\naccept_ra eth0 2\naccept_ra br0 1\naccept_ra lo 1\n');
    expect(s).toEqual({
      ip6Forward: true,
      ipv6Disabled: false,
      acceptRa: new Map([
        ['eth0', 2],
        ['br0', 1],
        ['lo', 1],
      ]),
    });
  });

  it('absent (the kernel has no IPv6), or no forwarding line: no switch at all', () => {
    expect(parseIpv6Switches('absent\n')).toEqual({});
    expect(parseIpv6Switches('')).toEqual({});
    expect(parseIpv6Switches('disable_ipv6 1\naccept_ra eth0 2\n')).toEqual({});
  });

  it('any non-zero integer is on (the kernel keeps what was written); accept_ra keeps its value', () => {
    expect(parseIpv6Switches('forwarding 2\naccept_ra eth0 -1').ip6Forward).toBe(true);
    expect(parseIpv6Switches('forwarding 0\naccept_ra eth0 -1').acceptRa?.get('eth0')).toBe(-1);
  });

  it('leaves out lines of any other shape (hosts are untrusted): extra words, no value, a value that is no integer, a blank name', () => {
    const s = parseIpv6Switches(
      [
        'forwarding 0',
        'forwarding yes',
        'forwarding 1 1',
        'disable_ipv6',
        'accept_ra eth0',
        'accept_ra eth0 2 3',
        'accept_ra  2',
        'accept_ra a 0x2',
        'accept_ra b 99999999999',
        'accept_ra __proto__ 1',
        `accept_ra ${'q\u001bx'} 1`,
        'accept_ra_x eth1 1',
      ].join('\n'),
    );
    expect(s.ip6Forward).toBe(false);
    expect(s.ipv6Disabled).toBeUndefined();
    expect([...s.acceptRa!]).toEqual([
      ['__proto__', 1],
      ['q\u001bx', 1],
    ]);
  });
});
