import { showText } from '../shown.js';
import type { AddressFamily } from './family.js';

/** IPv4 arithmetic on 32-bit unsigned integers. */
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4 subnet: its network address as a 32-bit unsigned integer (its family: a number, see familyOf). */
export interface Cidr {
  network: number;
  prefix: number;
}

/** The prefix lengths a subnet of the inventory (a bridge's, a fabric's supernet, host_prefix) may have. */
export const SUBNET_PREFIX = { min: 8, max: 30 } as const;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

export function parseIpv4(text: string): number {
  if (!isIpv4(text)) throw new Error(`not an IPv4 address: ${JSON.stringify(text)}`);
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses `a.b.c.d/len`; returns the error text instead of throwing. */
export function parseCidr(text: string): Cidr | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m || !isIpv4(m[1]!)) return `expected an IPv4 subnet like 172.18.0.0/16, got ${showText(text)}`;
  const prefix = Number(m[2]);
  if (prefix < SUBNET_PREFIX.min || prefix > SUBNET_PREFIX.max)
    return `prefix length /${prefix} is out of range: use /${SUBNET_PREFIX.min} to /${SUBNET_PREFIX.max}`;
  const addr = parseIpv4(m[1]!);
  const network = (addr & maskOf(prefix)) >>> 0;
  if (network !== addr) {
    return `${text} has host bits set: did you mean ${formatIpv4(network)}/${prefix}?`;
  }
  return { network, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

export function broadcastOf(c: Cidr): number {
  return (c.network | (~maskOf(c.prefix) >>> 0)) >>> 0;
}

export function contains(c: Cidr, addr: number): boolean {
  return (addr & maskOf(c.prefix)) >>> 0 === c.network;
}

/** A usable host address: inside the subnet, not its network or broadcast address. */
export function isHostAddress(c: Cidr, addr: number): boolean {
  return contains(c, addr) && addr !== c.network && addr !== broadcastOf(c);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return (a.network & maskOf(prefix)) >>> 0 === (b.network & maskOf(prefix)) >>> 0;
}

/** IPv4 as an address family (family.ts): what `ip`, sysctl and the firewall need to know of it. */
export const ipv4: AddressFamily = {
  name: 'ipv4',
  ipName: 'inet',
  ipFlag: '-4',
  bits: 32,
  subnetPrefix: SUBNET_PREFIX,
  forwarding: { sysctl: 'net.ipv4.ip_forward', proc: '/proc/sys/net/ipv4/ip_forward' },
  owns: (c) => typeof c.network === 'number',
  isAddress: isIpv4,
  parseCidr,
  formatCidr: (c) => formatCidr(c as Cidr),
  overlaps: (a, b) => overlaps(a as Cidr, b as Cidr),
  subnetOf: (text, prefix) => ({ network: (parseIpv4(text) & maskOf(prefix)) >>> 0, prefix }),
  contains: (c, text) => contains(c as Cidr, parseIpv4(text)),
  canonical: (text) => formatIpv4(parseIpv4(text)),
  addressAt: (c, n) => {
    const a = (c as Cidr).network + n;
    return n >= 1 && isHostAddress(c as Cidr, a) ? formatIpv4(a) : undefined;
  },
  hostAddressProblem: (c, text) => {
    const a = parseIpv4(text);
    if (!contains(c as Cidr, a)) return 'outside';
    if (a === (c as Cidr).network) return 'the network address';
    return a === broadcastOf(c as Cidr) ? 'the broadcast address' : undefined;
  },
  defaultNat: () => true,
};
