import { parseCidr, type Cidr } from '../../src/address/family.js';
import type { GraphHostInput } from '../../src/graph/model.js';
import type { BridgeNet, DesiredNetwork } from '../../src/inventory/types.js';

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(c);
  return c;
};

const net = (subnet: string, address: string, nat: boolean): BridgeNet => ({ subnet: cidr(subnet), address, nat });

/** br0 dual-stack (NAT and NAT66), c1 and c2 on it with an address of each family. */
export const DUAL: DesiredNetwork = {
  bridges: [{ name: 'br0', nets: [net('172.18.0.0/16', '172.18.0.1', true), net('fd00:18::/64', 'fd00:18::1', true)] }],
  namespaces: [
    { name: 'c1', bridge: 'br0', addresses: ['172.18.0.2', 'fd00:18::2'], hostIf: 'veth1', nsIf: 'ceth1' },
    { name: 'c2', bridge: 'br0', addresses: ['172.18.0.3', 'fd00:18::3'], hostIf: 'veth2', nsIf: 'ceth2' },
  ],
};

/** IPv6-only bridges: br6 a unique local prefix with NAT66, brg a global prefix routed (no NAT). */
export const V6_ONLY: DesiredNetwork = {
  bridges: [
    { name: 'br6', nets: [net('fd00:6::/64', 'fd00:6::1', true)] },
    { name: 'brg', nets: [net('2001:db8:1::/64', '2001:db8:1::1', false)] },
  ],
  namespaces: [
    { name: 's1', bridge: 'br6', addresses: ['fd00:6::2'], hostIf: 'veth-s1', nsIf: 'eth0' },
    { name: 'g1', bridge: 'brg', addresses: ['2001:db8:1::2'], hostIf: 'veth-g1', nsIf: 'eth0' },
  ],
};

export const dualInput = (): GraphHostInput => ({ name: 'vm1', address: '10.0.0.1', network: DUAL });
export const v6OnlyInput = (): GraphHostInput => ({ name: 'vm6', address: 'fd00:100::6', network: V6_ONLY });

/** What each picture must show of the dual-stack host: IPv4's texts beside IPv6's. */
export const DUAL_TEXTS = [
  '172.18.0.0/16',
  'gw 172.18.0.1',
  'fd00:18::/64',
  'gw fd00:18::1',
  '172.18.0.2/16',
  'fd00:18::2/64',
  '172.18.0.3/16',
  'fd00:18::3/64',
  'NAT',
  'NAT66',
];

/** … and of the IPv6-only host. */
export const V6_ONLY_TEXTS = [
  'vm6 (fd00:100::6)',
  'fd00:6::/64',
  'gw fd00:6::1',
  'fd00:6::2/64',
  '2001:db8:1::/64',
  'gw 2001:db8:1::1',
  '2001:db8:1::2/64',
  'NAT66',
];
