import { showText } from '../shown.js';
import type { AddressFamily } from './family.js';
import { isIpv4, parseIpv4 } from './ipv4.js';

/** IPv6 arithmetic on 128-bit unsigned bigints; text as `ip` prints it (inet_ntop). */
const BITS = 128;
const ALL = (1n << 128n) - 1n;

/** An IPv6 subnet: its network address as a bigint (its family: a bigint, see familyOf). */
export interface Cidr {
  network: bigint;
  prefix: number;
}

/**
 * The prefix lengths an inventory IPv6 subnet may have: from a /16 (a fabric's supernet6 split
 * per host) to a /124 (16 addresses).
 */
export const SUBNET6_PREFIX = { min: 16, max: 124 } as const;

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** The 16-bit groups an address is written with, or undefined when it is not an IPv6 address. */
function groupsOf(text: string): number[] | undefined {
  if (text.length > 45 || text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // a dotted IPv4 tail only at the very end of the text (never before `::`)
  const parse = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const words = part.split(':');
    const out: number[] = [];
    for (const [i, w] of words.entries()) {
      if (last && i === words.length - 1 && w.includes('.')) {
        if (!isIpv4(w)) return undefined;
        const v4 = parseIpv4(w);
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (HEX_GROUP.test(w)) out.push(Number.parseInt(w, 16));
      else return undefined;
    }
    return out;
  };
  const head = parse(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parse(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...tail] : undefined;
}

export function isIpv6(text: string): boolean {
  return groupsOf(text) !== undefined;
}

export function parseIpv6(text: string): bigint {
  const groups = groupsOf(text);
  if (!groups) throw new Error(`not an IPv6 address: ${JSON.stringify(text)}`);
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/**
 * As inet_ntop (and so `ip`) writes it: lower-case hex, the longest run of two or more zero
 * groups as `::` (the first on ties), and IPv4-mapped and -compatible addresses' last 32 bits
 * dotted, as glibc does.
 */
export function formatIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  if (best.len < 2) best = { at: -1, len: 0 };
  // ::a.b.c.d (not :: or ::1) and ::ffff:a.b.c.d: inet_ntop's dotted tail
  const dotted = best.at === 0 && (best.len === 6 || (best.len === 5 && groups[5] === 0xffff));
  const hex = (g: number) => g.toString(16);
  const part = (from: number, to: number) => groups.slice(from, to).map(hex).join(':');
  if (dotted) {
    const v4 = [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
    return best.len === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  if (best.at < 0) return part(0, 8);
  return `${part(0, best.at)}::${part(best.at + best.len, 8)}`;
}

export function maskOf6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(BITS - prefix)) & ALL;
}

/** Parses `address/len`; returns the error text instead of throwing. */
export function parseCidr6(text: string): Cidr | string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m || !isIpv6(m[1]!)) return `expected an IPv6 prefix like fd00:18::/64, got ${showText(text)}`;
  const prefix = Number(m[2]);
  if (prefix < SUBNET6_PREFIX.min || prefix > SUBNET6_PREFIX.max)
    return `prefix length /${prefix} is out of range: use /${SUBNET6_PREFIX.min} to /${SUBNET6_PREFIX.max}`;
  const addr = parseIpv6(m[1]!);
  const network = addr & maskOf6(prefix);
  if (network !== addr) return `${text} has host bits set: did you mean ${formatIpv6(network)}/${prefix}?`;
  return { network, prefix };
}

export function formatCidr6(c: Cidr): string {
  return `${formatIpv6(c.network)}/${c.prefix}`;
}

export function contains6(c: Cidr, addr: bigint): boolean {
  return (addr & maskOf6(c.prefix)) === c.network;
}

export function overlaps6(a: Cidr, b: Cidr): boolean {
  const mask = maskOf6(Math.min(a.prefix, b.prefix));
  return (a.network & mask) === (b.network & mask);
}

/** A unique local prefix (fc00::/7), which is not routed on the internet: NAT66 by default. */
export function isUniqueLocal(c: Cidr): boolean {
  return c.network >> 121n === 0x7en;
}

/** IPv6 as an address family (family.ts). */
export const ipv6: AddressFamily = {
  name: 'ipv6',
  ipName: 'inet6',
  ipFlag: '-6',
  bits: BITS,
  subnetPrefix: SUBNET6_PREFIX,
  forwarding: { sysctl: 'net.ipv6.conf.all.forwarding', proc: '/proc/sys/net/ipv6/conf/all/forwarding' },
  owns: (c) => typeof c.network === 'bigint',
  isAddress: isIpv6,
  parseCidr: parseCidr6,
  formatCidr: (c) => formatCidr6(c as Cidr),
  overlaps: (a, b) => overlaps6(a as Cidr, b as Cidr),
  subnetOf: (text, prefix) => ({ network: parseIpv6(text) & maskOf6(prefix), prefix }),
  contains: (c, text) => contains6(c as Cidr, parseIpv6(text)),
  canonical: (text) => formatIpv6(parseIpv6(text)),
  addressAt: (c, n) => {
    const { network, prefix } = c as Cidr;
    const a = network + BigInt(n);
    return n >= 1 && contains6(c as Cidr, a) && prefix < BITS ? formatIpv6(a) : undefined;
  },
  hostAddressProblem: (c, text) => {
    const a = parseIpv6(text);
    if (!contains6(c as Cidr, a)) return 'outside';
    // the all-zero host part is the Subnet-Router anycast address, which a forwarding Linux host takes itself
    return a === (c as Cidr).network ? 'the subnet-router anycast address' : undefined;
  },
  defaultNat: (c) => isUniqueLocal(c as Cidr),
};
