import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatOwned, type OwnedObject, parseRecord } from '../../src/ownership/record.js';
import { splitSections } from '../../src/remote/markers.js';

/**
 * The record's IPv6 lines (issue 18): IPv6's forwarding switch (`forward 0 ipv6`), an interface's
 * accept_ra that up raised to 2 (`accept-ra DEV 1`), NAT66 rules in iptables' shape and in
 * nftables (`nat SUBNET BRIDGE [EXCEPT] [nftables]`), and IPv6 fabric routes.
 */
const recordOf = (name: string): string =>
  splitSections(readFileSync(new URL(`../fixtures/facts/ipv6/${name}.txt`, import.meta.url), 'utf8')).get('record') ?? '';

const V6: [OwnedObject, string][] = [
  [{ kind: 'forward', from: '0', family: 'ipv6' }, 'forward 0 ipv6'],
  [{ kind: 'accept-ra', dev: 'eth0', from: '1' }, 'accept-ra eth0 1'],
  [{ kind: 'accept-ra', dev: 'eth0.100', from: '1' }, 'accept-ra eth0.100 1'],
  [{ kind: 'nat', subnet: 'fd00:18::/64', bridge: 'br0' }, 'nat fd00:18::/64 br0'],
  [{ kind: 'nat', subnet: 'fd00:30::/64', bridge: 'cnet0', except: 'fd00:30::/48', nftables: true }, 'nat fd00:30::/64 cnet0 fd00:30::/48 nftables'],
  [{ kind: 'nat', subnet: 'fd00:18::/64', bridge: 'br0', nftables: true }, 'nat fd00:18::/64 br0 nftables'],
  [{ kind: 'route', dst: 'fd00:30:0:2::/64', via: '2001:db8:249::20' }, 'route fd00:30:0:2::/64 via 2001:db8:249::20'],
  [{ kind: 'route', dst: 'fd00:30::/48', dev: 'cnet0' }, 'route fd00:30::/48 dev cnet0'],
];

describe('formatOwned: the IPv6 lines', () => {
  it.each(V6)('%o is written %s', (o, line) => {
    expect(formatOwned(o)).toBe(line);
  });

  it('IPv4’s forwarding switch keeps its line (no family word): records written before IPv6 still read the same', () => {
    expect(formatOwned({ kind: 'forward', from: '0' })).toBe('forward 0');
    expect(parseRecord('forward 0\n')).toEqual([{ kind: 'forward', from: '0' }]);
  });
});

describe('parseRecord: the IPv6 lines', () => {
  it('round-trips them, in order, beside IPv4’s', () => {
    const all: OwnedObject[] = [
      { kind: 'link', name: 'br0' },
      { kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' },
      ...V6.map(([o]) => o),
      { kind: 'forward', from: '0' },
    ];
    const text = `${all.map(formatOwned).join('\n')}\n`;
    expect(parseRecord(text)).toEqual(all);
    expect(parseRecord(text).map(formatOwned).join('\n')).toBe(text.trimEnd());
  });

  it('IPv4’s and IPv6’s forwarding switches are two objects; a repeated line is read once', () => {
    expect(parseRecord('forward 0 ipv6\nforward 0\nforward 0 ipv6\naccept-ra eth0 1\naccept-ra  eth0   1\n')).toEqual([
      { kind: 'forward', from: '0', family: 'ipv6' },
      { kind: 'forward', from: '0' },
      { kind: 'accept-ra', dev: 'eth0', from: '1' },
    ]);
  });

  it('an interface’s accept_ra and another’s are two objects', () => {
    expect(parseRecord('accept-ra eth0 1\naccept-ra eth1 1\n').map(formatOwned)).toEqual(['accept-ra eth0 1', 'accept-ra eth1 1']);
  });

  it('reads the records as the recordings hold them (test/fixtures/facts/ipv6: written as up writes them)', () => {
    expect(parseRecord(recordOf('plan-converged')).map(formatOwned)).toEqual([
      ...['container1', 'container2', 'jelly', 'only6', 'pb'].map((n) => `netns ${n}`),
      ...['br0', 'brd1', 'v6only', 'veth1', 'veth2', 'bread-j-veth', 've-only6', 'bread-pb-veth'].map((n) => `link ${n}`),
      'nat 172.18.0.0/16 br0',
      'nat 172.19.0.0/24 brd1',
      'nat fd00:18::/64 br0',
      'nat fd00:19::/64 brd1',
      'nat fd00:60::/64 v6only',
      'forward 0',
      'accept-ra eth0 1',
      'forward 0 ipv6',
    ]);
    expect(parseRecord(recordOf('dual-stack')).map(formatOwned)).toEqual([
      'netns container1',
      'netns container2',
      'link br0',
      'link veth1',
      'link veth2',
      'nat 172.18.0.0/16 br0',
      'nat fd00:18::/64 br0',
      'forward 0',
    ]);
  });

  it('ignores malformed IPv6 lines, so nothing odd reaches sysctl, ip6tables or nft', () => {
    const bad = [
      // the forwarding switch: only `forward 0` and `forward 0 ipv6`
      'forward 0 ipv5',
      'forward 0 IPV6',
      'forward 0 inet6',
      'forward 1 ipv6',
      'forward 0 ipv6 x',
      'forward ipv6',
      // accept_ra: an interface name, and 1 (the only value up raises from)
      'accept-ra',
      'accept-ra eth0',
      'accept-ra 1',
      'accept-ra eth0 0',
      'accept-ra eth0 2',
      'accept-ra eth0 1 x',
      'accept-ra bad/name 1',
      'accept-ra a;reboot 1',
      'accept-ra $(reboot) 1',
      'accept-ra -x 1',
      'accept-ra all 1',
      'accept-ra waytoolonginterfacename 1',
      'accept-ra .. 1',
      'ACCEPT-RA eth0 1',
      // NAT66: a subnet without host bits in the inventory's prefix range, an interface name, an except subnet
      'nat fd00:18::1/64 br0',
      'nat fd00:18::/129 br0',
      'nat fd00::/8 br0',
      'nat fd00:18::/64',
      'nat fd00:18:/64 br0',
      'nat fd00:18::zz/64 br0',
      'nat fd00:18::/64 bad;name',
      'nat fd00:30::/64 cnet0 fd00:30::1/48',
      'nat fd00:30::/64 cnet0 fd00:30::/48 nft',
      'nat fd00:30::/64 cnet0 fd00:30::/48 x nftables',
      // routes
      'route fd00:30:0:2::/64 via fd00::zz',
      'route fd00:30:0:2::/64 via fe80::1%eth0',
      'route fd00:30:0:2::1/64 via 2001:db8:249::20',
      'route ::/0 via 2001:db8:249::2',
      'route fd00:30::/48 dev bad;name',
    ];
    for (const line of bad) expect(parseRecord(line), line).toEqual([]);
    expect(parseRecord([...bad, 'accept-ra eth0 1'].join('\n'))).toEqual([{ kind: 'accept-ra', dev: 'eth0', from: '1' }]);
  });
});
