import { describe, expect, it } from 'vitest';
import { addressInNetworks, parseCidrList } from '../../src/transport/ssh-pattern.js';

// OpenSSH addrmatch.c addr_match_cidr_list / addr.c addr_pton_cidr, as Match localnetwork uses them
describe('parseCidrList / addressInNetworks', () => {
  it.each([
    ['127.0.0.1', '127.0.0.0/8', true],
    ['127.0.0.1', '127.0.0.1', true],
    ['10.1.2.3', '10.1.0.0/16,192.168.0.0/16', true],
    ['10.2.2.3', '10.1.0.0/16,192.168.0.0/16', false],
    ['10.2.2.3', '0.0.0.0/0', true],
    ['::1', '::1/128', true],
    ['fd00::2', 'fd00::/8', true],
    ['fe80::fc:ff:fe00:1', 'FE80::/10', true],
    ['2001:db8::1', 'fd00::/8', false],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.0/104', true],
    // families do not mix
    ['127.0.0.1', '::/0', false],
    ['::1', '0.0.0.0/0', false],
  ])('%s in %s: %s', (address, list, inside) => {
    const networks = parseCidrList(list);
    if (typeof networks === 'string') throw new Error(networks);
    expect(addressInNetworks(address, networks)).toBe(inside);
  });

  it.each([
    ['10.0.0.1/8', 'Inconsistent mask length for network "10.0.0.1/8"'],
    ['10.0.0.0/33', 'Inconsistent mask length for network "10.0.0.0/33"'],
    ['10.0.0.0/x', 'list entry "10.0.0.0/x" contains invalid characters'],
    ['10.0.0.0/', 'Invalid network entry "10.0.0.0/"'],
    ['10.0.0', 'Invalid network entry "10.0.0"'],
    ['1:2:3:4:5:6:7:8:9', 'Invalid network entry "1:2:3:4:5:6:7:8:9"'],
    ['1::2::3', 'Invalid network entry "1::2::3"'],
    ['10.0.0.0/8,', 'empty entry in list "10.0.0.0/8,"'],
    ['lan', 'list entry "lan" contains invalid characters'],
    ['!10.0.0.0/8', 'list entry "!10.0.0.0/8" contains invalid characters'],
  ])('%s is refused: %s', (list, problem) => {
    expect(parseCidrList(list)).toBe(problem);
  });
});
